"""The fuzz runner's entry point and its config's home (the installed-wheel run is in test_wheel.py)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from clicksend_mms_fuzz import __main__ as runner
from clicksend_mms_fuzz import config_file

from tests.helpers.spec import ROOT

_NO_FUZZ_ENV = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}


def test_help_runs_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clicksend_mms_fuzz", "--help"],
        cwd=tmp_path,
        env=_NO_FUZZ_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--max-time SECONDS" in result.stdout
    assert list(tmp_path.iterdir()) == [], "--help must not start a run (no reports/)"


def _max_time(command: list[str]) -> str | None:
    return command[command.index("--max-time") + 1] if "--max-time" in command else None


def test_max_time_is_a_cap_in_the_sandbox_and_a_budget_live() -> None:
    url = "http://127.0.0.1:1"
    # Sandbox: the run is a seeded case budget; schemathesis never gets --max-time (the runner caps the time).
    assert _max_time(runner._command(runner.plan_for([], {}), url)) is None
    assert _max_time(runner._command(runner.plan_for(["--max-time", "15"], {}), url)) is None
    assert runner.plan_for(["--max-time", "15"], {}).cap == 15
    assert runner.plan_for([], {"CLICKSEND_FUZZ_MAX_TIME": "30"}).cap == 30
    live = {"CLICKSEND_USERNAME": "u", "CLICKSEND_API_KEY": "k"}
    assert _max_time(runner._command(runner.plan_for([], live), url)) == "52"
    assert (
        _max_time(runner._command(runner.plan_for(["--max-time", "15"], live | {"CLICKSEND_FUZZ_MAX_TIME": "30"}), url))
        == "15"
    )


def test_examples_and_strict_reach_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the scaled config goes to reports/ here
    url = "http://127.0.0.1:1"
    plan = runner.plan_for(["--examples", "7"], {})
    config = runner._config(plan)
    command = runner._command(plan, url, config)
    assert command[command.index("--config-file") + 1] == str(config) != str(config_file.path())
    budgets = tomllib.loads(config.read_text(encoding="utf-8"))
    assert budgets["generation"]["max-examples"] == 7
    # The phases and operations the config gives more keep their proportion (120 -> 7: 300 -> 18, 240 -> 14).
    designed = config_file.settings()
    assert budgets["phases"]["stateful"]["generation"]["max-examples"] == math.ceil(
        designed["phases"]["stateful"]["generation"]["max-examples"] * 7 / config_file.default_examples()
    )
    assert [o["generation"]["max-examples"] for o in budgets["operations"] if "generation" in o] == [
        math.ceil(o["generation"]["max-examples"] * 7 / config_file.default_examples())
        for o in designed["operations"]
        if "generation" in o
    ]
    assert runner._config(runner.plan_for([], {})) == config_file.path()
    assert runner.plan_for([], {"CI": "true"}).strict
    assert not runner.plan_for([], {"CI": "true", "CLICKSEND_FUZZ_STRICT": "0"}).strict
    assert not runner.plan_for([], {}).strict
    assert runner.plan_for(["--strict"], {}).strict
    # A smaller budget is a quick look: under CI it judges less by choice, unless strict is asked for.
    assert not runner.plan_for(["--examples", "10"], {"CI": "true"}).strict
    assert not runner.plan_for([], {"CI": "true", "CLICKSEND_FUZZ_EXAMPLES": "10"}).strict
    assert runner.plan_for(["--examples", "10"], {"CI": "true", "CLICKSEND_FUZZ_STRICT": "1"}).strict
    assert runner.plan_for(["--examples", "10", "--strict"], {"CI": "true"}).strict


def test_the_config_is_package_data_with_relative_report_paths() -> None:
    config = tomllib.loads(config_file.path().read_text(encoding="utf-8"))
    assert config["hooks"] == "clicksend_mms_fuzz.hooks"
    paths = [config["reports"]["directory"], config["reports"]["junit"]["path"], config["cache"]["directory"]]
    assert all(not Path(p).is_absolute() for p in paths), paths


def test_schemathesis_run_help_works_from_the_repo_root() -> None:
    # No config that schemathesis finds by itself (it would demand CLICKSEND_FUZZ_AUTH_* before printing help).
    assert not (ROOT / "schemathesis.toml").exists()
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", "--help"],
        cwd=ROOT,
        env=_NO_FUZZ_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # schemathesis exits 0 even when it refuses the config, so read what it printed.
    assert "Failed to load configuration" not in result.stdout, result.stdout
    assert result.returncode == 0 and "run [OPTIONS] LOCATION" in result.stdout, result.stdout + result.stderr
