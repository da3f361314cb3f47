"""`python -m clicksend_mms_fuzz` (`make fuzz`): contract-fuzz the sandbox, or the live API when credentials are set.

Configuration lives in schemathesis.toml; this runner only adds what depends on the target (URL, credentials,
the operations the live spend guard leaves out), runs `schemathesis run`, and prints the per-operation /
per-check summary. The exit code is schemathesis' own: non-zero on any failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from . import stats
from .guard import ALLOW_SPEND_ENV, MAX_SENDS_ENV, MODE_ENV
from .plan import LIVE_MAX_EXAMPLES, LIVE_RATE_LIMIT, REPORTS_ENV, Plan, plan_from_env
from .runenv import AUTH_KEY_ENV, AUTH_USER_ENV
from .sandboxes import targets
from .target import SANDBOX_API_KEY, SANDBOX_USERNAME

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "clicksend-mms.yaml"
CONFIG = ROOT / "schemathesis.toml"
REPORTS = Path(os.environ.get(REPORTS_ENV) or ROOT / "reports")
# schemathesis reads Basic auth from the config's [auth] section (AUTH_USER_ENV / AUTH_KEY_ENV); passing it through
# the environment (never argv) keeps the key out of `ps` output and out of the "command" schemathesis reports.


def _command(plan: Plan, url: str) -> list[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", str(SPEC), "--url", url]
    if plan.max_time is not None:
        command += ["--max-time", str(plan.max_time)]
    if plan.live:
        command += ["--max-examples", str(LIVE_MAX_EXAMPLES), "--rate-limit", LIVE_RATE_LIMIT]
        for operation_id in plan.policy.excluded_operations:
            command += ["--exclude-operation-id", operation_id]
    return command + plan.schemathesis_arguments()


def _environment(plan: Plan) -> dict[str, str]:
    env = dict(os.environ)
    # The hooks module lives in fuzz/; until the wheel ships it, make it importable for the subprocess.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "fuzz"), env.get("PYTHONPATH", "")) if p)
    env[MODE_ENV] = "live" if plan.live else "sandbox"
    env[ALLOW_SPEND_ENV] = "1" if plan.policy.allow_spend else "0"
    env[MAX_SENDS_ENV] = str(plan.policy.max_sends)
    env[AUTH_USER_ENV] = plan.username if plan.live else SANDBOX_USERNAME
    env[AUTH_KEY_ENV] = plan.api_key if plan.live else SANDBOX_API_KEY
    env[stats.STATS_ENV] = str(REPORTS / "fuzz-stats.json")
    return env


def main() -> int:
    plan = plan_from_env()
    print("clicksend-mms fuzz:", plan.describe(), sep="\n", flush=True)
    REPORTS.mkdir(exist_ok=True)
    stats_file = REPORTS / "fuzz-stats.json"
    for stale in (stats_file, REPORTS / "fuzz-failures.har"):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with targets(plan) as (url, target_env):
        print(f"Running schemathesis against {url} (config: {CONFIG.name}) ...", flush=True)
        env = _environment(plan) | target_env
        result = subprocess.run(_command(plan, url), env=env, cwd=ROOT, check=False)
    elapsed = time.monotonic() - started
    if not stats_file.exists():
        print("schemathesis wrote no statistics (it failed before running); see its output above.", file=sys.stderr)
        return result.returncode or 1
    data = stats.load(stats_file)
    print(stats.render(data))
    total = sum(data["cases_by_operation"].values())
    print(f"\n{total} cases in {elapsed:.1f}s wall time ({total / elapsed:.0f} cases/s, sandbox start-up included).")
    print(f"Reports: {REPORTS}/ (fuzz-junit.xml, fuzz-failures.har, fuzz-run.json, fuzz-stats.json)")
    print("Result:", "PASS" if result.returncode == 0 else f"FAIL (exit {result.returncode})")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
