"""The run's strength is its case budget, not the clock: run schemathesis under a time cap, record what the cap
and the floors say about the run in its statistics, and judge it against floors.py.

The budget is schemathesis.toml's `seed` and `max-examples` (or `--examples N`): without `--max-time`,
schemathesis runs each phase once with that many examples per operation, drawn from the seed, so the same seed
generates the same cases on any machine. The cap only protects against a hang: when it fires, schemathesis is
interrupted (SIGINT: it still finishes its reports), and the run says the budget was cut.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import config_file, floors
from .floors import Shortfall
from .plan import Plan

EXIT_UNDER_FLOOR = 4  # --strict, schemathesis passed, but the run judged less than designed (or the cap cut it)


def describe(plan: Plan) -> str:
    seed = config_file.settings().get("seed")
    examples = plan.examples or config_file.default_examples()
    if plan.live:
        return (
            f"Budget: seed {seed}, at most {plan.cap}s at the pace above. Model: only what this run creates is "
            "predicted (the account's other messages, totals and balance are not), so floors are not applied live."
        )
    return (
        f"Budget: seed {seed}, {examples} examples per operation per phase{_proportion(plan)} (same seed: the "
        "same cases in every phase; the sandboxes get the seed too, and their lifecycle is instant, so no answer "
        "depends on the machine's speed); time cap "
        f"{plan.cap}s, only a guard against a hang. Strict: {'on' if plan.strict else 'off'} (floors per check "
        "and per coverage-matrix row)."
    )


def _proportion(plan: Plan) -> str:
    if plan.examples is None:
        return ""
    return " (the stateful phase's scenarios and the operations the config gives more scaled in proportion)"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_capped(command: Sequence[str], env: Mapping[str, str], cap: int, grace: int = 0) -> tuple[int, bool]:
    """(exit code, whether the cap fired). At `cap` + `grace` seconds schemathesis gets SIGINT (it finishes its
    reports), and a kill 30 s later if it still runs. (`grace`: live, schemathesis has the cap as --max-time.)"""
    # SIGINT restored to its default in the child: a run started in the background (nohup, `&` without job
    # control) inherits it ignored, and the cap would then only end in a kill, with no reports.
    process = subprocess.Popen(list(command), env=dict(env), preexec_fn=_default_sigint)
    fired = threading.Event()

    def interrupt() -> None:
        if process.poll() is None:
            fired.set()
            process.send_signal(signal.SIGINT)

    timer = threading.Timer(cap + grace, interrupt)
    timer.daemon = True
    timer.start()
    try:
        try:
            returncode = process.wait(timeout=cap + grace + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
    finally:
        timer.cancel()
    return returncode, fired.is_set()


def annotate(stats_file: Path, plan: Plan, capped: bool, elapsed: float) -> dict[str, Any]:
    """Add the budget, the cap and the enabled checks to the run's statistics (the summary and report read them)."""
    data: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    data["budget"] = {
        "seed": config_file.settings().get("seed"),
        "examples": plan.examples or config_file.default_examples(),
        "default_examples": config_file.default_examples(),
        "cap_seconds": plan.cap,
        "capped": capped,
        "wall_seconds": round(elapsed, 1),
        "strict": plan.strict,
        "live": plan.live,
    }
    data["capped"], data["cap_seconds"] = capped, plan.cap
    data["checks_enabled"] = [c for c in config_file.enabled_checks() if c not in plan.policy.excluded_checks]
    if not plan.live:
        data["check_floors"] = {
            c: floors.check_floor(c, plan.examples, config_file.default_examples()) for c in data["checks_enabled"]
        }
        data["row_floor"] = floors.scale(floors.ROW_FLOOR, plan.examples, config_file.default_examples())
        data["matrix_rows"] = matrix_size()
        data["floored_rows"] = sorted(row_oracles())
    data["floors"] = [vars(s) for s in shortfalls(plan, data)]
    stats_file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def row_oracles() -> dict[str, str]:
    import clicksend_mms_spec

    from . import matrix

    return {
        row.key: c.oracle for row, c in matrix.matrix(clicksend_mms_spec.load()) if matrix.floored(c) and c and c.oracle
    }


def matrix_size() -> dict[str, int]:
    import clicksend_mms_spec

    from . import matrix

    rows = matrix.matrix(clicksend_mms_spec.load())
    return {
        "rows": len(rows),
        "floored": sum(1 for _, claim in rows if matrix.floored(claim)),
        "schema_or_reason": sum(1 for _, claim in rows if not matrix.floored(claim)),
    }


def shortfalls(plan: Plan, data: Mapping[str, Any]) -> list[Shortfall]:
    if plan.live:
        return [Shortfall("cap", str(plan.cap), 0, 0)] if data.get("capped") else []
    return floors.shortfalls(
        data,
        row_oracles(),
        examples=plan.examples,
        default_examples=config_file.default_examples(),
        excluded_checks=plan.policy.excluded_checks,
    )


def render_floors(found: list[Shortfall], strict: bool) -> str:
    return floors.render(found, strict)
