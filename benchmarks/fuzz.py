"""Section 4: `make fuzz` (python -m clicksend_mms_fuzz, embedded sandbox) test cases per second."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from typing import Any

from .context import Context, Figure
from .page import ROOT
from .stats import summarize

SECTION = "fuzz"
# The runner's own statistics (what its summary prints): cases it generated and judged, without the follow-up
# requests its checks send themselves, which schemathesis' "N generated" line also counts.
STATS = ROOT / "reports" / "fuzz-stats.json"


def missing() -> str | None:
    if importlib.util.find_spec("clicksend_mms_fuzz") is None:
        return "clicksend_mms_fuzz is not installed (`pip install -e '.[fuzz]'`, as `make` does)"
    return None


def judged_cases(stats: dict[str, Any]) -> int:
    return sum(int(n) for n in stats["cases_by_operation"].values())


def run(ctx: Context) -> None:
    why = missing()
    if why:
        ctx.skip(SECTION, why)
        return
    # Never let a benchmark reach ClickSend: drop live credentials so the runner picks its embedded sandbox.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}
    timeout = 150.0 if ctx.quick else 960.0  # the runner caps itself at 900 s (plan.DEFAULT_CAP)
    rounds = 1 if ctx.quick else 2
    rates: list[float] = []
    walls: list[float] = []
    for _ in range(rounds):
        STATS.unlink(missing_ok=True)  # a count is only ever this round's
        start = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "clicksend_mms_fuzz"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired:
            ctx.skip(SECTION, f"`python -m clicksend_mms_fuzz` did not finish within {timeout:.0f} s")
            return
        wall = time.monotonic() - start
        if not STATS.exists():
            output = (proc.stdout + "\n" + proc.stderr).strip()
            ctx.skip(SECTION, f"the runner wrote no {STATS.name} (exit {proc.returncode}): {output[-400:]!r}")
            return
        cases = judged_cases(json.loads(STATS.read_text(encoding="utf-8")))
        # Wall time from launch to exit, the sandboxes' start-up included, as the runner's own rate line.
        rates.append(cases / wall)
        walls.append(wall)
        ctx.note(SECTION, f"run: exit {proc.returncode}, {cases} cases in {wall:.1f} s wall")
        if proc.returncode != 0:
            ctx.note(SECTION, "the fuzz run reported failures (exit != 0); the rate is still the cases it ran")
    ctx.add(Figure(SECTION, "make fuzz vs embedded sandbox", "cases/s", summarize(rates), extra={"wall_s": walls}))
