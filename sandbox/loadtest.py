"""Load test: requests/second and p50/p99 latency of the sandbox, started as a subprocess on 127.0.0.1.

    .venv/bin/python sandbox/loadtest.py [--requests 2000] [--concurrency 1 32] [--db file|memory]

Cases: GET /mms/history (a page of 15 out of 100 seeded messages) and POST /mms/send (1 message, committed with
WAL + synchronous=FULL when --db file). A bounded async generator: `concurrency` workers share a fixed request
budget over one httpx.AsyncClient; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from clicksend_mms_sandbox.testing import serve

AUTH = ("load", "load-key")
SEND = {
    "media_file": "https://example.com/cat.jpg",
    "messages": [{"to": "+61437111222", "subject": "Load", "body": "One message under load."}],
}


@contextlib.contextmanager
def sandbox(db: str) -> Iterator[str]:
    """The console script on a free 127.0.0.1 port (clicksend_mms_sandbox.testing); yields its /v3 URL."""
    with serve("--db", db, "--account", f"{AUTH[0]}:{AUTH[1]}:100000000", rate_limit=0) as running:
        yield running.url


async def run_case(url: str, method: str, path: str, requests: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, auth=AUTH, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                if method == "POST":
                    response = await client.post(path, json=SEND)
                else:
                    response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(min(3, concurrency) * 4)))  # warm-up connections
        latencies.clear()
        remaining = requests
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--db", choices=["file", "memory"], default="file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "load.db") if args.db == "file" else ":memory:"
        with sandbox(db) as url:
            for _ in range(100):  # history pages come from a non-trivial table
                httpx.post(f"{url}/mms/send", json=SEND, auth=AUTH).raise_for_status()
            print(f"{'case':<28} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}   (db={args.db})")
            for method, path in (("GET", "/mms/history"), ("POST", "/mms/send")):
                for concurrency in args.concurrency:
                    result = asyncio.run(run_case(url, method, path, args.requests, concurrency))
                    print(
                        f"{method + ' ' + path:<28} {concurrency:>4} {result['rps']:>8.0f} "
                        f"{result['p50_ms']:>8.2f} {result['p99_ms']:>8.2f}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
