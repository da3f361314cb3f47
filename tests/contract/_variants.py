"""Deliberately broken sandboxes: ASGI middleware around `create_app()`, each planting one fault.

Middleware rather than sandbox changes: the sandbox stays correct, and each fault is a few visible lines here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from clicksend_mms_sandbox.testing import API_BASE_PATH
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# (scope, status, body) -> (status, body): what the broken server answers instead.
Rewrite = Callable[[Scope, int, bytes], tuple[int, bytes]]


class RewriteResponses:
    """Buffer the inner app's answer and let `rewrite` change its status and body."""

    def __init__(self, app: ASGIApp, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    status, body = self.rewrite(scope, start["status"], b"".join(chunks))
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def _envelope(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def _path(scope: Scope) -> str:
    """The operation's path, whether the request came to ClickSend's /v3 or to a root alias (the middleware sits
    outside the app, which strips the base path itself)."""
    path: str = scope["path"]
    return path[len(API_BASE_PATH) :] if path.startswith(API_BASE_PATH + "/") else path


def _is(scope: Scope, method: str, path: str) -> bool:
    return bool(scope["method"] == method and _path(scope) == path)


def response_msg_as_number(app: ASGIApp) -> ASGIApp:
    """GET /mms/history answers `response_msg` as a JSON number; the spec types it a string."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        data = _envelope(body)
        if _is(scope, "GET", "/mms/history") and status == 200 and isinstance(data, dict):
            data["response_msg"] = 200
            return status, json.dumps(data).encode()
        return status, body

    return RewriteResponses(app, rewrite)


def server_error_on_large_limit(app: ASGIApp) -> ASGIApp:
    """GET /mms/receipts crashes (500) when asked for more than 50 rows per page."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        limit = _query(scope).get("limit", "")
        if _is(scope, "GET", "/mms/receipts") and limit.isdigit() and int(limit) > 50:
            crash = {"http_code": 500, "response_code": "INTERNAL_SERVER_ERROR", "response_msg": "Boom.", "data": None}
            return 500, json.dumps(crash).encode()
        return status, body

    return RewriteResponses(app, rewrite)


def ignored_auth_on_export(app: ASGIApp, valid_authorization: bytes) -> ASGIApp:
    """GET /mms/history/export serves whoever asks: missing or wrong credentials are replaced by valid ones."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is(scope, "GET", "/mms/history/export"):
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            scope = {**scope, "headers": [*headers, (b"authorization", valid_authorization)]}
        await app(scope, receive, send)

    return middleware


def cancel_not_final(app: ASGIApp) -> ASGIApp:
    """PUT /mms/{id}/cancel of an MMS this server already cancelled answers 200 again instead of 404."""
    cancelled: set[str] = set()

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        path = _path(scope)
        if scope["method"] != "PUT" or not path.endswith("/cancel") or path == "/mms/cancel-all":
            return status, body
        if status == 200:
            cancelled.add(path)
        elif status == 404 and path in cancelled:
            ok = {"http_code": 200, "response_code": "SUCCESS", "response_msg": "MMS has been cancelled.", "data": None}
            return 200, json.dumps(ok).encode()
        return status, body

    return RewriteResponses(app, rewrite)


def history_repeats_row(app: ASGIApp) -> ASGIApp:
    """GET /mms/history page N+1 starts with the last row of page N (an off-by-one OFFSET)."""
    last_rows: dict[tuple[str, int], Any] = {}

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        data = _envelope(body)
        if not (_is(scope, "GET", "/mms/history") and status == 200 and isinstance(data, dict)):
            return status, body
        query = _query(scope)
        page = int(query.pop("page", "1") or 1)
        key = json.dumps(sorted(query.items()))
        rows = data["data"]["data"]
        previous = last_rows.get((key, page - 1))
        if rows:
            last_rows[(key, page)] = rows[-1]
        if previous is not None and rows:
            rows[0] = previous
            return status, json.dumps(data).encode()
        return status, body

    return RewriteResponses(app, rewrite)
