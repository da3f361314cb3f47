"""Section 1: decode a 100-row MMS history page, bytes to objects."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from clicksend_mms.models import MmsHistoryResponse

from . import official
from .context import Context, Figure
from .stats import calibrate, interleaved, loop_timer, summarize

SECTION = "decode"


def ours(raw: bytes) -> MmsHistoryResponse:
    """What the ClickSend/AsyncClickSend facade does with a response body (sdk/clicksend_mms/_core.py)."""
    return MmsHistoryResponse.from_dict(orjson.loads(raw))


def ours_stdlib(raw: bytes) -> MmsHistoryResponse:
    """The generated api functions' path: httpx's response.json() is json.loads."""
    return MmsHistoryResponse.from_dict(json.loads(raw))


def _check_ours(raw: bytes) -> None:
    """Speed is worth nothing without the normalisation: every quirky field must come out typed."""
    rows = ours(raw).data.data
    assert len(rows) == 100
    assert all(isinstance(r.message_price, Decimal) for r in rows)
    assert all(r.message_parts is None or isinstance(r.message_parts, int) for r in rows)
    assert all(r.date_added is not None and r.date_added.tzinfo is datetime.UTC for r in rows)
    assert {type(r.status_code) for r in rows} == {int, str, type(None)}
    assert any(r.schedule is None for r in rows) and any(r.schedule is not None for r in rows)


def run(ctx: Context) -> None:
    raw = ctx.page
    _check_ours(raw)
    variants: dict[str, Callable[[int], float]] = {
        "json.loads": loop_timer(lambda: json.loads(raw)),
        "clicksend_mms": loop_timer(lambda: ours(raw)),
        "clicksend_mms json.loads": loop_timer(lambda: ours_stdlib(raw)),
        "orjson.loads": loop_timer(lambda: orjson.loads(raw)),
    }

    block = 0.04 if ctx.quick else 0.15
    loops = {name: calibrate(lambda r=r: r(1), block) for name, r in variants.items()}  # type: ignore[misc]
    worker: official.OfficialWorker | None = None
    why = official.ensure_venv(ctx.notes.setdefault(SECTION, []))
    if why:
        ctx.note(SECTION, f"official SDK row skipped: {why}")
    else:
        worker = official.OfficialWorker()
    try:
        if worker is not None:
            info = worker.prepare(ctx.page_file, ctx.official_page_file)
            ctx.data["official_sdk"] = info
            _describe_coercions(ctx, info)
            w = worker
            variants["official SDK 6.x"] = lambda n: w.seconds("decode", n)
            per_call = w.seconds("decode", 5) / 5
            loops["official SDK 6.x"] = max(1, int(block / per_call))
        deadline = time.monotonic() + (20 if ctx.quick else 60)
        samples = interleaved(variants, loops, ctx.repeats, deadline)
    finally:
        if worker is not None:
            worker.close()

    us = {name: summarize([s * 1e6 for s in values]) for name, values in samples.items()}
    floor = us["json.loads"].median
    ctx.add(Figure(SECTION, "json.loads (floor)", "µs/page", us["json.loads"], 1.0, "x json.loads"))
    for name, label in (
        ("orjson.loads", "orjson.loads"),
        ("clicksend_mms json.loads", "clicksend_mms via json.loads (generated api functions)"),
    ):
        ctx.add(Figure(SECTION, label, "µs/page", us[name], us[name].median / floor, "x json.loads"))
    mine = us["clicksend_mms"]
    ctx.add(
        Figure(
            SECTION,
            "clicksend_mms: bytes -> typed models (facade: orjson)",
            "µs/page",
            mine,
            mine.median / floor,
            "x json.loads",
            "<= 1.5x json.loads",
            mine.median / floor <= 1.5,
        )
    )
    if "official SDK 6.x" in us:
        off = us["official SDK 6.x"]
        paired = [o / m for o, m in zip(samples["official SDK 6.x"], samples["clicksend_mms"], strict=False)]
        speedup_summary = summarize(paired)
        speedup = speedup_summary.median
        ctx.add(
            Figure(
                SECTION,
                "official SDK 6.x ViewMmsHistory.from_json (coerced copy)",
                "µs/page",
                off,
                off.median / floor,
                "x json.loads",
            )
        )
        ctx.add(
            Figure(
                SECTION,
                "clicksend_mms speed-up over official SDK",
                "x",
                speedup_summary,
                speedup,
                "x faster",
                ">= 2x faster than official",
                speedup >= 2.0,
            )
        )

    missed = [f for f in ctx.figures if f.section == SECTION and f.passed is False]
    if missed and ctx.profile:
        from .profiling import pyinstrument_top

        ctx.profiles[SECTION] = pyinstrument_top(lambda: ours(raw), 1.0 if ctx.quick else 3.0)


def _describe_coercions(ctx: Context, info: dict[str, Any]) -> None:
    coerced: dict[str, dict[str, Any]] = info["coerced"]
    if not coerced:
        ctx.note(SECTION, "the official SDK accepted the page as is")
    for field, entry in coerced.items():
        ctx.note(
            SECTION,
            f"official SDK {info['version']} rejects {field} ({entry['error']}: {entry['message']}) in "
            f"{entry['count']}/100 rows, e.g. {', '.join(entry['examples'])}: coerced on its copy",
        )
