"""`python -m clicksend_mms_fuzz` as a test runs it: the real runner, a smaller case budget, chosen phases only.

The shipped schemathesis.toml is a case budget (`seed` and `max-examples`, no `max-time`): the same cases on any
machine, however busy; a slow one only takes longer. The runner's `--examples N` shrinks that budget; this also
narrows the phases, which the runner has no option for (live mode's tests want the examples phase only: one case
per documented example, the same on every run). It runs the same runner with a copy of the config whose
`max-examples` are `max_examples` and whose phases are `phases`.

The copy reaches the runner through `CONFIG_ENV`, read by a few lines (`BOOTSTRAP`) that point the runner's
`config_file.path()` at it and then run it as `python -m clicksend_mms_fuzz` would. `BOOTSTRAP` imports only the
installed fuzz package, so it runs in any venv that has it (a wheel's too), not only in this repository's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

from clicksend_mms_fuzz import config_file

CONFIG_ENV = "CLICKSEND_TEST_FUZZ_CONFIG"
BOOTSTRAP = f"""
import os, pathlib, sys
from clicksend_mms_fuzz import __main__ as runner, config_file
budgeted = pathlib.Path(os.environ[{CONFIG_ENV!r}])
config_file.path = lambda: budgeted
sys.exit(runner.main(sys.argv[1:]))
"""
_MAX_TIME = re.compile(r"^max-time\s*=.*\n", re.MULTILINE)
_PHASE = re.compile(r"^\[phases\.(\w+)\]\nenabled = (?:true|false)$", re.MULTILINE)


def budgeted_config(text: str, max_examples: int, phases: Collection[str] | None = None) -> str:
    """schemathesis.toml's text with every `max-examples` set to `max_examples` and, given `phases`, only those
    phases enabled."""
    clocks = len(_MAX_TIME.findall(text))
    budgeted, budgets = config_file.with_budgets(text, lambda _: max_examples)
    named = set(_PHASE.findall(budgeted))
    # Loud, not silent, when the config changes shape: a run bound by the clock is what tests must never depend on.
    if clocks or budgets == 0 or (phases is not None and not set(phases) <= named):
        raise AssertionError(f"schemathesis.toml changed shape: {clocks} max-time, {budgets} max-examples, {named}")
    if phases is not None:
        budgeted = _PHASE.sub(lambda m: f"[phases.{m[1]}]\nenabled = {str(m[1] in phases).lower()}", budgeted)
    return budgeted


def write_budgeted_config(into: Path, max_examples: int, phases: Collection[str] | None = None) -> Path:
    path = into / "schemathesis-budgeted.toml"
    text = config_file.path().read_text(encoding="utf-8")
    path.write_text(budgeted_config(text, max_examples, phases), encoding="utf-8")
    return path


def sandbox_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without CLICKSEND_*: a test's run never reaches the live API."""
    return {k: v for k, v in (os.environ if environ is None else environ).items() if not k.startswith("CLICKSEND_")}


def budgeted_fuzz_run(
    cwd: Path,
    *,
    max_examples: int,
    phases: Collection[str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    python: str = sys.executable,
) -> subprocess.CompletedProcess[str]:
    """The runner in `cwd` (it writes reports/ there), bounded by `max_examples` per operation and phase; the
    environment is this one's without CLICKSEND_* (a test's run never reaches the live API), plus `extra_env`.

    The subprocess timeout only catches a hang: a slow machine makes the run slower, never smaller."""
    config = write_budgeted_config(cwd, max_examples, phases)
    return subprocess.run(
        [python, "-c", BOOTSTRAP],
        cwd=cwd,
        # A smaller budget and fewer phases judge less than the designed run by choice: never held to its floors.
        env={**sandbox_env(), "CLICKSEND_FUZZ_STRICT": "0", **(extra_env or {}), CONFIG_ENV: str(config)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
