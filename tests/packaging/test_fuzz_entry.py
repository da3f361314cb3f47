"""The fuzz runner's entry point and its config's home (the installed-wheel run is in test_wheel.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

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


def test_max_time_reaches_schemathesis() -> None:
    url = "http://127.0.0.1:1"
    assert _max_time(runner._command(runner.plan_for([], {}), url)) is None  # the config's own budget
    assert _max_time(runner._command(runner.plan_for(["--max-time", "15"], {}), url)) == "15"
    from_env = {"CLICKSEND_FUZZ_MAX_TIME": "30"}
    assert _max_time(runner._command(runner.plan_for([], from_env), url)) == "30"
    assert _max_time(runner._command(runner.plan_for(["--max-time", "15"], from_env), url)) == "15"


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
