"""One bulk send in its own process, so its peak memory is its own: ``python -m benchmarks._journal_worker
BASE_URL N on|off FOLDER`` prints ``{"rate": msg/s, "cpu_s": ..., "peak_rss_mb": ...}``."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from clicksend_mms import AsyncClickSend
from clicksend_mms_sandbox.testing import DEFAULT

MEDIA = "https://example.com/cat.jpg"
TEST_NUMBER = "+61411111111"  # a ClickSend test recipient: never delivered, never charged
CONCURRENCY = 8


async def send(base: str, n: int, journal: Path | None) -> tuple[float, float]:
    """Messages per second, and the client's CPU seconds for the send (the journal's cost to the user's machine,
    whatever the server's speed)."""
    messages = [{"to": TEST_NUMBER, "subject": "bench", "body": f"journal {i}"} for i in range(n)]
    async with AsyncClickSend(DEFAULT.username, DEFAULT.api_key, base_url=base) as client:
        start, cpu = time.perf_counter(), time.process_time()
        results = await client.send_bulk(messages, media_file=MEDIA, concurrency=CONCURRENCY, journal=journal)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if len(results) != n:
        raise RuntimeError(f"{len(results)} results for {n} messages")
    return n / elapsed, cpu


def main() -> None:
    base, n, mode, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    journal = folder / f"bench-{n}-{time.monotonic_ns()}.journal" if mode == "on" else None
    rate, cpu = asyncio.run(send(base, n, journal))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    size = journal.stat().st_size / 1e6 if journal is not None else 0.0
    if journal is not None:
        journal.unlink()
    print(json.dumps({"rate": rate, "cpu_s": cpu, "peak_rss_mb": peak, "journal_mb": size}))


if __name__ == "__main__":
    main()
