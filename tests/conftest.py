"""What every test folder shares: hypothesis without clocks, and the order pytest-xdist hands modules out in.

The rules a test follows to hold on a slow, busy machine are in docs/CONTRIBUTING.md ("A test that holds on a busy
machine"); this file makes two of them the default rather than something each test must remember.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis judges time in two places: a per-example `deadline` (200 ms by default) and the `too_slow` health
# check on data generation. On a loaded 2-core machine both fail tests whose code is fine, so neither is used.
# `database=None`: no .hypothesis/ written into the working tree, which parallel workers would share. A test's own
# @settings(...) still sets what it names (max_examples, derandomize...), and inherits the rest from here.
settings.register_profile(
    "busy-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "busy-machine"))

# pytest-xdist's workers run with COLUMNS=80 in their environment where a plain `pytest` has none, and rich fixes a
# console's width from COLUMNS when the console is made: the CLI's tables would be cut at 80 columns in a worker
# only. Every test process sees the same environment instead (rich's own width when nothing is a terminal).
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)

# The modules that take longest, first (pytest-xdist's --dist loadscope hands out whole modules in collection
# order): a long module that starts last is the run's tail on 2 cores. Marks say which: `wheel` (builds and installs
# the distribution), then `slow` (subprocess servers, a browser, fuzz runs); the rest keep their order.
_FIRST = ("wheel", "slow")


def _weight(item: pytest.Item) -> int:
    for rank, mark in enumerate(_FIRST):
        if item.get_closest_marker(mark) is not None:
            return rank
    return len(_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Per module (file), so a module's tests stay together and its module-scoped fixtures are built once.
    weight: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        weight[module] = min(_weight(item), weight.get(module, len(_FIRST)))
    items.sort(key=lambda item: weight[item.nodeid.split("::")[0]])
