"""httpx transports that call the sandbox app in-process (no socket): async via httpx.ASGITransport, sync via an
event loop in a helper thread. A `drop` fault surfaces as httpx.RemoteProtocolError, as it would over a socket."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
from starlette.types import ASGIApp

from .pipeline import DroppedConnection
from .testing import API_BASE_PATH, DEFAULT

T = TypeVar("T")
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


class _LoopThread:
    """An asyncio event loop in a daemon thread, for the sync bridge.

    Stopping it has two forms: `stop()` (close(): waits for the thread) and `stop_soon()` (the finalizer: only asks,
    never waits). A finalizer that waits on another thread deadlocks at interpreter exit, when that thread can no
    longer run; a daemon thread that was never stopped simply ends with the process."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._stopping = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="clicksend-mms-sandbox-transport", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # run_until_complete makes _main the root task, which anyio ties its worker threads to (they end with it).
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        await self._stopping.wait()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("a SandboxTransport cannot be called from its own event loop; use AsyncSandboxTransport")
        if self._stopping.is_set() or not self._thread.is_alive():
            coroutine.close()
            raise RuntimeError("the SandboxTransport is closed")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop_soon(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            self._loop.call_soon_threadsafe(self._stopping.set)

    def stop(self) -> None:
        self.stop_soon()
        if self._thread is not threading.current_thread():
            self._thread.join()


class SandboxTransport(httpx.BaseTransport):
    """Sync bridge: runs the async transport on an event loop in a helper thread. close() (or `with`) ends the
    thread; a transport that is never closed does not keep the process alive nor block its exit."""

    def __init__(self, app: ASGIApp) -> None:
        self._async = AsyncSandboxTransport(app)
        self._loop = _LoopThread()
        # Runs when the transport is collected, or at exit (atexit, while threads still run) if it never was.
        self._finalizer = weakref.finalize(self, self._loop.stop_soon)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()  # the async side needs an async-iterable body: rebuild it from bytes
        forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=content)
        status, headers, body = self._loop.call(self._roundtrip(forwarded))
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _roundtrip(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._async.handle_async_request(request)
        body = await response.aread()
        return response.status_code, response.headers.raw, body

    def close(self) -> None:
        self._finalizer.detach()
        self._loop.stop()


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
