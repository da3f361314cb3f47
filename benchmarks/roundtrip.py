"""Section 2: GET /mms/history?limit=100 round trips, every client configured as for ClickSend (ours and raw httpx
with a .../v3 base URL, the official SDK with the origin: it writes /v3 into its paths).

The figures with targets are against the floor server (benchmarks/floor.py): it answers every client the same fixed
100-row page with no work per request, so the ratios compare clients. The sandbox rows follow (the seeded sandbox
answering its real page): there the server's time is inside every figure and the ratios are nearer 1.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from clicksend_mms import AsyncClickSend, AuthenticatedClient, ClickSend
from clicksend_mms.api.mms import get_mms_history
from clicksend_mms.models import MmsHistoryPage, MmsHistoryResponse

from . import official
from .context import Context, Figure
from .floor import floor_server
from .servers import SANDBOX_KEY, SANDBOX_USER, Server, sandbox_missing, sandbox_server, seed_history
from .stats import interleaved, loop_timer, percentile, summarize

SECTION = "roundtrip"
CONCURRENCY = 32
PARAMS = {"limit": 100}
RAW = "raw httpx.Client + json.loads"
GENERATED = "clicksend_mms get_mms_history.sync"
FACADE = "clicksend_mms ClickSend.history"
OFFICIAL = "official SDK 6.x"
ASYNC_RAW = "raw httpx.AsyncClient + json.loads"
TARGET_VS_RAW = 0.9
TARGET_VS_OFFICIAL = 1.2
TARGET_ASYNC_VS_RAW = 0.95


def _sync_variants(base: str) -> tuple[dict[str, Callable[[int], float]], list[Callable[[], None]]]:
    raw = httpx.Client(base_url=base, auth=httpx.BasicAuth(SANDBOX_USER, SANDBOX_KEY))
    generated = AuthenticatedClient(base_url=base, username=SANDBOX_USER, api_key=SANDBOX_KEY)
    facade = ClickSend(SANDBOX_USER, SANDBOX_KEY, base_url=base)

    def raw_once() -> Any:
        r = raw.get("/mms/history", params=PARAMS)
        r.raise_for_status()
        return json.loads(r.content)

    def generated_once() -> MmsHistoryResponse:
        got = get_mms_history.sync(client=generated, limit=100)
        if not isinstance(got, MmsHistoryResponse):
            raise RuntimeError(f"the generated client got {got!r}")
        return got

    def facade_once() -> MmsHistoryPage:
        return facade.history(limit=100)

    assert len(raw_once()["data"]["data"]) == 100
    assert len(generated_once().data.data) == 100 and len(facade_once().data) == 100
    variants = {RAW: loop_timer(raw_once), GENERATED: loop_timer(generated_once), FACADE: loop_timer(facade_once)}
    return variants, [raw.close, generated.get_httpx_client().close, facade.close]


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
    generated = AuthenticatedClient(base_url=base, username=SANDBOX_USER, api_key=SANDBOX_KEY)
    facade = AsyncClickSend(SANDBOX_USER, SANDBOX_KEY, base_url=base)

    async def raw_once() -> None:
        r = await raw.get("/mms/history", params=PARAMS)
        r.raise_for_status()
        json.loads(r.content)

    async def generated_once() -> None:
        got = await get_mms_history.asyncio(client=generated, limit=100)
        if not isinstance(got, MmsHistoryResponse):
            raise RuntimeError(f"our async client got {got!r}")

    async def facade_once() -> None:
        await facade.history(limit=100)

    variants: dict[str, Callable[[], Awaitable[None]]] = {
        ASYNC_RAW: raw_once,
        "clicksend_mms get_mms_history.asyncio": generated_once,
        "clicksend_mms AsyncClickSend.history": facade_once,
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
        await generated.get_async_httpx_client().aclose()
        await facade.aclose()
    return out


def run(ctx: Context) -> None:
    log = ctx.notes.setdefault(SECTION, [])
    why = official.ensure_venv(log)
    worker = None if why else official.OfficialWorker()
    if why:
        ctx.note(SECTION, f"official SDK row skipped: {why}")
    try:
        body = ctx.page_file
        if worker is not None:
            # The copy the official SDK accepts (decode section: what its strict models refuse, coerced); every
            # client gets these same bytes.
            worker.prepare(ctx.page_file, ctx.official_page_file)
            body = ctx.official_page_file
        ctx.note(SECTION, f"floor server: every client gets the same fixed 100-row page ({body.name}) at /v3")
        with floor_server(body) as floor:
            _sync(ctx, floor, worker, "floor", targets=True)
            _async(ctx, floor, "floor", targets=True)
            if ctx.profile:
                _profile(ctx, floor)
        why = sandbox_missing()
        if why:
            ctx.note(SECTION, f"sandbox rows skipped: {why}")
            return
        ctx.note(SECTION, "sandbox: 100 seeded messages, varied recipients and bodies; its time is in every figure")
        with sandbox_server() as server:
            seed_history(server)
            _sync(ctx, server, worker, "sandbox", targets=False)
    finally:
        if worker is not None:
            worker.close()


def _sync(ctx: Context, server: Server, worker: official.OfficialWorker | None, where: str, *, targets: bool) -> None:
    variants, closers = _sync_variants(server.base_url)
    try:
        if worker is not None:
            # Its paths carry /v3 already: its host is the origin, as https://rest.clicksend.com is for ClickSend.
            worker.call("connect", host=server.origin, username=SANDBOX_USER, password=SANDBOX_KEY)
            w = worker
            variants[OFFICIAL] = lambda n: w.seconds("get", n)
        n = 20 if ctx.quick else 60
        for run in variants.values():  # warm-up
            run(5)
        repeats = ctx.repeats if targets else max(3, ctx.repeats // 3)
        deadline = time.monotonic() + (20 if ctx.quick else 120 if targets else 45)
        samples = interleaved(variants, dict.fromkeys(variants, n), repeats, deadline)
    finally:
        for close in closers:
            close()
    ms = {name: [s * 1000 for s in v] for name, v in samples.items()}
    label = f"sync ({where})"
    ctx.add(Figure(SECTION, f"{label}: {RAW} (floor)", "ms/call", summarize(ms[RAW]), 1.0, "x raw speed"))
    for ours in (GENERATED, FACADE):
        vs_raw = summarize([r / o for r, o in zip(ms[RAW], ms[ours], strict=False)])
        ctx.add(
            Figure(
                SECTION,
                f"{label}: {ours}",
                "ms/call",
                summarize(ms[ours]),
                vs_raw.median,
                "x raw speed",
                f">= {TARGET_VS_RAW}x raw httpx" if targets else "",
                vs_raw.median >= TARGET_VS_RAW if targets else None,
                {"ratio_spread": vs_raw.as_dict()},
            )
        )
    if OFFICIAL not in ms:
        return
    vs_off_raw = summarize([r / f for r, f in zip(ms[RAW], ms[OFFICIAL], strict=False)])
    ctx.add(
        Figure(SECTION, f"{label}: {OFFICIAL}", "ms/call", summarize(ms[OFFICIAL]), vs_off_raw.median, "x raw speed")
    )
    for ours in (GENERATED, FACADE):
        vs_off = summarize([f / o for f, o in zip(ms[OFFICIAL], ms[ours], strict=False)])
        ctx.add(
            Figure(
                SECTION,
                f"{label}: {ours} speed vs official SDK",
                "x",
                vs_off,
                vs_off.median,
                "x official",
                f">= {TARGET_VS_OFFICIAL}x official SDK" if targets else "",
                vs_off.median >= TARGET_VS_OFFICIAL if targets else None,
            )
        )


def _async(ctx: Context, server: Server, where: str, *, targets: bool) -> None:
    total = 300 if ctx.quick else 1500
    rounds = 2 if ctx.quick else 5
    out = asyncio.run(_async_round(server.base_url, total, 10.0, rounds, time.monotonic() + (20 if ctx.quick else 90)))
    rps = {name: [r for r, _ in v] for name, v in out.items()}
    for name, runs in out.items():
        lat = sorted(x for _, lats in runs for x in lats)
        ratio = summarize([o / r for o, r in zip(rps[name], rps[ASYNC_RAW], strict=False)])
        is_ours = name != ASYNC_RAW
        ctx.add(
            Figure(
                SECTION,
                f"async c={CONCURRENCY} ({where}): {name}" + ("" if is_ours else " (floor)"),
                "req/s",
                summarize(rps[name]),
                ratio.median,
                "x raw req/s",
                f">= {TARGET_ASYNC_VS_RAW}x raw httpx" if targets and is_ours else "",
                ratio.median >= TARGET_ASYNC_VS_RAW if targets and is_ours else None,
                extra={"p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "requests": len(lat)},
            )
        )


def _profile(ctx: Context, server: Server) -> None:
    """What remains per call of ClickSend.history against the floor server, hottest frames first."""
    from .profiling import pyinstrument_top

    with ClickSend(SANDBOX_USER, SANDBOX_KEY, base_url=server.base_url) as facade:
        ctx.profiles[SECTION + " (ClickSend.history, floor server)"] = pyinstrument_top(
            lambda: facade.history(limit=100), 1.0 if ctx.quick else 3.0, top=16
        )
