"""The run's budget and cap (budget.py): stated up front, the cap interrupts (it does not kill) a run that hangs,
and a run the cap cut is under its floors."""

from __future__ import annotations

import signal
import sys

from clicksend_mms_fuzz import __main__ as runner
from clicksend_mms_fuzz import budget, config_file

_HANGS = "import threading; threading.Event().wait()"


def test_the_budget_is_stated_with_its_seed_and_the_live_model_says_what_it_covers() -> None:
    seed = config_file.settings()["seed"]
    sandbox = budget.describe(runner.plan_for(["--examples", "7"], {}))
    assert f"seed {seed}, 7 examples per operation" in sandbox and "same seed: the same cases in every phase" in sandbox
    live = budget.describe(runner.plan_for([], {"CLICKSEND_USERNAME": "u", "CLICKSEND_API_KEY": "k"}))
    assert "only what this run creates is predicted" in live


def test_the_cap_interrupts_a_run_that_hangs_and_says_so() -> None:
    # The child waits on an event that never comes: only the cap's SIGINT (or the kill after it) ends it.
    returncode, capped = budget.run_capped([sys.executable, "-c", _HANGS], {}, cap=0)
    assert capped and returncode != 0
    returncode, capped = budget.run_capped([sys.executable, "-c", "pass"], {}, cap=600)
    assert (returncode, capped) == (0, False)


def test_the_cap_interrupts_even_when_the_runner_was_started_with_sigint_ignored() -> None:
    # As under nohup or `&` without job control: the child would inherit SIGINT ignored and only die by the kill.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        script = (
            "import threading, sys\ntry:\n    threading.Event().wait()\nexcept KeyboardInterrupt:\n    sys.exit(42)\n"
        )
        returncode, capped = budget.run_capped([sys.executable, "-c", script], {}, cap=0)
    finally:
        signal.signal(signal.SIGINT, previous)
    # Interrupted, never killed: 42 once the child is waiting, -SIGINT or 1 (a KeyboardInterrupt while Python starts:
    # the cap of 0 can fire that early on a busy machine). With SIGINT still ignored it waits for the kill, -SIGKILL.
    assert capped and returncode not in (0, -signal.SIGKILL), returncode


def test_a_capped_run_is_under_its_floors() -> None:
    plan = runner.plan_for([], {})
    data = {"capped": True, "cap_seconds": 5, "checks_enabled": [], "checks_run": {}, "rows_judged": {}}
    found = budget.shortfalls(plan, data)
    assert found and found[0].what == "cap"
