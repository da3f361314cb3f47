"""The sandbox's own routes under /_sandbox/ (not ClickSend's API): the clock, queued faults, accounts and balances,
resets, and the export and file links the API hands out. Never rate limited.

Who may call what: an account's own state (its balance, faults, data) with Basic auth as that account; the whole
sandbox's (reset all, add accounts, move the shared clock) as admission.py says; the links with nothing, their
unguessable names being their credentials (like ClickSend's pre-signed URLs)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from . import envelope
from .accounts import Account, account_problems
from .admission import admin_refusal
from .faults import FaultError
from .pipeline import BodyTimeout, account_or_refusal, parse_json, read_body
from .rules import EXPORTS_PATH, FILES_PATH, BadRequest, NotFound
from .state import SandboxState

log = logging.getLogger("clicksend_mms_sandbox")
MAX_CONTROL_BODY = 64 * 1024


@dataclass
class ControlCall:
    request: Request
    state: SandboxState
    account: Account
    body: dict[str, Any]


@dataclass
class AdminCall:
    """A whole-sandbox operation's request, once its caller may run one."""

    request: Request
    state: SandboxState
    body: dict[str, Any]


ControlHandler = Callable[[ControlCall], Awaitable[Response]]
AdminHandler = Callable[[AdminCall], Awaitable[Response]]


async def _read_fields(request: Request, fields: frozenset[str] | None) -> dict[str, Any] | Response:
    """The JSON object holding only `fields` (an empty body: {}); nothing is read without `fields`."""
    if fields is None:
        return {}
    raw = await read_body(request, MAX_CONTROL_BODY)
    if raw is None:
        return envelope.payload_too_large()
    try:
        parsed = parse_json(raw) if raw.strip() else {}
    except ValueError as exc:  # UnicodeDecodeError and JSON's own errors are ValueErrors
        return envelope.bad_request({"body": f"Malformed JSON: {str(exc)[:200]}"})
    if not isinstance(parsed, dict):
        return envelope.bad_request({"body": "Expected a JSON object."})
    unknown = sorted(set(parsed) - fields)
    if unknown:
        return envelope.bad_request({name: "This field is not allowed." for name in unknown})
    return parsed


def _guarded(run: Callable[[Request, SandboxState], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Rule errors as 400s, and never a traceback on the wire."""

    async def endpoint(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        try:
            return await run(request, state)
        except BadRequest as exc:
            return envelope.bad_request(exc.fields)
        except ClientDisconnect:
            return Response(status_code=499)  # nobody is listening; nothing to log
        except BodyTimeout:
            return envelope.request_timeout("body")
        except Exception:
            log.exception("unexpected error in a control endpoint")
            return envelope.internal_error()

    return endpoint


def control(
    handler: ControlHandler, *, fields: frozenset[str] | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint acting on the calling account only (Basic auth as any account); with `fields`, it reads a JSON
    object holding only those."""

    async def run(request: Request, state: SandboxState) -> Response:
        account = account_or_refusal(state, request)
        if isinstance(account, Response):
            return account
        body = await _read_fields(request, fields)
        if isinstance(body, Response):
            return body
        return await handler(ControlCall(request, state, account, body))

    return _guarded(run)


def admin(handler: AdminHandler, *, fields: frozenset[str] | None = None) -> Callable[[Request], Awaitable[Response]]:
    """A whole-sandbox endpoint (every account's state, the shared clock): admission.py decides who may call it."""

    async def run(request: Request, state: SandboxState) -> Response:
        refusal = admin_refusal(state, request)
        if refusal is not None:
            return refusal
        body = await _read_fields(request, fields)
        if isinstance(body, Response):
            return body
        return await handler(AdminCall(request, state, body))

    return _guarded(run)


def _amount(body: dict[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if value is None:
        raise BadRequest({name: "This field is required."})
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest({name: 'An amount of money: a number or a decimal string ("250.00").'})
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRequest({name: 'An amount of money: a number or a decimal string ("250.00").'}) from None


def _opt_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest({name: f"{value!r} is not an integer."})
    return value


# ---- clock ----


async def advance_clock(call: AdminCall) -> Response:
    seconds = call.body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10 * 365 * 86400:
        return envelope.bad_request({"seconds": "A number of seconds, 0 or more."})
    now = await call.state.clock.advance_kept(float(seconds))
    return envelope.success("Clock advanced.", {"now": int(now), "offset": call.state.clock.offset})


async def show_clock(call: ControlCall) -> Response:
    clock = call.state.clock
    return envelope.success("Sandbox clock.", {"now": int(clock.now()), "offset": clock.offset})


# ---- faults ----

FAULT_FIELDS = frozenset({"method", "path", "status", "retry_after", "times", "after_commit", "delay", "drop"})


async def add_fault(call: ControlCall) -> Response:
    body = call.body
    try:
        queued = call.state.faults.add(
            call.account.username,
            method=str(body.get("method", "*")),
            path=str(body.get("path", "*")),
            status=_opt_int(body.get("status"), "status"),
            retry_after=_opt_int(body.get("retry_after"), "retry_after"),
            times=_opt_int(body.get("times", 1), "times") or 0,
            after_commit=bool(body.get("after_commit", False)),
            delay=float(body.get("delay", 0)),
            drop=bool(body.get("drop", False)),
        )
    except BadRequest as exc:
        return envelope.bad_request({"fault": next(iter(exc.fields.values()))})
    except (FaultError, TypeError, ValueError) as exc:
        return envelope.bad_request({"fault": str(exc)})
    return envelope.success("Fault queued.", queued.describe())


async def list_faults(call: ControlCall) -> Response:
    return envelope.success("Queued faults.", call.state.faults.pending(call.account.username))


async def clear_faults(call: ControlCall) -> Response:
    count = call.state.faults.clear(call.account.username)
    return envelope.success(f"{count} faults cleared.", {"count": count})


# ---- accounts and balances ----


async def show_account(call: ControlCall) -> Response:
    return envelope.success("Sandbox account.", await call.state.rules.account_view(call.account))


async def set_balance(call: ControlCall) -> Response:
    data = await call.state.rules.set_balance(call.account, _amount(call.body, "balance"))
    return envelope.success("Balance set.", data)


async def top_up(call: ControlCall) -> Response:
    data = await call.state.rules.top_up(call.account, _amount(call.body, "amount"))
    return envelope.success("Balance topped up.", data)


async def reset_balance(call: ControlCall) -> Response:
    return envelope.success("Balance reset.", await call.state.rules.reset_balance(call.account))


async def add_account(call: AdminCall) -> Response:
    body = call.body
    username, api_key, rate_limit = body.get("username"), body.get("api_key"), body.get("rate_limit")
    problems = account_problems(username, api_key, rate_limit)
    if problems:
        return envelope.bad_request({name: f"{text[0].upper()}{text[1:]}." for name, text in problems.items()})
    assert isinstance(username, str) and isinstance(api_key, str)
    assert rate_limit is None or isinstance(rate_limit, int)
    balance = _amount(body, "balance") if "balance" in body else None
    data = await call.state.rules.add_account(username, api_key, balance, rate_limit)
    return envelope.success("Account added.", data)


async def reset_account(call: ControlCall) -> Response:
    """The calling account back to how it started: no messages, receipts, exports, uploads or queued faults, its
    rate-limit window empty, its opening balance. Other accounts and the shared clock are untouched."""
    state, username = call.state, call.account.username
    data = await state.rules.reset_account(call.account)
    state.faults.clear(username)
    state.rate_limiter.reset(username)
    return envelope.success("Account reset.", data)


async def reset_all(call: AdminCall) -> Response:
    """Every account back to its opening balance, added accounts gone, no messages, exports, uploads or queued
    faults, rate-limit windows empty, the clock back to real time."""
    state = call.state
    await state.rules.reset()
    state.faults.clear()
    state.rate_limiter.reset()
    state.clock.reset()
    return envelope.success("Sandbox reset.", None)


# ---- the links the API hands out ----


async def download_export(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    try:
        filename, chunks = await state.rules.export_file(request.path_params["token"], state.clock.now())
    except NotFound as exc:
        return envelope.not_found(str(exc))
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def download_upload(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    try:
        upload = await state.rules.uploaded_file(request.path_params["file_name"], state.clock.now())
    except NotFound as exc:
        return envelope.not_found(str(exc))
    return Response(upload.content, media_type=upload.content_type)


def routes() -> list[Route]:
    amount = frozenset({"amount"})
    return [
        Route("/_sandbox/clock/advance", admin(advance_clock, fields=frozenset({"seconds"})), methods=["POST"]),
        Route("/_sandbox/clock", control(show_clock), methods=["GET"]),
        Route("/_sandbox/faults", control(add_fault, fields=FAULT_FIELDS), methods=["POST"]),
        Route("/_sandbox/faults", control(list_faults), methods=["GET"]),
        Route("/_sandbox/faults", control(clear_faults), methods=["DELETE"]),
        Route("/_sandbox/account", control(show_account), methods=["GET"]),
        Route("/_sandbox/account/balance", control(set_balance, fields=frozenset({"balance"})), methods=["PUT"]),
        Route("/_sandbox/account/balance/top-up", control(top_up, fields=amount), methods=["POST"]),
        Route("/_sandbox/account/balance/reset", control(reset_balance), methods=["POST"]),
        Route("/_sandbox/account/reset", control(reset_account), methods=["POST"]),
        Route(
            "/_sandbox/accounts",
            admin(add_account, fields=frozenset({"username", "api_key", "balance", "rate_limit"})),
            methods=["POST"],
        ),
        Route("/_sandbox/reset", admin(reset_all), methods=["POST"]),
        Route(EXPORTS_PATH + "/{token}", download_export, methods=["GET"]),
        Route(FILES_PATH + "/{file_name}", download_upload, methods=["GET"]),
    ]
