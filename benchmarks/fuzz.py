"""Section 4: `make fuzz` (python -m clicksend_mms_fuzz, embedded sandbox) test cases per second."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from .context import Context, Figure
from .page import ROOT
from .stats import summarize

SECTION = "fuzz"
FUZZ_DIR = ROOT / "fuzz"
# Patterns for the runner's summary, most specific first (schemathesis: "Test cases: 812 generated, ...").
_CASES = (
    re.compile(r"(\d[\d,]*)\s+generated", re.I),
    re.compile(r"(\d[\d,]*)\s+(?:test\s+)?cases\b", re.I),
    re.compile(r"cases\D{0,20}(\d[\d,]*)", re.I),
)
_DURATION = re.compile(r"\bin\s+([\d.]+)\s*s\b")


def missing() -> str | None:
    if not (FUZZ_DIR / "clicksend_mms_fuzz" / "__main__.py").exists():
        return "fuzz/clicksend_mms_fuzz has no __main__.py yet (`make fuzz` runner not built)"
    return None


def parse_cases(output: str) -> int | None:
    for pattern in _CASES:
        found = pattern.findall(output)
        if found:
            return int(found[-1].replace(",", ""))
    return None


def run(ctx: Context) -> None:
    why = missing()
    if why:
        ctx.skip(SECTION, why)
        return
    # Never let a benchmark reach ClickSend: drop live credentials so the runner picks its embedded sandbox.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FUZZ_DIR), str(ROOT), env.get("PYTHONPATH", "")]))
    timeout = 150.0 if ctx.quick else 300.0
    rounds = 1 if ctx.quick else 2
    rates: list[float] = []
    walls: list[float] = []
    for _ in range(rounds):
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
        output = proc.stdout + "\n" + proc.stderr
        cases = parse_cases(output)
        if cases is None:
            ctx.skip(
                SECTION,
                f"could not find a case count in the runner's summary (exit {proc.returncode}): "
                f"{output.strip()[-400:]!r}",
            )
            return
        reported = _DURATION.findall(output)
        seconds = float(reported[-1]) if reported else wall
        rates.append(cases / seconds)
        walls.append(wall)
        ctx.note(SECTION, f"run: exit {proc.returncode}, {cases} cases in {seconds:.1f} s (wall {wall:.1f} s)")
        if proc.returncode != 0:
            ctx.note(SECTION, "the fuzz run reported failures (exit != 0); the rate is still the cases it ran")
    ctx.add(Figure(SECTION, "make fuzz vs embedded sandbox", "cases/s", summarize(rates), extra={"wall_s": walls}))
