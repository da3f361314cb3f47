"""The ASGI app: routes for the 9 MMS operations and the upload, the request pipeline (auth, rate limit,
faults, validation against the spec) and the sandbox control endpoints under /_sandbox/."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import docs, envelope, rules
from .auth import authenticate
from .clock import Clock
from .faults import Fault, FaultError, FaultQueue, RateLimiter, parse_fault_header
from .settings import Account, Settings
from .spec import Contract, OperationContract, field_errors, load_spec
from .store import Store

log = logging.getLogger("clicksend_mms_sandbox")


class DroppedConnection(Exception):
    """Raised out of the app when a fault drops the connection and no server socket could be aborted
    (in-process use); the sandbox's httpx transports turn it into httpx.RemoteProtocolError."""


@dataclass
class SandboxState:
    """What `app.state.sandbox` exposes to in-process tests."""

    settings: Settings
    store: Store
    clock: Clock
    faults: FaultQueue
    rate_limiter: RateLimiter
    contract: Contract
    records: rules.RecordCache = field(default_factory=rules.RecordCache)

    def advance(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def balance(self, username: str) -> str:
        return rules.money(self.store.balance(username))


@dataclass
class Call:
    """One validated API request, as a handler sees it."""

    request: Request
    state: SandboxState
    account: Account
    params: dict[str, Any]
    body: Any
    now: float

    @property
    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")


Handler = Callable[[Call], Awaitable[Response]]
P = ParamSpec("P")
R = TypeVar("R")

# Reads that may scan (a filtered count over a big table, another order, a deep page, receipts, an export) run in a
# worker thread: SQLite releases the GIL while it steps, and no other connection stalls. The default history view
# (an index range of one page, a kept count) is cheaper than the thread hop and is read on the event loop.
# Writes go to the store's writer thread (group commit).
INDEXED_ORDER = frozenset({"date_added", "date"})  # served by the messages_history index
INLINE_MAX_OFFSET = 1000


async def _read(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    return await run_in_threadpool(fn, *args, **kwargs)


class SandboxApp(Starlette):
    """Starlette, plus a way for a `drop` fault to reach the server's transport and abort it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # uvicorn passes its request cycle's bound `send`; its transport is how a connection is dropped unanswered.
        scope["sandbox.cycle"] = getattr(send, "__self__", None)

        async def gated_send(message: Message) -> None:
            if not scope.get("sandbox.dropped"):
                await send(message)

        try:
            await super().__call__(scope, receive, gated_send)
        except DroppedConnection:
            if not scope.get("sandbox.aborted"):
                raise  # in-process: let the client transport see it


# ---- the request pipeline ----


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it exceeds the limit (checked on Content-Length and while streaming)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_params(op: OperationContract, request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for param in op.parameters:
        source = request.path_params if param.location == "path" else request.query_params
        raw = source.get(param.name)
        if raw is None:
            if param.required:
                errors[param.name] = "This field is required."
            continue
        value: Any = raw
        if param.is_integer:
            text = str(raw).strip()
            if not (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
                errors[param.name] = "Must be an integer."
                continue
            value = int(text)
        problems = field_errors(param.validator, value, prefix=param.name)
        if problems:
            errors[param.name] = next(iter(problems.values()))
        else:
            params[param.name] = value
    return params, errors


def _parse_body(op: OperationContract, raw: bytes) -> tuple[Any, dict[str, str] | None]:
    if op.body_validator is None:
        return None, None  # operations without a documented body ignore whatever was sent
    if not raw.strip():
        return None, ({"body": "A JSON body is required."} if op.body_required else None)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, {"body": f"Malformed JSON: {str(exc)[:200]}"}
    problems = field_errors(op.body_validator, body)
    return body, (problems or None)


async def _fault_response(request: Request, fault: Fault, limit: int) -> Response:
    if fault.drop:
        cycle = request.scope.get("sandbox.cycle")
        transport = getattr(cycle, "transport", None)
        request.scope["sandbox.dropped"] = True
        if transport is not None and hasattr(transport, "abort"):
            transport.abort()  # close the socket with nothing written
            if cycle is not None and hasattr(cycle, "disconnected"):
                cycle.disconnected = True  # uvicorn then sends no "500 Internal Server Error" of its own
            request.scope["sandbox.aborted"] = True
        raise DroppedConnection
    if fault.status == 429:
        return envelope.too_many_requests(fault.retry_after if fault.retry_after is not None else 1, limit)
    if fault.status == 503:
        return envelope.service_unavailable(fault.retry_after)
    return envelope.internal_error(fault.retry_after)


def _url_path(request: Request) -> str:
    # request.url.path, without building the whole URL (host parsing and all) on every request.
    return str(request.scope["path"]).replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


async def _pipeline(state: SandboxState, op: OperationContract, handler: Handler, request: Request) -> Response:
    auth = authenticate(state.settings, request.headers.get("authorization"))
    if auth.failure == "forbidden":
        return envelope.forbidden()
    if auth.account is None:
        return envelope.unauthorized()
    account = auth.account
    rate_headers: dict[str, str] = {}
    if state.rate_limiter.limit > 0:
        decision = state.rate_limiter.hit(account.username, state.clock.now())
        if not decision.allowed:
            return envelope.too_many_requests(decision.reset, decision.limit)
        rate_headers = {"x-ratelimit-limit": str(decision.limit), "x-ratelimit-remaining": str(decision.remaining)}

    header = request.headers.get("x-sandbox-fault")
    try:
        fault = parse_fault_header(header) if header else None
    except FaultError as exc:
        return envelope.bad_request({"X-Sandbox-Fault": str(exc)})
    if fault is None:
        fault = state.faults.take(account.username, request.method, _url_path(request))
    # The body is read before any delay: a slow answer must still process what the client sent, even if the
    # client has given up waiting by then (the "did my send go through?" case).
    # Operations without a documented body never read one (and so never answer 413, which they do not declare).
    raw = await _read_body(request, state.settings.max_body_bytes) if op.body_validator is not None else b""
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    if fault is not None and fault.fails and not fault.after_commit:
        return await _fault_response(request, fault, state.rate_limiter.limit)

    response = await _process(state, op, handler, request, account, raw)
    if fault is not None and fault.fails and fault.after_commit:
        return await _fault_response(request, fault, state.rate_limiter.limit)
    response.headers.update(rate_headers)
    return response


async def _process(
    state: SandboxState, op: OperationContract, handler: Handler, request: Request, account: Account, raw: bytes | None
) -> Response:
    if raw is None:
        return envelope.payload_too_large()
    params, errors = _parse_params(op, request)
    body, body_errors = _parse_body(op, raw)
    errors.update(body_errors or {})
    if errors:
        return envelope.bad_request(errors)
    return await handler(Call(request, state, account, params, body, state.clock.now()))


def _api_route(contract: Contract, operation_id: str, handler: Handler) -> Route:
    op = contract.operations[operation_id]

    async def endpoint(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        try:
            return await _pipeline(state, op, handler, request)
        except DroppedConnection:
            raise
        except ClientDisconnect:
            return Response(status_code=499)  # nobody is listening; nothing to log
        except Exception:
            # Never a traceback on the wire: the client gets ClickSend's 500 envelope, the log gets the rest.
            log.exception("unexpected error in %s", operation_id)
            return envelope.internal_error()

    return Route(op.path, endpoint, methods=[op.method.upper()], name=operation_id)


# ---- MMS handlers ----


def _normalise_ints(body: dict[str, Any]) -> dict[str, Any]:
    # JSON Schema's "integer" accepts 5.0; the rules want real ints.
    for message in body.get("messages", []):
        for key in ("schedule", "list_id"):
            if isinstance(message.get(key), float):
                message[key] = int(message[key])
    return body


async def send_mms(call: Call) -> Response:
    # Answered only once the group commit holding this send has returned: a 200 is durable.
    job = rules.send_job(_normalise_ints(call.body), call.account, call.now, call.state.settings)
    outcome = await call.state.store.write(job)
    return envelope.success("Messages queued for delivery.", outcome.data)


async def price_mms(call: Call) -> Response:
    balance = await _read(call.state.store.balance, call.account.username)
    outcome = rules.evaluate_send(_normalise_ints(call.body), call.account, balance, call.now, call.state.settings)
    return envelope.success("Messages queued for delivery.", outcome.data)


async def get_mms_history(call: Call) -> Response:
    p = call.params
    query, errors = rules.parse_query(p.get("q"), p.get("order_by"), p.get("date_from"), p.get("date_to"))
    if errors:
        return envelope.bad_request(errors)
    current, per_page = p.get("page", 1), p.get("limit", 15)
    state, offset = call.state, (current - 1) * per_page
    args = (call.account.username, call.now, query, per_page, offset, state.records.get)
    # The default view (newest first, no filter, a shallow page) costs an index range of one page: read it here.
    # Anything else may scan the account's messages: in a worker thread, so it stalls no other connection.
    cheap = query.unfiltered and query.order_field in INDEXED_ORDER and offset <= INLINE_MAX_OFFSET
    total, items = state.store.history(*args) if cheap else await _read(state.store.history, *args)
    data = rules.history_page(items, state.records, total, current, per_page)
    return envelope.success("Here is your history.", data)


async def export_mms_history(call: Call) -> Response:
    token = secrets.token_urlsafe(32)  # the link's only credential, like a pre-signed S3 URL
    filename = rules.sanitise_filename(call.params["filename"])
    expires_at = call.now + call.state.settings.export_ttl
    await call.state.store.write(call.state.store.add_export_job(token, call.account.username, filename, expires_at))
    url = f"{call.base_url}/_sandbox/exports/{token}?filename={quote(filename)}"
    return envelope.success("Download your file here.", {"url": url})


async def get_mms_receipts(call: Call) -> Response:
    current, per_page = call.params.get("page", 1), call.params.get("limit", 15)
    store = call.state.store
    total, rows = await _read(store.receipts, call.account.username, call.now, per_page, (current - 1) * per_page)
    data = rules.page([rules.receipt(r) for r in rows], total, current, per_page)
    return envelope.success("Here are your delivery receipts.", data)


async def get_mms_receipt(call: Call) -> Response:
    row = await _read(call.state.store.message, call.account.username, call.params["message_id"], call.now)
    if row is None:  # unknown, or another account's: indistinguishable on purpose
        return envelope.not_found("Message not found.")
    return envelope.success("Here is your receipt.", rules.record(row, price_decimals=6))


async def mark_mms_receipts_read(call: Call) -> Response:
    before = call.body.get("date_before") if isinstance(call.body, dict) else None
    store = call.state.store
    await store.write(store.mark_read_job(call.account.username, call.now, int(before) if before is not None else None))
    return envelope.success("Receipts have been marked as read.", None)


async def cancel_mms(call: Call) -> Response:
    store = call.state.store
    if await store.write(store.cancel_job(call.account.username, call.now, call.params["message_id"])) == 0:
        return envelope.not_found("Scheduled MMS not found.")
    return envelope.success("MMS has been cancelled.", None)


async def cancel_all_mms(call: Call) -> Response:
    count = await call.state.store.write(call.state.store.cancel_job(call.account.username, call.now, None))
    return envelope.success(f"{count} MMS have been cancelled.", {"count": count})


async def upload_media(call: Call) -> Response:
    try:
        content = base64.b64decode(call.body["content"], validate=True)
    except (binascii.Error, ValueError):
        return envelope.bad_request({"content": "Not valid base64."})
    kind = rules.media_kind(content)
    if kind is None:
        return envelope.bad_request({"content": "Unsupported file: upload a jpeg, png, gif or bmp image."})
    extension, content_type = kind
    upload_id = str(uuid.uuid4()).upper()
    file_name = f"{upload_id}.{extension}"
    date_added = int(call.now)
    data = {
        "_url": f"{call.base_url}/_sandbox/files/{file_name}",
        "date_added": date_added,
        "date_delete": date_added + call.state.settings.upload_ttl,
        "file_name": file_name,
        "upload_id": upload_id,
        "user_id": call.account.user_id,
    }
    upload = call.state.store.add_upload_job(
        {
            "upload_id": upload_id,
            "username": call.account.username,
            "user_id": call.account.user_id,
            "file_name": file_name,
            "content_type": content_type,
            "content": content,
            "date_added": date_added,
            "date_delete": data["date_delete"],
        }
    )
    await call.state.store.write(upload)
    return envelope.success("Here is your file.", data)


HANDLERS: dict[str, Handler] = {
    "send_mms": send_mms,
    "price_mms": price_mms,
    "get_mms_history": get_mms_history,
    "export_mms_history": export_mms_history,
    "get_mms_receipts": get_mms_receipts,
    "get_mms_receipt": get_mms_receipt,
    "mark_mms_receipts_read": mark_mms_receipts_read,
    "cancel_mms": cancel_mms,
    "cancel_all_mms": cancel_all_mms,
    "upload_media": upload_media,
}


# ---- control endpoints and links (not ClickSend's API) ----

ControlHandler = Callable[[Request, SandboxState, Account, Any], Awaitable[Response]]


def _control(handler: ControlHandler, with_body: bool = False) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        try:
            auth = authenticate(state.settings, request.headers.get("authorization"))
            if auth.failure == "forbidden":
                return envelope.forbidden()
            if auth.account is None:
                return envelope.unauthorized()
            body: Any = None
            if with_body:
                raw = await _read_body(request, 64 * 1024)
                if raw is None:
                    return envelope.payload_too_large()
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    return envelope.bad_request({"body": "Malformed JSON."})
                if not isinstance(body, dict):
                    return envelope.bad_request({"body": "Expected a JSON object."})
            return await handler(request, state, auth.account, body)
        except Exception:
            log.exception("unexpected error in a control endpoint")
            return envelope.internal_error()

    return endpoint


async def _advance_clock(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10 * 365 * 86400:
        return envelope.bad_request({"seconds": "A number of seconds, 0 or more."})
    now = state.clock.advance(float(seconds))
    return envelope.success("Clock advanced.", {"now": int(now), "offset": state.clock.offset})


async def _show_clock(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    return envelope.success("Sandbox clock.", {"now": int(state.clock.now()), "offset": state.clock.offset})


async def _add_fault(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    allowed = {"method", "path", "status", "retry_after", "times", "after_commit", "delay", "drop"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        return envelope.bad_request({name: "This field is not allowed." for name in unknown})
    try:
        queued = state.faults.add(
            account.username,
            method=str(body.get("method", "*")),
            path=str(body.get("path", "*")),
            status=_opt_int(body.get("status")),
            retry_after=_opt_int(body.get("retry_after")),
            times=_opt_int(body.get("times", 1)) or 0,
            after_commit=bool(body.get("after_commit", False)),
            delay=float(body.get("delay", 0)),
            drop=bool(body.get("drop", False)),
        )
    except (FaultError, TypeError, ValueError) as exc:
        return envelope.bad_request({"fault": str(exc)})
    return envelope.success("Fault queued.", queued.describe())


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError(f"{value!r} is not an integer")
    return value


async def _list_faults(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    return envelope.success("Queued faults.", state.faults.pending(account.username))


async def _clear_faults(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    count = state.faults.clear(account.username)
    return envelope.success(f"{count} faults cleared.", {"count": count})


async def _show_account(request: Request, state: SandboxState, account: Account, body: Any) -> Response:
    data = {
        "username": account.username,
        "user_id": account.user_id,
        "balance": await _read(state.balance, account.username),
    }
    return envelope.success("Sandbox account.", data)


async def download_export(request: Request) -> Response:
    """The export link: like ClickSend's pre-signed URL, the unguessable token is the credential; it expires."""
    state: SandboxState = request.app.state.sandbox
    export = await _read(state.store.export, request.path_params["token"])
    if export is None or export["expires_at"] < state.clock.now():
        return envelope.not_found("This link has expired or does not exist.")
    rows = await _read(state.store.all_messages, export["username"], state.clock.now())
    return Response(
        await run_in_threadpool(rules.history_csv, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export["filename"]}"'},
    )


async def download_upload(request: Request) -> Response:
    """An uploaded file's `_url` (an unguessable UUID name, like ClickSend's files URLs)."""
    state: SandboxState = request.app.state.sandbox
    upload = await _read(state.store.upload, request.path_params["file_name"])
    if upload is None or upload["date_delete"] < state.clock.now():
        return envelope.not_found("File not found.")
    return Response(bytes(upload["content"]), media_type=str(upload["content_type"]))


# ---- assembly ----


async def _not_found(request: Request, exc: Exception) -> Response:
    # ClickSend answers an unknown path and a wrong method alike: 404 "Invalid endpoint".
    return envelope.not_found()


async def _crash(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, DroppedConnection):  # a drop is on purpose, and its response is never sent
        log.error("unhandled error", exc_info=exc)
    return envelope.internal_error()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status in (404, 405):
        return envelope.not_found()
    if status == 413:
        return envelope.payload_too_large()
    if status < 500:
        return envelope.bad_request()
    return envelope.internal_error()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    contract = Contract(load_spec())
    store = Store(settings.db_path)
    store.ensure_accounts(settings.accounts)
    state = SandboxState(
        settings=settings,
        store=store,
        clock=Clock(),
        faults=FaultQueue(),
        rate_limiter=RateLimiter(settings.rate_limit, settings.rate_window),
        contract=contract,
    )
    spec_json = json.dumps(contract.spec, ensure_ascii=False).encode("utf-8")

    async def openapi(request: Request) -> Response:
        return Response(spec_json, media_type="application/json")

    routes = [_api_route(contract, op_id, handler) for op_id, handler in HANDLERS.items()]
    routes += docs.routes(contract.spec)  # GET /docs: the rendered reference (public, like /openapi.json)
    routes += [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/_sandbox/clock/advance", _control(_advance_clock, with_body=True), methods=["POST"]),
        Route("/_sandbox/clock", _control(_show_clock), methods=["GET"]),
        Route("/_sandbox/faults", _control(_add_fault, with_body=True), methods=["POST"]),
        Route("/_sandbox/faults", _control(_list_faults), methods=["GET"]),
        Route("/_sandbox/faults", _control(_clear_faults), methods=["DELETE"]),
        Route("/_sandbox/account", _control(_show_account), methods=["GET"]),
        Route("/_sandbox/exports/{token}", download_export, methods=["GET"]),
        Route("/_sandbox/files/{file_name}", download_upload, methods=["GET"]),
    ]
    app = SandboxApp(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    app.state.sandbox = state
    return app
