"""`make bench` section `scale`: one account holding 10k / 100k (and, opt-in, 1M) messages, served by the sandbox's
console script on a SQLite file. Seeded through the sandbox's store, not over HTTP (benchmarks/scale_seed.py: a
million sends would outlast the whole benchmark). Per size: p50/p99 of GET /mms/history for every `q` filter and
every `order_by` field the store whitelists (target p99 <= 200 ms), the unread receipts list, a receipt by id,
mark-read with a date_before that marks none (the seeded database is kept), a deep page; the
export: its time to the first byte (target <= 1 s) and to the last, and the server's peak RSS while it streams
(target <= 200 MB); the database's size on disk.

The 1M size takes minutes to seed (about 3 on 2 busy cores) and is opt-in: CLICKSEND_BENCH_SCALE_1M=1, or
CLICKSEND_BENCH_SCALE_ROWS=10000,1000000 for any list of sizes. Seeded databases are kept under benchmarks/.cache
(keyed by size and seeder version), so a second run skips the seeding."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from clicksend_mms_sandbox import testing
from clicksend_mms_sandbox.store import FILTER_FIELDS, ORDER_FIELDS

from .context import Context, Figure
from .scale_seed import PROBE_CUSTOM, seed
from .servers import CACHE, basic_auth
from .stats import percentile, summarize

SEEDER_VERSION = 1
TARGET_P99_MS = 200.0
TARGET_FIRST_BYTE_S = 1.0
TARGET_RSS_MB = 200.0
# A value each filter finds rows for in the seeded data (scale_seed.message).
PROBES = {
    "to": "+61437000006",
    "from": "Shop",
    "subject": "Order 17",
    "body": "Message 12: your order is on its way.",
    "custom_string": PROBE_CUSTOM,
    "country": "NZ",
    "message_id": "00000000-0000-0000-0000-00000000000C",
    "list_id": "1005",
    "from_email": "ops2@example.com",
    "status": "Completed",
    "direction": "out",
}
STATUS_PROBES = ("Scheduled", "Queued", "Sent", "Failed", "Cancelled")


def sizes() -> list[int]:
    listed = os.environ.get("CLICKSEND_BENCH_SCALE_ROWS", "")
    if listed.strip():
        return [int(n) for n in listed.split(",") if n.strip()]
    return [10_000, 100_000] + ([1_000_000] if os.environ.get("CLICKSEND_BENCH_SCALE_1M") == "1" else [])


def _database(rows: int, ctx: Context) -> Path:
    db = CACHE / "scale" / f"v{SEEDER_VERSION}-{rows}.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        partial = db.with_suffix(".partial")
        for leftover in db.parent.glob(partial.name + "*"):
            leftover.unlink()
        took = seed(partial, rows)
        partial.rename(db)
        ctx.note("scale", f"{rows:,} rows seeded through the store in {took:.0f} s")
    return db


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """The largest RSS of a process while the block runs, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb(self.pid))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed(
    client: httpx.Client, params: dict[str, Any], n: int, path: str = "/mms/history", method: str = "GET",
    body: dict[str, Any] | None = None,
) -> list[float]:  # fmt: skip
    client.request(method, path, params=params, json=body).raise_for_status()  # warm: the first read pages it in
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.request(method, path, params=params, json=body)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def _query_figure(ctx: Context, rows: int, label: str, samples: list[float], target: bool = True) -> dict[str, float]:
    ordered = sorted(samples)
    p50, p99 = percentile(ordered, 50), percentile(ordered, 99)
    ctx.add(
        Figure(
            "scale", f"{rows:,} rows: {label}", "ms", summarize(samples),
            target=f"p99 <= {TARGET_P99_MS:.0f} ms" if target else "", passed=p99 <= TARGET_P99_MS if target else None,
            extra={"p50": p50, "p99": p99},
        )
    )  # fmt: skip
    return {"p50": round(p50, 1), "p99": round(p99, 1)}


def _export(ctx: Context, client: httpx.Client, pid: int, rows: int) -> dict[str, float]:
    url = client.get("/mms/history/export", params={"filename": "scale"}).json()["data"]["url"]
    size = 0
    with PeakRss(pid) as rss:
        start = time.perf_counter()
        first = None
        with client.stream("GET", url) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                if first is None:
                    first = time.perf_counter() - start
                size += len(chunk)
        total = time.perf_counter() - start
    first = total if first is None else first
    extra = {"first_byte_s": round(first, 3), "total_s": round(total, 2), "peak_rss_mb": round(rss.peak, 1),
             "csv_mb": round(size / 1e6, 1)}  # fmt: skip
    fast = first <= TARGET_FIRST_BYTE_S
    ctx.add(Figure("scale", f"{rows:,} rows: export, first byte", "s", summarize([first]),
                   target=f"<= {TARGET_FIRST_BYTE_S:g} s", passed=fast, extra=extra))  # fmt: skip
    ctx.add(Figure("scale", f"{rows:,} rows: export, server peak RSS", "MB", summarize([rss.peak]),
                   target=f"<= {TARGET_RSS_MB:.0f} MB", passed=rss.peak <= TARGET_RSS_MB, extra=extra))  # fmt: skip
    ctx.add(Figure("scale", f"{rows:,} rows: export, whole file", "s", summarize([total]), extra=extra))
    return extra


def run(ctx: Context) -> None:
    n = 5 if ctx.quick else 30
    table: dict[str, Any] = {}
    for rows in sizes():
        db = _database(rows, ctx)
        entry: dict[str, Any] = {"db_mb": round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6, 1)}
        log = CACHE / "scale" / f"server-{rows}.log"
        with (
            log.open("wb") as out,
            testing.serve("--db", str(db), rate_limit=0, stdout=out, stderr=subprocess.STDOUT, timeout=600) as sandbox,
            httpx.Client(base_url=sandbox.url, headers={"Authorization": basic_auth()}, timeout=120) as client,
        ):
            entry["rss_idle_mb"] = round(_rss_mb(sandbox.process.pid), 1)
            queries: dict[str, Any] = {"default page": {}}
            queries["default page"] = _query_figure(ctx, rows, "default page", _timed(client, {}, n))
            for field in FILTER_FIELDS:
                label = f"q={field}:{PROBES[field]}"
                queries[label] = _query_figure(ctx, rows, label, _timed(client, {"q": label[2:]}, n))
            for status in STATUS_PROBES:
                label = f"q=status:{status}"
                queries[label] = _query_figure(ctx, rows, label, _timed(client, {"q": label[2:]}, n))
            for field in ORDER_FIELDS:
                label = f"order_by={field}:desc"
                queries[label] = _query_figure(ctx, rows, label, _timed(client, {"order_by": label[9:]}, n))
            deep = {"page": max(1, rows // 100 // 2), "limit": 100}
            # No target: an OFFSET this deep walks half the account (ClickSend's paginator has no cursor).
            middle = _timed(client, deep, n)
            queries["deep page (middle)"] = _query_figure(ctx, rows, "deep page (middle)", middle, target=False)
            queries["receipts"] = _query_figure(ctx, rows, "receipts", _timed(client, {}, n, "/mms/receipts"))
            receipt = f"/mms/receipts/{PROBES['message_id']}"
            queries["receipt by id"] = _query_figure(ctx, rows, "receipt by id", _timed(client, {}, n, receipt))
            # Older than every receipt: marks none (the cached database stays as seeded), finds that by the index.
            old = {"date_before": 1}
            marked = _timed(client, {}, n, "/mms/receipts-read", "PUT", old)
            queries["mark read (date_before, none)"] = _query_figure(ctx, rows, "mark read (date_before, none)", marked)
            entry["queries"] = queries
            entry["export"] = _export(ctx, client, sandbox.process.pid, rows)
        worst = max(((k, v) for k, v in queries.items() if not k.startswith("deep")), key=lambda kv: kv[1]["p99"])
        ctx.note(
            "scale",
            f"{rows:,} rows: db {entry['db_mb']} MB; worst p99 {worst[1]['p99']} ms ({worst[0]}); export first byte "
            f"{entry['export']['first_byte_s']} s, whole {entry['export']['total_s']} s, "
            f"peak RSS {entry['export']['peak_rss_mb']} MB",
        )
        table[str(rows)] = entry
    ctx.data["scale"] = table
