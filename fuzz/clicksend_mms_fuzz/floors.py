"""How much a run must judge to count: the floors of judged cases, per check and per coverage-matrix row.

The default run is a seeded case budget (schemathesis.toml's `max-examples`, same seed: same cases); the time cap
only protects against a hang. A run judged what it was designed to judge when no check and no matrix row with an
oracle is under its floor and the cap did not cut it short. With a smaller budget (`--examples N`) the floors shrink
in proportion. Live runs are not held to them (20 examples per operation, only what the run created).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Every enabled check judges at least this many cases of the default budget...
CHECK_FLOOR = 10
# ...and every matrix row whose oracle judges its value is judged at least once. (Measured: the rows that depend on
# the stateful phase, the spec's links and the receipts it leads to, varied between runs of one seed, because a
# scenario's steps follow the ids the server assigns: 20 to 95 scenarios. The sandboxes now take the run's seed, but
# a scenario can still turn on a receipt the wall clock made arrive or not.) A higher floor made a clean strict run
# fail now and then; these floors say when a run judged nothing of a row or a check.
ROW_FLOOR = 1
# Checks that judge the run once, not cases.
RUN_CHECKS = {"rate_limit_burst": 1}


@dataclass(frozen=True)
class Shortfall:
    what: str  # "check" | "row" | "cap"
    name: str
    judged: int
    floor: int


def scale(floor: int, examples: int | None, default_examples: int) -> int:
    if examples is None or examples >= default_examples:
        return floor
    return max(1, math.floor(floor * examples / default_examples))


def check_floor(check: str, examples: int | None, default_examples: int) -> int:
    return RUN_CHECKS.get(check) or scale(CHECK_FLOOR, examples, default_examples)


def shortfalls(
    data: Mapping[str, Any],
    row_oracles: Mapping[str, str],
    *,
    examples: int | None,
    default_examples: int,
    excluded_checks: tuple[str, ...] = (),
) -> list[Shortfall]:
    """What is under its floor in a run's statistics (`fuzz-stats.json`), and the cap if it cut the run."""
    found: list[Shortfall] = []
    if data.get("capped"):
        found.append(Shortfall("cap", str(data.get("cap_seconds", "?")), 0, 0))
    judged_checks: Mapping[str, int] = data.get("checks_run", {})
    for check in data.get("checks_enabled", []):
        if check in excluded_checks:
            continue
        floor = check_floor(check, examples, default_examples)
        if judged_checks.get(check, 0) < floor:
            found.append(Shortfall("check", check, judged_checks.get(check, 0), floor))
    judged_rows: Mapping[str, int] = data.get("rows_judged", {})
    row_floor = scale(ROW_FLOOR, examples, default_examples)
    for key, oracle in row_oracles.items():
        if oracle in excluded_checks or oracle not in data.get("checks_enabled", [oracle]):
            continue
        if judged_rows.get(key, 0) < row_floor:
            found.append(Shortfall("row", key, judged_rows.get(key, 0), row_floor))
    return found


def render(found: list[Shortfall], strict: bool) -> str:
    if not found:
        return "Floors: every check and every matrix row with an oracle judged at least its floor; the cap was not hit."
    lines = [
        "UNDER FLOOR: this run judged less than the run that was designed" + (" (--strict: FAIL)" if strict else "")
    ]
    for item in found:
        if item.what == "cap":
            lines.append(f"  the time cap ({item.name}s) stopped the run before its case budget was spent")
        else:
            lines.append(f"  {item.what} {item.name}: judged {item.judged}, floor {item.floor}")
    return "\n".join(lines)
