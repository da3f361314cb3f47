"""The request pipeline of ClickSend's API routes: authentication, rate limit, injected faults, the body read within
its limit, parameters and body validated against the spec; then the handler, whose rule errors become envelopes.
Never a traceback on the wire."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Scope

from . import envelope
from .accounts import Account
from .auth import authenticate
from .faults import Fault, FaultError, parse_fault_header
from .rules import BadRequest, NotFound, Rules
from .served_spec import public_origin
from .spec import OperationContract, field_errors
from .state import SandboxState

log = logging.getLogger("clicksend_mms_sandbox")


class DroppedConnection(Exception):
    """Raised out of the app when a fault drops the connection and no server socket could be aborted
    (in-process use); the sandbox's httpx transports turn it into httpx.RemoteProtocolError."""


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
    def rules(self) -> Rules:
        return self.state.rules

    @property
    def origin(self) -> str:
        """The sandbox's public origin: the links it hands out start with it (never with the request's Host)."""
        scope = self.request.scope
        prefix: str = scope.get("app_root_path", scope.get("root_path", ""))
        return public_origin(self.request) + prefix


Handler = Callable[[Call], Awaitable[Response]]


def route_path(scope: Scope) -> str:
    """The path below the mount point (`/mms/history` for `/v3/mms/history` and for the root alias), escaped as in
    a URL but without building the whole URL on every request."""
    path = str(scope["path"])
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def account_or_refusal(state: SandboxState, request: Request) -> Account | Response:
    auth = authenticate(state.accounts, request.headers.get("authorization"))
    if auth.failure == "forbidden":
        return envelope.forbidden()
    if auth.account is None:
        return envelope.unauthorized()
    return auth.account


class BodyTimeout(Exception):
    """The client did not finish sending the body within the sandbox's body timeout: a 408."""


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it exceeds the limit (checked on Content-Length and while streaming); BodyTimeout
    when it does not arrive within the body timeout (a client trickling bytes holds no connection for ever)."""
    try:
        async with asyncio.timeout(request.app.state.sandbox.settings.body_timeout):
            return await _read_body(request, limit)
    except TimeoutError:
        raise BodyTimeout from None


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    significant = declared.lstrip("0")
    if declared.isascii() and declared.isdigit() and (len(significant) > 18 or int(significant or 0) > limit):
        return None  # (ASCII digits only: int() would take "²" for a digit and fail on it)
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


# A \uD800-\uDFFF escape: half of a surrogate pair, which is only text when its other half follows.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes) -> Any:
    """JSON as ClickSend's API reads it: UTF-8 text, no NaN or Infinity, no lone surrogate (not text: it cannot be
    stored or echoed), nesting within the interpreter's reach; ValueError saying which otherwise."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _SURROGATE_ESCAPE.search(raw) and not _is_text(value):
        raise ValueError("a string holds a lone surrogate (\\uD800-\\uDFFF without its pair): not text")
    return value


def _is_text(value: Any) -> bool:
    """Every string in `value` (keys included) encodes as UTF-8. Iterative: `value` may be deeply nested."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def parse_integer(text: str) -> int | None:
    """An integer written in ASCII digits with an optional minus sign, of any length Python converts; None
    otherwise (Unicode digits such as "²²" or "٣" are not digits on the wire)."""
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # beyond int's conversion limit (4,300 digits): no page or limit is that long
        return None


def _parse_params(op: OperationContract, request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    # Parsed once: Starlette's query_params property builds a new QueryParams on every access (six a history page).
    query = request.query_params if request.scope.get("query_string") else {}
    for param in op.parameters:
        source = request.path_params if param.location == "path" else query
        raw = source.get(param.name)
        if raw is None:
            if param.required:
                errors[param.name] = "This field is required."
            continue
        value: Any = raw
        if param.is_integer:
            number = parse_integer(str(raw).strip())
            if number is None:
                errors[param.name] = "Must be an integer."
                continue
            value = number
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
        body = parse_json(raw)
    except ValueError as exc:  # UnicodeDecodeError included
        return None, {"body": f"Malformed JSON: {str(exc)[:200]}"}
    try:
        problems = op.body_errors(body)
    except RecursionError:  # a value nested deeper than the validator can walk
        return None, {"body": "Nested too deeply."}
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


async def _pipeline(state: SandboxState, op: OperationContract, handler: Handler, request: Request) -> Response:
    account = account_or_refusal(state, request)
    if isinstance(account, Response):
        return account
    limit = state.rate_limit(account)
    rate_headers: dict[str, str] = {}
    if limit > 0:
        decision = state.rate_limiter.hit(account.username, state.clock.now(), limit)
        if not decision.allowed:
            return envelope.too_many_requests(decision.reset, decision.limit)
        rate_headers = {"x-ratelimit-limit": str(decision.limit), "x-ratelimit-remaining": str(decision.remaining)}

    header = request.headers.get("x-sandbox-fault")
    try:
        fault = parse_fault_header(header) if header else None
    except FaultError as exc:
        return envelope.bad_request({"X-Sandbox-Fault": str(exc)})
    if fault is None:
        fault = state.faults.take(account.username, request.method, route_path(request.scope))
    # The body is read before any delay: a slow answer must still process what the client sent, even if the
    # client has given up waiting by then (the "did my send go through?" case).
    # Operations without a documented body never read one (and so never answer 413, which they do not declare).
    raw = await read_body(request, state.settings.max_body_bytes) if op.body_validator is not None else b""
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    if fault is not None and fault.fails and not fault.after_commit:
        return await _fault_response(request, fault, limit)

    response = await _process(state, op, handler, request, account, raw)
    if fault is not None and fault.fails and fault.after_commit:
        return await _fault_response(request, fault, limit)
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
    if not errors:
        errors = op.cross_rule_errors(params, body)  # the rules JSON Schema cannot state
    if errors:
        return envelope.bad_request(errors)
    try:
        return await handler(Call(request, state, account, params, body, state.clock.now()))
    except BadRequest as exc:
        return envelope.bad_request(exc.fields)
    except NotFound as exc:  # unknown, or another account's: indistinguishable on purpose
        return envelope.not_found(str(exc))


def api_endpoint(op: OperationContract, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        try:
            return await _pipeline(state, op, handler, request)
        except DroppedConnection:
            raise
        except ClientDisconnect:
            return Response(status_code=499)  # nobody is listening; nothing to log
        except BodyTimeout:
            return envelope.request_timeout("body")
        except Exception:
            # Never a traceback on the wire: the client gets ClickSend's 500 envelope, the log gets the rest.
            log.exception("unexpected error in %s", op.operation_id)
            return envelope.internal_error()

    return endpoint
