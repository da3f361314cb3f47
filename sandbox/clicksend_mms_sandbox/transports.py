"""httpx transports that call the sandbox app in-process (no socket): async via httpx.ASGITransport, sync via an
event loop in a helper thread. A `drop` fault surfaces as httpx.RemoteProtocolError, as it would over a socket."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio.from_thread
import httpx
from starlette.types import ASGIApp

from .pipeline import DroppedConnection
from .testing import API_BASE_PATH, DEFAULT

_DROPPED = "Server disconnected without sending a response."


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except DroppedConnection:
            raise httpx.RemoteProtocolError(_DROPPED, request=request) from None

    async def aclose(self) -> None:
        await self._inner.aclose()


class SandboxTransport(httpx.BaseTransport):
    """Sync bridge: runs the async transport on an anyio event loop in a helper thread (a blocking portal)."""

    def __init__(self, app: ASGIApp) -> None:
        self._async = AsyncSandboxTransport(app)
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()  # the async side needs an async-iterable body: rebuild it from bytes
        forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=content)
        status, headers, body = self._portal.call(self._roundtrip, forwarded)
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _roundtrip(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._async.handle_async_request(request)
        body = await response.aread()
        return response.status_code, response.headers.raw, body

    def close(self) -> None:
        self._portal_cm.__exit__(None, None, None)

    def __del__(self) -> None:  # best effort when a user forgets close()
        with contextlib.suppress(Exception):  # nothing sensible to do during garbage collection
            self._portal_cm.__exit__(None, None, None)


# Not a real host: requests go to the app in-process. Under /v3, as a client configured for ClickSend would call.
IN_PROCESS_URL = "http://sandbox.local" + API_BASE_PATH


def sandbox_client(
    app: ASGIApp, username: str = DEFAULT.username, api_key: str = DEFAULT.api_key, **kwargs: Any
) -> httpx.Client:
    """A sync httpx.Client talking to the app in-process, with Basic auth (the default account unless told)."""
    return httpx.Client(transport=SandboxTransport(app), base_url=IN_PROCESS_URL, auth=(username, api_key), **kwargs)


def async_sandbox_client(
    app: ASGIApp, username: str = DEFAULT.username, api_key: str = DEFAULT.api_key, **kwargs: Any
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=AsyncSandboxTransport(app), base_url=IN_PROCESS_URL, auth=(username, api_key), **kwargs
    )
