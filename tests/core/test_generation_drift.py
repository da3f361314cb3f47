"""generated/ is exactly what `make generate` produces from spec/ + overrides/ (a golden record)."""

from __future__ import annotations

from pathlib import Path

import pytest

from overrides.generate import PACKAGE, generate
from tests.helpers.spec import ROOT

COMMITTED = ROOT / "generated" / PACKAGE
IGNORED_PARTS = {"__pycache__", ".ruff_cache", ".mypy_cache"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not IGNORED_PARTS & set(p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _files(generate(tmp_path_factory.mktemp("regenerated")))


def test_no_file_added_or_missing(fresh: dict[str, bytes]) -> None:
    committed = _files(COMMITTED)
    assert sorted(set(fresh) - set(committed)) == [], "run `make generate` and commit generated/"
    assert sorted(set(committed) - set(fresh)) == [], "generated/ has files the generator does not produce"


def test_every_file_byte_for_byte(fresh: dict[str, bytes]) -> None:
    committed = _files(COMMITTED)
    drifted = [name for name in sorted(fresh) if committed.get(name) != fresh[name]]
    assert drifted == [], f"generated/ differs from `make generate` output in {drifted}: never edit it by hand"


def test_every_file_says_do_not_edit() -> None:
    for name, content in _files(COMMITTED).items():
        assert b"Do not edit" in content.split(b"\n", 3)[1], name
