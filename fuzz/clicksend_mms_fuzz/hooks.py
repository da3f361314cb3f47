"""The schemathesis hooks module named in schemathesis.toml (`hooks = "clicksend_mms_fuzz.hooks"`).

Importing it registers, for both `schemathesis run` and the pytest integration:
- the custom formats (ClickSend-looking decimals, unix times, recipients and media URLs);
- the spec view the fuzzer generates from (`to` and `media_file` given those formats, see `_annotate_schema`);
- `before_call`: first contact (baselines, the peer's canary), near-future schedules, known message ids (reach),
  the peer's replay of a cancel, the receipts snapshot before receipts-read, and the live-mode spend guard;
- `after_call`: every answer recorded in the run's model (model.py);
- the custom checks (checks.py lists them) and the statistics handler that feeds the runner's summary (CLI only).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import clicksend_mms_spec
import schemathesis
from schemathesis.core.failures import Failure

from . import (
    ast_lock,
    baseline,
    casedigest,
    checks,
    effects,
    filtered,
    formats,
    guard,
    isolation,
    model,
    reach,
    runenv,
    timing,
)
from .effects import requester
from .formats import format_strategies
from .probes import AnyCase, Api, operation_id

ast_lock.install()  # before any worker thread starts: see ast_lock

for _name, _strategy in format_strategies().items():
    schemathesis.openapi.format(_name, _strategy)


def _annotate_schema(raw_schema: dict[str, Any]) -> None:
    """Give `MmsMessageInput.to` the `recipient` format and `SendMmsRequest.media_file` the `media-url` one.

    The spec describes both in prose only (a local number is a valid `to`, any URL a valid `media_file`: ClickSend
    decides), so it cannot carry a format; without one the generator sends `"0"`, `"\\u00a0"`... and
    `http://0`, which only ever exercise the INVALID_RECIPIENT / INVALID_MEDIA_FILE paths. Negative generation is
    unaffected: an unknown format validates nothing.
    """
    schemas = raw_schema.get("components", {}).get("schemas", {})
    to = schemas.get("MmsMessageInput", {}).get("properties", {}).get("to")
    if isinstance(to, dict):
        to.setdefault("format", formats.RECIPIENT_FORMAT)
    body = schemas.get("MmsMessageInput", {}).get("properties", {}).get("body")
    if isinstance(body, dict):
        body.setdefault("format", formats.BODY_FORMAT)  # lengths at the truncation limits (send_model)
    media = schemas.get("SendMmsRequest", {}).get("properties", {}).get("media_file")
    if isinstance(media, dict):
        media.setdefault("format", formats.MEDIA_URL_FORMAT)


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
    entered = time.monotonic()
    casedigest.record(case, _phase_name(case))  # as generated, before the rewrites below
    _before_call(case)
    timing.add("hooks_before_call", time.monotonic() - entered)
    _sent[case.id] = time.monotonic()


_sent: dict[str, float] = {}  # case id -> when before_call handed it to schemathesis (monotonic)


def _before_call(case: AnyCase) -> None:
    baseline.first_contact(case)
    run = runenv.current()
    operation = operation_id(case)
    api = Api.of(case)
    reach.rewrite(api, run.account, operation, case, _phase_name(case), _is_positive(case))
    if operation == "cancel_mms":
        isolation.replay_cancel_first(api, case)
    elif operation == "mark_mms_receipts_read" and run.account is not None:
        unread = effects.snapshot_receipts(api, case, run.account)
        reach.date_before(case, unread, _phase_name(case), _is_positive(case))
    elif operation == "get_mms_receipts":
        reach.receipts_page(case, _phase_name(case), _is_positive(case))
    elif operation == "get_mms_history":
        reach.history_query(api, run.account, case, _phase_name(case), _is_positive(case))
    if isinstance(case.body, dict):
        if operation == guard.SEND_OPERATION and _is_positive(case) and _phase_name(case) in _SCHEDULE_PHASES:
            case.body = formats.future_schedules(case.body, api.model.now())
        # On the request actually sent, whatever phase produced it; a no-op unless the runner chose live mode.
        case.body = guard.GUARD.guard_body(operation, case.body)
    api.model.started[case.id] = time.time()


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: AnyCase, response: schemathesis.Response) -> None:
    sent = _sent.pop(case.id, None)
    if sent is not None:
        timing.add("case_requests", time.monotonic() - sent)
    entered = time.monotonic()
    state = model.of(case)
    started = state.started.get(case.id, time.time())
    state.observe(requester(response), operation_id(case), case, response, started, time.time())
    timing.add("hooks_after_call", time.monotonic() - entered)


def _is_clicksend_wrong_method(response: schemathesis.Response) -> bool:
    """ClickSend's documented answer to a wrong method: 404 with its NOT_FOUND envelope (the spec's NotFound)."""
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
    """False drops the failure; filtered.py holds each rule's reason and records what it dropped."""
    kind = type(failure).__name__
    if kind == filtered.WRONG_METHOD_404.failure and _is_clicksend_wrong_method(response):
        return filtered.drop(filtered.WRONG_METHOD_404, case, response)
    description = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "description", None)
    is_positive = isinstance(description, str) and description.lower().endswith("positive test case")
    if kind == filtered.POSITIVE_FILED_AS_NEGATIVE.failure and is_positive:
        return filtered.drop(filtered.POSITIVE_FILED_AS_NEGATIVE, case, response)
    if kind == filtered.BLANK_OPTIONAL_BODY.failure and _blank_optional_body(case, response):
        return filtered.drop(filtered.BLANK_OPTIONAL_BODY, case, response)
    return True


@functools.cache
def _undeclared() -> dict[str, Any]:
    undeclared: dict[str, Any] = clicksend_mms_spec.load().get("x-clicksend-undeclared", {})
    return undeclared


def _blank_optional_body(case: AnyCase, response: schemathesis.Response) -> bool:
    """The request's whole body was whitespace, its operation's body is optional, and the spec says such a body is
    read as none."""
    if _undeclared().get("blank_optional_body") != "absent":
        return False
    if case.operation.definition.raw.get("requestBody", {}).get("required", False):
        return False
    sent = getattr(response.request, "body", None)
    if isinstance(sent, str):
        sent = sent.encode()
    return isinstance(sent, bytes) and bool(sent) and not sent.strip()


checks.register()

try:  # the statistics handler only exists for the CLI; the pytest integration has no CLI to extend
    from . import stats

    stats.register_cli_handler()
except ImportError:  # pragma: no cover - schemathesis without its CLI extras
    pass
