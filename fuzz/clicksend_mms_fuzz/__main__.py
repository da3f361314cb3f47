"""`python -m clicksend_mms_fuzz` (`make fuzz`): contract-fuzz the sandbox, or the live API when credentials are set.

Configuration lives in the package's schemathesis.toml; this runner only adds what depends on the target (URL,
credentials, the operations the live spend guard leaves out, a time budget), runs `schemathesis run`, and prints
the per-operation / per-check summary. Reports go to ./reports/ under the current directory. The exit code is
schemathesis' own: non-zero on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import clicksend_mms_spec
from clicksend_mms_spec.distribution import pip_install

from . import config_file, report_html, stats
from .guard import ALLOW_SPEND_ENV, MAX_SENDS_ENV, MODE_ENV
from .plan import LIVE_MAX_EXAMPLES, LIVE_RATE_LIMIT, MAX_TIME_ENV, Plan, plan_from_env
from .runenv import AUTH_KEY_ENV, AUTH_USER_ENV

REPORTS = Path("reports")  # relative to the current directory, as schemathesis.toml's report paths are
# schemathesis reads Basic auth from the config's [auth] section (AUTH_USER_ENV, AUTH_KEY_ENV); passing it through
# the environment (never argv) keeps the key out of `ps` output and out of the "command" schemathesis reports.
EXIT_MISSING_EXTRA = 3  # the CLI's exit code for a configuration error
# What a run imports beyond the client; the [fuzz] extra installs all of it (the sandbox included).
NEEDS = ("schemathesis", "hypothesis", "starlette", "uvicorn", "jsonschema", "yaml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m clicksend_mms_fuzz",
        description=(
            "Contract-fuzz the ClickSend MMS API with schemathesis: a fresh embedded sandbox by default, the live "
            "API when CLICKSEND_USERNAME and CLICKSEND_API_KEY are set (free operations only unless "
            "CLICKSEND_ALLOW_SPEND=1). Reports go to ./reports/."
        ),
    )
    parser.add_argument(
        "--max-time",
        type=int,
        metavar="SECONDS",
        help=f"stop generating cases after this many seconds (default: the config's 52; env {MAX_TIME_ENV})",
    )
    return parser


def plan_for(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Plan:
    """The run's plan: the environment's (plan.py), with --max-time over CLICKSEND_FUZZ_MAX_TIME."""
    args = build_parser().parse_args(argv)
    plan = plan_from_env(environ)
    return plan if args.max_time is None else dataclasses.replace(plan, max_time=args.max_time)


def missing_modules() -> list[str]:
    return [module for module in NEEDS if importlib.util.find_spec(module) is None]


@contextlib.contextmanager
def _target(plan: Plan) -> Iterator[tuple[str, dict[str, str]]]:
    """(URL, what the schemathesis process is told about the targets): see sandboxes.py."""
    # Imported here, not at the top: the sandboxes are the sandbox extra, which a plain install (where --help and
    # the "install [fuzz]" message must still work) does not have.
    from . import sandboxes

    with sandboxes.targets(plan) as target:
        yield target


def _command(plan: Plan, url: str) -> list[str]:
    spec = str(clicksend_mms_spec.path())
    config = str(config_file.path())
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", config, "run", spec, "--url", url]
    if plan.max_time is not None:
        command += ["--max-time", str(plan.max_time)]
    if plan.live:
        command += ["--max-examples", str(LIVE_MAX_EXAMPLES), "--rate-limit", LIVE_RATE_LIMIT]
        for operation_id in plan.policy.excluded_operations:
            command += ["--exclude-operation-id", operation_id]
    return command + plan.schemathesis_arguments()


def _environment(plan: Plan) -> dict[str, str]:
    env = dict(os.environ)
    env[MODE_ENV] = "live" if plan.live else "sandbox"
    env[ALLOW_SPEND_ENV] = "1" if plan.policy.allow_spend else "0"
    env[MAX_SENDS_ENV] = str(plan.policy.max_sends)
    if plan.base_url is not None:  # a target of the user's (live, or their sandbox): their credentials
        env[AUTH_USER_ENV], env[AUTH_KEY_ENV] = plan.username, plan.api_key
    else:
        from .target import SANDBOX_API_KEY, SANDBOX_USERNAME  # the sandbox extra: see _target

        env[AUTH_USER_ENV], env[AUTH_KEY_ENV] = SANDBOX_USERNAME, SANDBOX_API_KEY
    env[stats.STATS_ENV] = str((REPORTS / "fuzz-stats.json").resolve())
    return env


def pace(plan: Plan, data: Mapping[str, Any], elapsed: float) -> str:
    """How much the run did in how long, and what that time includes."""
    cases = sum(data["cases_by_operation"].values())
    follow_ups = sum(data.get("followups_by_operation", {}).values())
    included = f"against {plan.base_url}" if plan.base_url else "the two sandboxes' start-up and shutdown included"
    return (
        f"{cases:,} cases (and {follow_ups:,} follow-ups) in {elapsed:.1f}s wall time: {cases / elapsed:.0f} cases/s, "
        f"{included}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    plan = plan_for(argv)  # first: --help must work without the fuzz extra
    missing = missing_modules()
    if missing:
        print(
            f"fuzzing needs the fuzz extra ({', '.join(missing)} missing): {pip_install('fuzz')}",
            file=sys.stderr,
        )
        return EXIT_MISSING_EXTRA
    print("clicksend-mms fuzz:", plan.describe(), sep="\n", flush=True)
    REPORTS.mkdir(exist_ok=True)
    stats_file = REPORTS / "fuzz-stats.json"
    for stale in (stats_file, REPORTS / "fuzz-failures.har"):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with _target(plan) as (url, target_env):
        print(f"Running schemathesis against {url} (config: {config_file.path()}) ...", flush=True)
        result = subprocess.run(_command(plan, url), env=_environment(plan) | target_env, check=False)
    elapsed = time.monotonic() - started
    if not stats_file.exists():
        print("schemathesis wrote no statistics (it failed before running); see its output above.", file=sys.stderr)
        return result.returncode or 1
    data = stats.load(stats_file)
    print(stats.render(data))
    print(f"HTML report: {report_html.write(REPORTS).resolve()} (open it in a browser)")
    print("\n" + pace(plan, data, elapsed))
    print(f"Reports: {REPORTS.resolve()}/ (fuzz-junit.xml, fuzz-failures.har, fuzz-run.json, fuzz-stats.json)")
    print("Result:", "PASS" if result.returncode == 0 else f"FAIL (exit {result.returncode})")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
