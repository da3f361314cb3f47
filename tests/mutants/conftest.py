"""The full mutant table is `make mutants` (or `pytest -m mutants`): minutes, so plain `pytest` (CI) skips it and
runs only the cheap proofs and the fast subset (catalog.FAST)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mutants: the full mutant table (`make mutants` / `pytest -m mutants`)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "mutants" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="the full mutant table: `make mutants` or `pytest -m mutants`")
    for item in items:
        if item.get_closest_marker("mutants") is not None:
            item.add_marker(skip)
