"""Same seed, same cases: the real runner as configured, twice, with a small budget, generates the same sequence of
cases in every phase (the stateful one included, which follows the ids the sandbox assigns and the states it
answers); and with the sandbox's random ids back on, the runs differ, so the comparison can fail.

What makes it hold: the sandboxes get the run's seed, and the main one's lifecycle is instant, so no answer depends
on how fast the machine ran the requests before it (sandboxes.py; the wall-clock lifecycle it replaced made every
phase after the examples one differ: fuzz/README.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms_fuzz import __main__ as runner
from clicksend_mms_fuzz import config_file, sandboxes

from tests.helpers import short_fuzz
from tests.helpers.fuzz_budget import write_budgeted_config

pytestmark = pytest.mark.slow

EXAMPLES = short_fuzz.EXAMPLES


def _run(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The run's case digests (fuzz-stats.json: per phase, how many cases and a hash of their sequence)."""
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    assert runner.main(["--examples", str(EXAMPLES), "--no-strict"]) == 0
    data = json.loads((workdir / "reports" / "fuzz-stats.json").read_text(encoding="utf-8"))
    digests: dict[str, Any] = data["case_digest"]
    return digests


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CLICKSEND_"):  # no live target, no other budget
            monkeypatch.delenv(name)
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(short_fuzz.HYPOTHESIS_STORAGE))


def _digests(run: short_fuzz.ShortRun) -> dict[str, Any]:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads((run.reports / "fuzz-stats.json").read_text(encoding="utf-8"))
    digests: dict[str, Any] = data["case_digest"]
    return digests


def test_two_runs_of_one_seed_generate_the_same_cases(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The first run is the session's shared one (the browser test renders its report): the same runner and budget as
    # the second (tests/helpers/short_fuzz.py).
    first = _digests(short_fuzz.shared(tmp_path_factory))
    second = _digests(short_fuzz.run(tmp_path / "second"))
    assert set(first) == {"examples", "coverage", "fuzzing", "stateful"}
    assert first["stateful"]["cases"] > 0
    assert first == second


@pytest.mark.usefixtures("clean_env")
def test_a_sandbox_with_random_ids_makes_the_runs_differ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The planted nondeterminism: the sandboxes started without the run's seed (random message ids). The examples
    phase alone already differs (its cases are taken after the run has met the sandbox's ids), so only it runs."""
    monkeypatch.setattr(sandboxes, "seed_flags", lambda: ())
    budgeted = write_budgeted_config(tmp_path, EXAMPLES, phases=("examples",))
    monkeypatch.setattr(config_file, "path", lambda: budgeted)
    first = _run(tmp_path / "first", monkeypatch)
    second = _run(tmp_path / "second", monkeypatch)
    assert set(first) == {"examples"}
    assert first != second
