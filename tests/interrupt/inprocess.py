"""An in-process sandbox and the transports that stop a send at a chosen instant, for the deterministic tests."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from clicksend_mms import AsyncClickSend
from clicksend_mms_sandbox.testing import DEFAULT
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, AsyncSandboxTransport

MEDIA = "https://example.com/cat.jpg"
FAR_FUTURE = 4102444800  # 2100-01-01: a history window nothing is in yet


def messages(count: int, job: str = "t") -> list[dict[str, str]]:
    """Ordinary (charged) recipients, each message with its own tag."""
    return [
        {"to": "+61400000001", "subject": "s", "body": f"m{i}", "custom_string": f"{job}-{i}"} for i in range(count)
    ]


class HangOnSend(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox; the ``hang_at``-th send (0-based) is delivered (and committed) and then its
    answer never comes: ``reached`` is set, so a test interrupts exactly while that batch is in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport, hang_at: int) -> None:
        self.inner = inner
        self.hang_at = hang_at
        self.sends = 0
        self.reached = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_send = request.method == "POST" and request.url.path.endswith("/mms/send")
        response = await self.inner.handle_async_request(request)
        if is_send:
            self.sends += 1
            if self.sends - 1 == self.hang_at:
                await response.aread()
                self.reached.set()
                await asyncio.Event().wait()  # the answer is lost; only cancellation ends this
        return response


class LaggingHistory(httpx.AsyncBaseTransport):
    """History as ClickSend's can be just after a send: not listing it yet (the window asked for is moved ahead)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/mms/history"):
            request.url = request.url.copy_set_param("date_from", str(FAR_FUTURE))
        return await self.inner.handle_async_request(request)


def client(transport: httpx.AsyncBaseTransport) -> AsyncClickSend:
    return AsyncClickSend(DEFAULT.username, DEFAULT.api_key, base_url=IN_PROCESS_URL, transport=transport)


async def stored_tags(app: Any) -> Counter[str]:
    """How many times each custom_string is stored in the sandbox (every page of the history)."""
    async with client(AsyncSandboxTransport(app)) as c:
        return Counter([str(row.custom_string) async for row in c.iter_history(limit=100)])


def run(coro_factory: Callable[[], Any]) -> Any:
    return asyncio.run(coro_factory())
