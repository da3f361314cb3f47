"""Section 5: 10,000 recipients to the sandbox, the async bulk helper vs plain httpx.AsyncClient at c=32."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from .context import Context, Figure
from .servers import SANDBOX_KEY, SANDBOX_USER, Server, basic_auth, sandbox_missing, sandbox_server
from .stats import summarize

SECTION = "bulk"
RECIPIENTS = 10_000
CONCURRENCY = 32
MEDIA = "https://example.com/cat.jpg"
TEST_NUMBER = "+61411111111"  # a ClickSend test recipient: never delivered, never charged


def _messages(n: int) -> list[dict[str, Any]]:
    return [{"to": TEST_NUMBER, "subject": "bench", "body": f"bulk {i}"} for i in range(n)]


def _helper() -> tuple[Any, str] | None:
    import clicksend_mms

    cls = getattr(clicksend_mms, "AsyncClickSend", None)
    if cls is None or not hasattr(cls, "send_bulk"):
        return None
    return cls, "clicksend_mms.AsyncClickSend.send_bulk"


async def _plain(base: str, n: int, budget: float) -> tuple[float, int]:
    """The naive way: one POST /mms/send per recipient, 32 at a time. Returns (messages/s, messages sent)."""
    messages = _messages(n)
    sent = 0
    next_i = 0
    deadline = time.perf_counter() + budget
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": basic_auth()}, timeout=30) as client:

        async def worker() -> None:
            nonlocal sent, next_i
            while next_i < n and time.perf_counter() < deadline:
                i = next_i
                next_i += 1
                r = await client.post("/mms/send", json={"media_file": MEDIA, "messages": [messages[i]]})
                r.raise_for_status()
                if r.json()["data"]["messages"][0]["status"] != "SUCCESS":
                    raise RuntimeError(f"plain send rejected: {r.text[:300]}")
                sent += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return sent / (time.perf_counter() - start), sent


async def _bulk(cls: Any, base: str, n: int) -> float:
    async with cls(SANDBOX_USER, SANDBOX_KEY, base_url=base) as client:
        start = time.perf_counter()
        results = await client.send_bulk(_messages(n), media_file=MEDIA, concurrency=CONCURRENCY)
        elapsed = time.perf_counter() - start
    if len(results) != n or any(r.status != "SUCCESS" for r in results):
        raise RuntimeError("bulk send: not every message came back SUCCESS")
    return n / elapsed


def run(ctx: Context) -> None:
    why = sandbox_missing()
    if why:
        ctx.skip(SECTION, why)
        return
    found = _helper()
    if found is None:
        ctx.skip(SECTION, "no bulk-send helper in clicksend_mms yet (looked for AsyncClickSend.send_bulk)")
        return
    cls, label = found
    n = 2_000 if ctx.quick else RECIPIENTS
    rounds = 1 if ctx.quick else 3
    plain_budget = 10.0 if ctx.quick else 30.0
    with sandbox_server() as server:
        plain, helper = _rounds(cls, server, n, rounds, plain_budget)
    ctx.note(
        SECTION,
        f"plain baseline: one message per POST /mms/send, {CONCURRENCY} in flight, up to {n} messages "
        f"or {plain_budget:.0f} s per round; helper: {label}({n} messages, concurrency={CONCURRENCY})",
    )
    p, h = summarize(plain), summarize(helper)
    ratio = summarize([b / a for a, b in zip(plain, helper, strict=False)])
    ctx.add(Figure(SECTION, f"plain httpx.AsyncClient c={CONCURRENCY}, 1 msg/request", "msg/s", p, 1.0, "x plain"))
    ctx.add(
        Figure(
            SECTION,
            f"{label}, {n} recipients",
            "msg/s",
            h,
            ratio.median,
            "x plain",
            ">= 5x plain httpx.AsyncClient",
            ratio.median >= 5.0,
        )
    )


def _rounds(cls: Any, server: Server, n: int, rounds: int, budget: float) -> tuple[list[float], list[float]]:
    plain: list[float] = []
    helper: list[float] = []
    for _ in range(rounds):
        rate, _sent = asyncio.run(_plain(server.base_url, n, budget))
        plain.append(rate)
        helper.append(asyncio.run(_bulk(cls, server.base_url, n)))
    return plain, helper
