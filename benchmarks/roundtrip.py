"""Section 2: GET /mms/history?limit=100 round trips against the sandbox holding 100 messages, every client
configured as for ClickSend (ours and raw httpx with the sandbox's .../v3 URL, the official SDK with its origin)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from clicksend_mms import AuthenticatedClient
from clicksend_mms.api.mms import get_mms_history
from clicksend_mms.models import MmsHistoryResponse

from . import official
from .context import Context, Figure
from .servers import SANDBOX_KEY, SANDBOX_USER, Server, sandbox_missing, sandbox_server, seed_history
from .stats import interleaved, loop_timer, percentile, summarize

SECTION = "roundtrip"
CONCURRENCY = 32
PARAMS = {"limit": 100}


def _sync_variants(base: str) -> tuple[dict[str, Callable[[int], float]], list[Callable[[], None]]]:
    raw = httpx.Client(base_url=base, auth=httpx.BasicAuth(SANDBOX_USER, SANDBOX_KEY))
    ours = AuthenticatedClient(base_url=base, username=SANDBOX_USER, api_key=SANDBOX_KEY)

    def raw_once() -> Any:
        r = raw.get("/mms/history", params=PARAMS)
        r.raise_for_status()
        return json.loads(r.content)

    def ours_once() -> MmsHistoryResponse:
        got = get_mms_history.sync(client=ours, limit=100)
        if not isinstance(got, MmsHistoryResponse):
            raise RuntimeError(f"our client got {got!r}")
        return got

    assert len(raw_once()["data"]["data"]) == 100 and len(ours_once().data.data) == 100

    closers: list[Callable[[], None]] = [raw.close, ours.get_httpx_client().close]
    return {"raw httpx.Client + json.loads": loop_timer(raw_once), "clicksend_mms sync": loop_timer(ours_once)}, closers


async def _load(
    call: Callable[[], Awaitable[object]], total: int, concurrency: int, budget: float
) -> tuple[float, list[float]]:
    """``total`` calls by ``concurrency`` tasks (or fewer if ``budget`` seconds run out): (req/s, latencies in ms)."""
    latencies: list[float] = []
    remaining = total
    deadline = time.perf_counter() + budget

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            t0 = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - t0) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - start), latencies


async def _async_round(
    base: str, total: int, budget: float, rounds: int, deadline: float
) -> dict[str, list[tuple[float, list[float]]]]:
    raw = httpx.AsyncClient(base_url=base, auth=httpx.BasicAuth(SANDBOX_USER, SANDBOX_KEY))
    ours = AuthenticatedClient(base_url=base, username=SANDBOX_USER, api_key=SANDBOX_KEY)

    async def raw_once() -> None:
        r = await raw.get("/mms/history", params=PARAMS)
        r.raise_for_status()
        json.loads(r.content)

    async def ours_once() -> None:
        got = await get_mms_history.asyncio(client=ours, limit=100)
        if not isinstance(got, MmsHistoryResponse):
            raise RuntimeError(f"our async client got {got!r}")

    variants: dict[str, Callable[[], Awaitable[None]]] = {
        "raw httpx.AsyncClient + json.loads": raw_once,
        "clicksend_mms asyncio": ours_once,
    }
    out: dict[str, list[tuple[float, list[float]]]] = {name: [] for name in variants}
    try:
        for call in variants.values():  # warm-up: open the connection pools
            await _load(call, CONCURRENCY, CONCURRENCY, 10.0)
        for _ in range(rounds):
            for name, call in variants.items():
                out[name].append(await _load(call, total, CONCURRENCY, budget))
            if time.monotonic() > deadline:
                break
    finally:
        await raw.aclose()
        await ours.get_async_httpx_client().aclose()
    return out


def run(ctx: Context) -> None:
    why = sandbox_missing()
    if why:
        ctx.skip(SECTION, why)
        return
    log = ctx.notes.setdefault(SECTION, [])
    why = official.ensure_venv(log)
    worker = None if why else official.OfficialWorker()
    if why:
        ctx.note(SECTION, f"official SDK row skipped: {why}")
    ctx.note(SECTION, "the sandbox answers every client the same page: 100 messages, varied recipients and bodies")
    try:
        with sandbox_server() as server:
            seed_history(server)
            _sync(ctx, server, worker)
            _async(ctx, server)
            missed = [f for f in ctx.figures if f.section == SECTION and f.passed is False]
            if missed and ctx.profile:
                _profile(ctx, server)
    finally:
        if worker is not None:
            worker.close()


def _sync(ctx: Context, server: Server, worker: official.OfficialWorker | None) -> None:
    variants, closers = _sync_variants(server.base_url)
    try:
        if worker is not None:
            # Its paths carry /v3 already: its host is the origin, as https://rest.clicksend.com is for ClickSend.
            worker.call("connect", host=server.origin, username=SANDBOX_USER, password=SANDBOX_KEY)
            w = worker
            variants["official SDK 6.x"] = lambda n: w.seconds("get", n)
        n = 20 if ctx.quick else 60
        for run in variants.values():  # warm-up
            run(5)
        samples = interleaved(
            variants, dict.fromkeys(variants, n), ctx.repeats, time.monotonic() + (20 if ctx.quick else 90)
        )
    finally:
        for close in closers:
            close()
    ms = {name: [s * 1000 for s in v] for name, v in samples.items()}
    raw_name, ours_name = "raw httpx.Client + json.loads", "clicksend_mms sync"
    ctx.add(Figure(SECTION, f"sync: {raw_name} (floor)", "ms/call", summarize(ms[raw_name]), 1.0, "x raw speed"))
    vs_raw = summarize([r / o for r, o in zip(ms[raw_name], ms[ours_name], strict=False)])
    ctx.add(
        Figure(
            SECTION,
            f"sync: {ours_name}",
            "ms/call",
            summarize(ms[ours_name]),
            vs_raw.median,
            "x raw speed",
            ">= 0.9x raw httpx",
            vs_raw.median >= 0.9,
            {"ratio_spread": vs_raw.as_dict()},
        )
    )
    off_name = "official SDK 6.x"
    if off_name in ms:
        vs_off = summarize([f / o for f, o in zip(ms[off_name], ms[ours_name], strict=False)])
        ctx.add(
            Figure(
                SECTION,
                f"sync: {off_name}",
                "ms/call",
                summarize(ms[off_name]),
                summarize([r / f for r, f in zip(ms[raw_name], ms[off_name], strict=False)]).median,
                "x raw speed",
            )
        )
        ctx.add(
            Figure(
                SECTION,
                "sync: clicksend_mms speed vs official SDK",
                "x",
                vs_off,
                vs_off.median,
                "x official",
                ">= 1.0x official SDK",
                vs_off.median >= 1.0,
            )
        )


def _async(ctx: Context, server: Server) -> None:
    total = 300 if ctx.quick else 1500
    rounds = 2 if ctx.quick else 5
    out = asyncio.run(_async_round(server.base_url, total, 10.0, rounds, time.monotonic() + (20 if ctx.quick else 90)))
    raw_name = "raw httpx.AsyncClient + json.loads"
    rps = {name: [r for r, _ in v] for name, v in out.items()}
    for name, runs in out.items():
        lat = sorted(x for _, lats in runs for x in lats)
        ratio = summarize([o / r for o, r in zip(rps[name], rps[raw_name], strict=False)])
        ctx.add(
            Figure(
                SECTION,
                f"async c={CONCURRENCY}: {name}" + (" (floor)" if name == raw_name else ""),
                "req/s",
                summarize(rps[name]),
                ratio.median,
                "x raw req/s",
                extra={"p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "requests": len(lat)},
            )
        )


def _profile(ctx: Context, server: Server) -> None:
    from .profiling import pyinstrument_top

    client = AuthenticatedClient(base_url=server.base_url, username=SANDBOX_USER, api_key=SANDBOX_KEY)
    try:
        ctx.profiles[SECTION + " (sync client)"] = pyinstrument_top(
            lambda: get_mms_history.sync(client=client, limit=100), 1.0 if ctx.quick else 3.0
        )
    finally:
        client.get_httpx_client().close()
