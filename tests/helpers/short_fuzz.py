"""A short, seeded fuzz run of the real runner, and one of them per test session shared by the tests that only
read what it wrote.

`test_reproducible` compares it with a second run of the same seed; the browser test renders its HTML report. Each
run is about 20 s of CPU on this kind of machine (most of it schemathesis' coverage phase), so the session runs it
once: the first test to ask runs it under a lock, and a test that asks meanwhile (another pytest-xdist worker
included) waits for it and reads the same directory.

The run is the runner as `python -m clicksend_mms_fuzz` runs it, with its own sandboxes (whose instant lifecycle
is what makes two runs of a seed the same: sandboxes.py).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.fuzz_budget import sandbox_env
from tests.helpers.spec import ROOT

EXAMPLES = 3  # examples per operation per phase: every phase runs, the stateful one with a few scenarios
# hypothesis keeps its Unicode tables under this directory; computing them again takes seconds.
HYPOTHESIS_STORAGE = ROOT / ".hypothesis"


@dataclass(frozen=True)
class ShortRun:
    workdir: Path  # the run's current directory: its reports are in workdir / "reports"
    returncode: int
    stdout: str
    stderr: str

    @property
    def reports(self) -> Path:
        return self.workdir / "reports"


def run(workdir: Path) -> ShortRun:
    """The runner, `--examples 3 --no-strict`, in `workdir` (where it writes reports/), never against the live API."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = sandbox_env()
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(HYPOTHESIS_STORAGE)
    done = subprocess.run(
        [sys.executable, "-m", "clicksend_mms_fuzz", "--examples", str(EXAMPLES), "--no-strict"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard: about 20 s quiet, a minute on a loaded machine
        check=False,
    )
    return ShortRun(workdir, done.returncode, done.stdout, done.stderr)


def shared(tmp_path_factory: pytest.TempPathFactory) -> ShortRun:
    """This session's short run, run by the first test that asks (the others wait for it under the lock)."""
    # Under pytest-xdist each worker's basetemp is a folder of the session's own; its parent is the session's.
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    workdir = root / "shared-short-fuzz"
    with (root / "shared-short-fuzz.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        outcome = workdir / "outcome"
        if not outcome.exists():
            result = run(workdir)
            (workdir / "stdout.txt").write_text(result.stdout, encoding="utf-8")
            (workdir / "stderr.txt").write_text(result.stderr, encoding="utf-8")
            outcome.write_text(str(result.returncode), encoding="utf-8")  # last: the run is complete
    return ShortRun(
        workdir,
        int(outcome.read_text(encoding="utf-8")),
        (workdir / "stdout.txt").read_text(encoding="utf-8"),
        (workdir / "stderr.txt").read_text(encoding="utf-8"),
    )
