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
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import clicksend_mms_spec
from clicksend_mms_spec.distribution import pip_install

from . import budget, config_file, report_html, stats
from .guard import ALLOW_SPEND_ENV, MAX_SENDS_ENV, MODE_ENV
from .plan import (
    DEFAULT_CAP,
    EXAMPLES_ENV,
    LIVE_MAX_EXAMPLES,
    LIVE_MAX_TIME,
    MAX_TIME_ENV,
    STRICT_ENV,
    Plan,
    plan_from_env,
    strict_from_env,
)
from .runenv import AUTH_KEY_ENV, AUTH_USER_ENV

REPORTS = Path("reports")  # relative to the current directory, as schemathesis.toml's report paths are
# schemathesis reads Basic auth from the config's [auth] section (AUTH_USER_ENV, AUTH_KEY_ENV); passing it through
# the environment (never argv) keeps the key out of `ps` output and out of the "command" schemathesis reports.
EXIT_MISSING_EXTRA = 3  # the CLI's exit code for a configuration error
LIVE_CAP_GRACE = 15  # live, schemathesis stops itself at --max-time; the runner's cap waits this much longer
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
        help=f"time cap, a guard against a hang (default {DEFAULT_CAP}; env {MAX_TIME_ENV}); a run it cuts short "
        "says so, and fails under --strict",
    )
    parser.add_argument(
        "--examples",
        type=int,
        metavar="N",
        help=f"case budget: examples per operation per phase (default: the config's; env {EXAMPLES_ENV}); the "
        "stateful phase, the operations the config gives more, and the floors scale in proportion",
    )
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"fail when the cap cut the run or a check or matrix row judged less than its floor (default: on when "
        f"{STRICT_ENV}=1, and when CI=true for the designed budget, not a smaller --examples)",
    )
    return parser


def plan_for(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Plan:
    """The run's plan: the environment's (plan.py), with --max-time over CLICKSEND_FUZZ_MAX_TIME."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        plan = plan_from_env(environ)
    except ValueError as exc:  # a malformed CLICKSEND_FUZZ_* setting: a usage error, exit 2
        parser.error(str(exc))
    if args.max_time is not None:
        plan = dataclasses.replace(plan, max_time=args.max_time)
    if args.examples is not None:
        environ_ = os.environ if environ is None else environ
        plan = dataclasses.replace(plan, examples=args.examples, strict=strict_from_env(environ_, args.examples))
    if args.strict is not None:
        plan = dataclasses.replace(plan, strict=args.strict)
    return plan


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


def _config(plan: Plan) -> Path:
    """The schemathesis config for this run: the shipped one, or (`--examples N`) a copy scaled to N in reports/."""
    if plan.examples is None or plan.live:
        return config_file.path()
    return config_file.scaled(plan.examples, REPORTS)


def _command(plan: Plan, url: str, config: Path | None = None) -> list[str]:
    spec = str(clicksend_mms_spec.path())
    config = config or config_file.path()
    # No --max-time: with one, schemathesis repeats fuzzing and stateful until the time is spent, so what a run
    # judges would depend on the machine. The runner's cap (budget.run_capped) guards against a hang instead.
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", spec, "--url", url]
    if plan.live:
        # Live, the pace (plan.live_rate) sets what fits: a time budget, as before (floors are not applied live).
        command += ["--max-time", str(plan.max_time if plan.max_time is not None else LIVE_MAX_TIME)]
        command += ["--max-examples", str(LIVE_MAX_EXAMPLES), "--rate-limit", plan.live_rate]
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


def _boundaries(plan: Plan, url: str, env: Mapping[str, str]) -> list[Any] | None:
    """The boundary probes (boundaries.py) against the embedded sandbox, once schemathesis is done; None otherwise."""
    if plan.base_url is not None:
        return None
    from . import boundaries

    return boundaries.run(url, env[AUTH_USER_ENV], env[AUTH_KEY_ENV])


def pace(plan: Plan, data: Mapping[str, Any], elapsed: float) -> str:
    """How much the run did in how long, and what that time includes."""
    cases = sum(data["cases_by_operation"].values())
    follow_ups = sum(data.get("followups_by_operation", {}).values())
    included = f"against {plan.base_url}" if plan.base_url else "the sandboxes' start-up and shutdown included"
    line = (
        f"{cases:,} cases (and {follow_ups:,} follow-ups) in {elapsed:.1f}s wall time: {cases / elapsed:.1f} cases/s, "
        f"{included}."
    )
    return line + ("\n" + where_the_time_went(data["timing"]) if data.get("timing") else "")


def where_the_time_went(timing: Mapping[str, float]) -> str:
    """The profile of the schemathesis process (timing.py)."""
    process = timing.get("process", 0.0)
    requests = timing.get("case_requests", 0.0)
    follow_ups = timing.get("follow_up_requests", 0.0)
    hooks = timing.get("hooks_before_call", 0.0) + timing.get("hooks_after_call", 0.0)
    # The hooks' own requests (reach, the isolation replay, the receipts snapshot) are in both hooks and follow-ups.
    rest = max(0.0, process - requests - follow_ups - hooks)
    return (
        f"Where the time went (schemathesis process, {process:.1f}s): generated cases' requests {requests:.1f}s, "
        f"follow-up requests {follow_ups:.1f}s, hooks {hooks:.1f}s (their requests counted in both), the rest "
        f"(at least {rest:.1f}s) schemathesis generating cases and running the checks, and its start-up."
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
    print("clicksend-mms fuzz:", plan.describe(), budget.describe(plan), sep="\n", flush=True)
    REPORTS.mkdir(exist_ok=True)
    stats_file = REPORTS / "fuzz-stats.json"
    for stale in (stats_file, REPORTS / "fuzz-failures.har"):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with _target(plan) as (url, target_env):
        config = _config(plan)
        print(f"Running schemathesis against {url} (config: {config}) ...", flush=True)
        command, env = _command(plan, url, config), _environment(plan) | target_env
        returncode, capped = budget.run_capped(command, env, plan.cap, grace=LIVE_CAP_GRACE if plan.live else 0)
        sides = _boundaries(plan, url, env)
    elapsed = time.monotonic() - started
    if not stats_file.exists():
        print("schemathesis wrote no statistics (it failed before running); see its output above.", file=sys.stderr)
        return returncode or 1
    data = budget.annotate(stats_file, plan, capped, elapsed)
    if sides is not None:
        from . import boundaries

        boundaries.fold(data, sides)
        stats_file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if returncode == 0 and not all(s.ok for s in sides):
            returncode = 1
    print(stats.render(data))
    if sides is not None:
        print(boundaries.render(sides))
    shortfalls = budget.shortfalls(plan, data)
    print(budget.render_floors(shortfalls, plan.strict))
    print(f"HTML report: {report_html.write(REPORTS).resolve()} (open it in a browser)")
    print("\n" + pace(plan, data, elapsed))
    print(f"Reports: {REPORTS.resolve()}/ (fuzz-junit.xml, fuzz-failures.har, fuzz-run.json, fuzz-stats.json)")
    if returncode == 0 and shortfalls and plan.strict:
        returncode = budget.EXIT_UNDER_FLOOR
    print("Result:", "PASS" if returncode == 0 else f"FAIL (exit {returncode})")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
