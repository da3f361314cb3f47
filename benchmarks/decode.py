"""Section 1: decode a 100-row MMS history page, bytes to objects: wall clock, interleaved, and instructions."""

from __future__ import annotations

import datetime
import json
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from clicksend_mms import fast_decode
from clicksend_mms.models import MmsHistoryResponse

from . import callgrind, official
from .context import Context, Figure
from .page import ROOT, page_bytes
from .stats import calibrate, interleaved, loop_timer, summarize

SECTION = "decode"
TARGET_VS_JSON = 1.0  # bytes -> typed models at most json.loads' time
TARGET_VS_OFFICIAL = 2.5  # and this many times faster than the official SDK


def ours(raw: bytes) -> MmsHistoryResponse:
    """What the facades and the generated api functions do with a response body: the compiled decoder."""
    decoded = fast_decode.decode(MmsHistoryResponse, raw)
    if decoded is None:
        raise RuntimeError("the compiled decoder declined the benchmark page: it would be timing the fallback")
    return decoded


def reference(raw: bytes) -> MmsHistoryResponse:
    """The reference path (from_dict on json.loads' dict): what generated api functions did before fast_decode."""
    return MmsHistoryResponse.from_dict(json.loads(raw))


def reference_orjson(raw: bytes) -> MmsHistoryResponse:
    """The reference path as the facades ran it before fast_decode (orjson, then from_dict)."""
    return MmsHistoryResponse.from_dict(orjson.loads(raw))


def _check_ours(raw: bytes) -> None:
    """Speed is worth nothing without the normalisation: every quirky field must come out typed, and the fast path's
    models must be the reference's."""
    assert ours(raw) == reference(raw) and ours(raw).to_dict() == reference(raw).to_dict()
    rows = ours(raw).data.data
    assert len(rows) == 100
    assert all(isinstance(r.message_price, Decimal) for r in rows)
    assert all(r.message_parts is None or isinstance(r.message_parts, int) for r in rows)
    assert all(r.date_added is not None and r.date_added.tzinfo is datetime.UTC for r in rows)
    assert {type(r.status_code) for r in rows} == {int, str, type(None)}
    assert any(r.schedule is None for r in rows) and any(r.schedule is not None for r in rows)


OURS = "clicksend_mms: bytes -> typed models (fast_decode)"
OURS_SORTED = "clicksend_mms fast_decode, keys sorted (the seed file's order)"
REFERENCE = "clicksend_mms from_dict via json.loads (reference path)"
REFERENCE_ORJSON = "clicksend_mms from_dict via orjson (facades before fast_decode)"
OFFICIAL = "official SDK 6.x"


def run(ctx: Context) -> None:
    raw = ctx.page
    _check_ours(raw)
    # The same page with its keys sorted: the compiled decoder's Structs expect ClickSend's (the spec's) order.
    raw_sorted = page_bytes(sort_keys=True)
    assert ours(raw_sorted) == ours(raw)
    variants: dict[str, Callable[[int], float]] = {
        "json.loads": loop_timer(lambda: json.loads(raw)),
        OURS: loop_timer(lambda: ours(raw)),
        OURS_SORTED: loop_timer(lambda: ours(raw_sorted)),
        "orjson.loads": loop_timer(lambda: orjson.loads(raw)),
        REFERENCE: loop_timer(lambda: reference(raw)),
        REFERENCE_ORJSON: loop_timer(lambda: reference_orjson(raw)),
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
            variants[OFFICIAL] = lambda n: w.seconds("decode", n)
            per_call = w.seconds("decode", 5) / 5
            loops[OFFICIAL] = max(1, int(block / per_call))
        deadline = time.monotonic() + (20 if ctx.quick else 60)
        samples = interleaved(variants, loops, ctx.repeats, deadline)
    finally:
        if worker is not None:
            worker.close()

    us = {name: summarize([s * 1e6 for s in values]) for name, values in samples.items()}
    floor = us["json.loads"].median
    ctx.add(Figure(SECTION, "json.loads (floor)", "µs/page", us["json.loads"], 1.0, "x json.loads"))
    vs_json = summarize([o / j for o, j in zip(samples[OURS], samples["json.loads"], strict=False)])
    ctx.add(
        Figure(
            SECTION,
            OURS,
            "µs/page",
            us[OURS],
            vs_json.median,
            "x json.loads",
            f"<= {TARGET_VS_JSON}x json.loads",
            vs_json.median <= TARGET_VS_JSON,
            {"ratio_spread": vs_json.as_dict()},
        )
    )
    for name in (OURS_SORTED, "orjson.loads", REFERENCE, REFERENCE_ORJSON):
        ctx.add(Figure(SECTION, name, "µs/page", us[name], us[name].median / floor, "x json.loads"))
    if OFFICIAL in us:
        off = us[OFFICIAL]
        ctx.add(
            Figure(
                SECTION,
                f"{OFFICIAL} ViewMmsHistory.from_json (coerced copy)",
                "µs/page",
                off,
                off.median / floor,
                "x json.loads",
            )
        )
        speedup = summarize([o / m for o, m in zip(samples[OFFICIAL], samples[OURS], strict=False)])
        ctx.add(
            Figure(
                SECTION,
                "clicksend_mms speed-up over official SDK",
                "x",
                speedup,
                speedup.median,
                "x faster",
                f">= {TARGET_VS_OFFICIAL}x faster than official",
                speedup.median >= TARGET_VS_OFFICIAL,
            )
        )
    _instructions(ctx, worker is not None)

    missed = [f for f in ctx.figures if f.section == SECTION and f.passed is False]
    if missed and ctx.profile:
        from .profiling import pyinstrument_top

        ctx.profiles[SECTION] = pyinstrument_top(lambda: ours(raw), 1.0 if ctx.quick else 3.0)


def _instructions(ctx: Context, with_official: bool) -> None:
    """The same comparisons in instructions per page (callgrind): deterministic where wall clock is noisy."""
    why = callgrind.missing()
    if why:
        ctx.note(SECTION, f"instruction counts skipped: {why}")
        return
    setup = (
        "import json, orjson\n"
        "from clicksend_mms import fast_decode\n"
        "from clicksend_mms.models import MmsHistoryResponse as M\n"
        f"raw = open({str(ctx.page_file)!r}, 'rb').read()\n"
        "raw_sorted = json.dumps(json.loads(raw), separators=(',', ':'), sort_keys=True).encode()"
    )
    ours_expressions = {
        "json.loads": "json.loads(raw)",
        OURS: "fast_decode.decode(M, raw)",
        OURS_SORTED: "fast_decode.decode(M, raw_sorted)",
        "orjson.loads": "orjson.loads(raw)",
        REFERENCE: "M.from_dict(json.loads(raw))",
    }
    n = 5 if ctx.quick else 20
    runs: dict[str, list[float]] = {name: [] for name in ours_expressions}
    official_python = official.python() if with_official else None
    if official_python is not None:
        runs[OFFICIAL] = []
    for _ in range(1 if ctx.quick else 3):
        counts = callgrind.instructions(sys.executable, setup, list(ours_expressions.values()), n, ROOT)
        for name, count in zip(ours_expressions, counts, strict=True):
            runs[name].append(count)
        if official_python is not None:
            official_setup = (
                f"from clicksend.models import ViewMmsHistory\ntext = open({str(ctx.official_page_file)!r}).read()"
            )
            (count,) = callgrind.instructions(
                official_python, official_setup, ["ViewMmsHistory.from_json(text)"], n, ROOT
            )
            runs[OFFICIAL].append(count)
    ir = {name: summarize([c / 1e6 for c in counts]) for name, counts in runs.items()}
    floor = ir["json.loads"].median
    ctx.note(
        SECTION, f"callgrind: {n} calls per expression per run, {len(runs['json.loads'])} run(s); spread is across runs"
    )
    for name, summary in ir.items():
        ratio = summary.median / floor
        target, passed = "", None
        if name == OURS:
            target, passed = f"<= {TARGET_VS_JSON}x json.loads", ratio <= TARGET_VS_JSON
        ctx.add(Figure(SECTION, f"instructions: {name}", "M Ir/page", summary, ratio, "x json.loads", target, passed))
    if OFFICIAL in ir:
        speedup = ir[OFFICIAL].median / ir[OURS].median
        ctx.add(
            Figure(
                SECTION,
                "instructions: clicksend_mms fewer than official SDK",
                "x",
                summarize([o / m for o, m in zip(runs[OFFICIAL], runs[OURS], strict=True)]),
                speedup,
                "x fewer",
                f">= {TARGET_VS_OFFICIAL}x fewer than official",
                speedup >= TARGET_VS_OFFICIAL,
            )
        )


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
