"""Assembly: the ASGI app that serves ClickSend's API at /v3 (as https://rest.clicksend.com/v3 does; the root
paths are aliases), the sandbox's control routes, and /openapi.json.

    routes (pipeline.py -> handlers.py, control.py) -> rules.py -> store.py (writer.py)
                                                         clock.py, faults.py, accounts.py beside
"""

from __future__ import annotations

import functools
import json
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from . import control, docs, envelope
from .accounts import Accounts
from .cache import RecordCache
from .clock import Clock
from .faults import FaultQueue, RateLimiter
from .gsm import BodyLimits
from .handlers import HANDLERS
from .pipeline import DroppedConnection, api_endpoint
from .root_page import is_root, links, root_page, wants_html
from .rules import Rules, opening_e4
from .served_spec import reached_at, served_spec
from .settings import Settings
from .spec import Contract, load_spec
from .state import SandboxState
from .store import Store
from .testing import SANDBOX_HEADER, sandbox_version

__all__ = ["DroppedConnection", "SandboxApp", "SandboxState", "create_app"]

log = logging.getLogger("clicksend_mms_sandbox")


class SandboxApp(Starlette):
    """Starlette, serving its routes at `base_path` (canonical: ClickSend's /v3) and at the root (aliases), plus a
    way for a `drop` fault to reach the server's transport and abort it."""

    base_path = ""
    marker = (SANDBOX_HEADER.lower().encode("latin-1"), b"")  # on every answer; create_app sets the version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Under /v3 the routes see the path below it (ASGI's root_path: Starlette routes on the path minus it), while
        # the app's own root stays the origin, where the links it hands out live. One prefix test per request: a
        # Mount costs a second router pass (about 10 us a request).
        root = scope.get("root_path", "")
        if self.base_path and scope["path"].startswith(root + self.base_path + "/"):
            scope["app_root_path"] = root
            scope["root_path"] = root + self.base_path
        # uvicorn passes its request cycle's bound `send`; its transport is how a connection is dropped unanswered.
        scope["sandbox.cycle"] = getattr(send, "__self__", None)

        async def gated_send(message: Message) -> None:
            if not scope.get("sandbox.dropped"):
                if message["type"] == "http.response.start":  # says what it is: testing.SANDBOX_HEADER
                    message = {**message, "headers": [*message.get("headers", ()), self.marker]}
                await send(message)

        try:
            await super().__call__(scope, receive, gated_send)
        except DroppedConnection:
            if not scope.get("sandbox.aborted"):
                raise  # in-process: let the client transport see it


async def _crash(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, DroppedConnection):  # a drop is on purpose, and its response is never sent
        log.error("unhandled error", exc_info=exc)
    return envelope.internal_error()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status in (404, 405):  # ClickSend answers an unknown path and a wrong method alike: 404 "Invalid endpoint"
        base_path = request.app.base_path
        if is_root(request, base_path):  # a person looking for the sandbox: point at its reference
            if wants_html(request):
                return root_page(request, base_path)
            response = envelope.not_found()
            response.headers.update(links(request))
            return response
        return envelope.not_found()
    if status == 413:
        return envelope.payload_too_large()
    if status < 500:
        return envelope.bad_request()
    return envelope.internal_error()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    contract = Contract(load_spec())
    accounts = Accounts(settings.accounts)
    store = Store(settings.db_path)
    store.write_sync(lambda tx: tx.open_accounts({a.username: opening_e4(a) for a in settings.accounts}))
    rules = Rules(store, settings, accounts, BodyLimits.from_spec(contract.spec), RecordCache())
    rules.restore_accounts()  # those added at run time by an earlier run on this database
    state = SandboxState(
        settings=settings,
        accounts=accounts,
        rules=rules,
        clock=Clock(store.clock_offset(), keep=store.keep_clock_offset),
        faults=FaultQueue(),
        rate_limiter=RateLimiter(settings.rate_limit, settings.rate_window),
        contract=contract,
    )

    @functools.lru_cache(maxsize=8)  # one per URL the sandbox is reached at (Host header, prefix): a handful
    def spec_json(api_url: str) -> bytes:
        return json.dumps(served_spec(contract.spec, api_url), ensure_ascii=False).encode("utf-8")

    async def openapi(request: Request) -> Response:
        return Response(spec_json(reached_at(request, contract.base_path)), media_type="application/json")

    served: list[BaseRoute] = [
        *(
            Route(op.path, api_endpoint(op, HANDLERS[op_id]), methods=[op.method.upper()], name=op_id)
            for op_id, op in contract.operations.items()
        ),
        Route("/openapi.json", openapi, methods=["GET"]),
        *docs.routes(contract.spec),  # GET /docs: the rendered reference (public, like /openapi.json)
        *control.routes(),
    ]
    # Canonical at ClickSend's base path (/v3); the root paths are aliases (clients configured without /v3).
    app = SandboxApp(routes=served, exception_handlers={HTTPException: _http_error, Exception: _crash})
    app.base_path = contract.base_path
    app.marker = (app.marker[0], sandbox_version().encode("latin-1"))
    app.state.sandbox = state
    return app
