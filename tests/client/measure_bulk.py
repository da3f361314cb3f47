"""Bulk-send throughput: plain httpx.AsyncClient transport vs the shipped default (httpx-aiohttp).

Not collected by pytest (no test_ prefix). Runs the sandbox (its CLI, uvicorn inside) in a subprocess on 127.0.0.1 and
sends over a real socket:

    .venv/bin/python tests/client/measure_bulk.py [--messages 10000] [--batches 1000,100,10] [--concurrency 32]

Batches of 1000 measure the server (10 requests for 10k messages); small batches measure the client's
connection pool under concurrency, where httpx's own pool is known to collapse (httpx issue 3215).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import httpx
from clicksend_mms import AsyncClickSend, RetryPolicy
from clicksend_mms.async_facade import default_async_transport
from clicksend_mms_sandbox.testing import DEFAULT

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.client.sandbox_server import sandbox_server

MEDIA = "https://example.com/cat.jpg"
TEST_NUMBER = "+61411111111"  # a ClickSend test recipient: nothing is sent, nothing charged


def make_transport(kind: str, concurrency: int) -> httpx.AsyncBaseTransport:
    if kind == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        return httpx.AsyncHTTPTransport(limits=limits)
    return default_async_transport(max_connections=concurrency)


async def one_run(base_url: str, kind: str, n: int, batch: int, concurrency: int) -> float:
    messages = [{"to": TEST_NUMBER, "subject": "bench", "body": f"m{i}", "custom_string": str(i)} for i in range(n)]
    transport = make_transport(kind, concurrency)
    async with AsyncClickSend(
        *DEFAULT.basic_auth, base_url=base_url, transport=transport, retry=RetryPolicy(), timeout=120
    ) as client:
        await client.history(limit=15)  # warm up: connect, first request
        started = time.perf_counter()
        results = await client.send_bulk(messages, media_file=MEDIA, batch_size=batch, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    assert [r.custom_string for r in results] == [str(i) for i in range(n)], "results out of order"
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batches", default="1000,100,10")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report = []
    # The sandbox's rate limiter is off: this measures throughput, not the limiter.
    with sandbox_server("--rate-limit", "0") as base_url:
        for batch in (int(b) for b in args.batches.split(",")):
            for kind in ("httpx", "aiohttp"):
                rates = [
                    asyncio.run(one_run(base_url, kind, args.messages, batch, args.concurrency))
                    for _ in range(args.repeat)
                ]
                best = max(rates)
                requests_per_s = best / batch
                report.append(
                    {"transport": kind, "batch": batch, "msgs_per_s": round(best), "req_per_s": round(requests_per_s)}
                )
                print(
                    f"batch {batch:>5}  {kind:<8} {best:>9.0f} msgs/s  {requests_per_s:>7.0f} req/s  (runs: "
                    + ", ".join(f"{r:.0f}" for r in rates)
                    + ")",
                    flush=True,
                )
    print(json.dumps({"messages": args.messages, "concurrency": args.concurrency, "results": report}))


if __name__ == "__main__":
    main()
