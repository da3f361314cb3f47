"""Every test file follows the timing rules that can be read off its source (timing_rules.py), and the reader
catches each kind of break it exists for."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers.spec import ROOT

from .timing_rules import violations

TESTS = ROOT / "tests"


# The project's own test files: not what tests install under a hidden folder (the foreign SDKs' cached venvs).
OWN = sorted(p for p in TESTS.rglob("*.py") if not any(part.startswith(".") for part in p.relative_to(TESTS).parts))


@pytest.mark.parametrize("path", OWN, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_file_races_the_clock(path: Path) -> None:
    found = violations(path.read_text(encoding="utf-8"))
    assert found == [], "\n".join(f"{path}:{v.line}: {v.rule}" for v in found)


PLANTED = {
    "a bare sleep": "import time\ntime.sleep(0.8)\n",
    "an asyncio sleep": "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
    "elapsed below a limit": "import time\nt = time.monotonic()\nassert time.monotonic() - t < 0.5\n",
    "a limit above elapsed": "import time\nt = time.perf_counter()\nassert 2 > time.perf_counter() - t\n",
    "within a conjunction": "import time\nt = time.time()\nassert ok and time.time() - t <= 1\n",
}


@pytest.mark.parametrize("source", PLANTED.values(), ids=list(PLANTED))
def test_each_planted_break_is_found(source: str) -> None:
    assert len(violations(source)) == 1


def test_what_holds_on_a_busy_machine_passes() -> None:
    source = textwrap.dedent("""
        import time
        started = time.monotonic()
        assert time.monotonic() - started >= 0.3  # a wait happened: only more likely on a busy machine
        assert 0.3 <= time.monotonic() - started
        time.sleep(0.1)  # timing-safe: a poll interval
    """)
    assert violations(source) == []
