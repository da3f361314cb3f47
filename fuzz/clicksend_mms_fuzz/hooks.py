"""The schemathesis hooks module named in schemathesis.toml (`hooks = "clicksend_mms_fuzz.hooks"`).

Importing it registers, for both `schemathesis run` and the pytest integration:
- the custom formats (ClickSend-looking decimals, unix times and E.164 recipients);
- the spec view the fuzzer generates from (`to` read as E.164, see `_annotate_schema`);
- the live-mode spend guard (a no-op against the sandbox);
- the custom checks in `checks` (history pages disjoint, a cancel is final);
- the statistics handler that feeds the runner's summary (CLI only).
"""

from __future__ import annotations

import json
import time
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure

from . import ast_lock, checks, formats, guard
from .checks import AnyCase
from .formats import format_strategies

ast_lock.install()  # before any worker thread starts: see ast_lock

for _name, _strategy in format_strategies().items():
    schemathesis.openapi.format(_name, _strategy)


def _annotate_schema(raw_schema: dict[str, Any]) -> None:
    """Give `MmsMessageInput.to` the `e164` format so positive sends go to phone-number-looking recipients.

    The spec describes `to` as "E.164 or local format" in prose only (a local number is valid too, so the spec
    cannot say `format: e164`); without a format the generator sends `"0"`, `"\\u00a0"`..., which only ever
    exercises the INVALID_RECIPIENT path. Negative generation is unaffected: an unknown format validates nothing.
    """
    schemas = raw_schema.get("components", {}).get("schemas", {})
    to = schemas.get("MmsMessageInput", {}).get("properties", {}).get("to")
    if isinstance(to, dict):
        to.setdefault("format", "e164")


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    _annotate_schema(raw_schema)


# Phases whose positive sends get realistic schedules; examples and coverage keep their exact (boundary) values.
_SCHEDULE_PHASES = ("fuzzing", "stateful")


def _phase_name(case: AnyCase) -> str:
    phase = getattr(getattr(case.meta, "phase", None), "name", None)
    return str(getattr(phase, "value", phase))


def _is_positive(case: AnyCase) -> bool:
    generation = getattr(case.meta, "generation", None)
    return generation is not None and not generation.mode.is_negative


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: AnyCase, kwargs: dict[str, Any]) -> None:
    if not isinstance(case.body, dict):
        return  # no body (NOT_SET) or a negative non-object one: nothing to schedule or to guard
    operation_id = checks.operation_id(case)
    if operation_id == guard.SEND_OPERATION and _is_positive(case) and _phase_name(case) in _SCHEDULE_PHASES:
        case.body = formats.near_future_schedules(case.body, time.time())
    # On the request actually sent, whatever phase produced it; a no-op unless the runner chose live mode.
    case.body = guard.GUARD.guard_body(operation_id, case.body)


def _is_clicksend_wrong_method(response: schemathesis.Response) -> bool:
    """ClickSend's documented answer to a wrong method: 404 with its NOT_FOUND envelope (API-BRIEF: errors)."""
    if response.status_code != 404:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("http_code") == 404 and body.get("response_code") == "NOT_FOUND"


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: Failure, case: AnyCase, response: schemathesis.Response
) -> bool:
    kind = type(failure).__name__
    # unsupported_method insists on 405; ClickSend (and so the sandbox) answers 404 "Invalid endpoint". Accept
    # exactly that envelope: any other answer to a wrong method (2xx, 5xx, a bare 404 page) still fails.
    if kind == "UnsupportedMethodResponse" and _is_clicksend_wrong_method(response):
        return False
    # schemathesis 4.32.5 can file a case it itself describes as a "Positive test case" (receipts-read without
    # a body, which the spec allows) under negative mode, then reports the 200 as accepted negative data.
    description = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "description", None)
    is_positive = isinstance(description, str) and description.lower().endswith("positive test case")
    return not (kind == "AcceptedNegativeData" and is_positive)


checks.register()

try:  # the statistics handler only exists for the CLI; the pytest integration has no CLI to extend
    from . import stats

    stats.register_cli_handler()
except ImportError:  # pragma: no cover - schemathesis without its CLI extras
    pass
