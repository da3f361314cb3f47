"""Section 6: the send journal's cost. send_bulk with ``journal=PATH`` vs without, 10,000 and 100,000 messages to
a fresh in-memory sandbox, each run in its own process (peak RSS is that run's), the two modes alternated round by
round."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .context import Context, Figure
from .servers import sandbox_missing, sandbox_server
from .stats import summarize

SECTION = "journal"
SIZES = (10_000, 100_000)
TARGET = 0.9  # journal-on throughput at least this share of journal-off


def _one(base: str, n: int, mode: str, folder: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks._journal_worker", base, str(n), mode, str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(ctx: Context) -> None:
    why = sandbox_missing()
    if why:
        ctx.skip(SECTION, why)
        return
    sizes = (2_000, 10_000) if ctx.quick else SIZES
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            # A 10,000-message send lasts about 1 s, and one run's rate differs from the next by up to 30% either way
            # (measured: paired ratios 0.65-1.23 around a median of 0.94 over 20 pairs), so the median of a few
            # pairs is a coin toss: 21 rounds (about 2 minutes). At 100,000 a run varies by 7-24%: 11 rounds (about 5
            # minutes).
            rounds = 1 if ctx.quick else (21 if n <= 10_000 else 11)
            runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
            for round_number in range(rounds):
                # Each run gets a fresh sandbox: on one shared sandbox every run met a bigger database than the one
                # before, and with an odd number of rounds one mode ran second, on the bigger one, more often.
                # The sandbox in memory: it stands in for ClickSend, whose durability is not on this disk. A durable
                # sandbox here fsyncs its WAL on every request, and the journal's fsyncs queue with those: that
                # measures this disk's fsync queue, which a real send to ClickSend never shares.
                for mode in ("off", "on") if round_number % 2 == 0 else ("on", "off"):
                    with sandbox_server(durable=False) as server:
                        runs[mode].append(_one(server.base_url, n, mode, Path(folder)))
            off, on = ([r["rate"] for r in runs[m]] for m in ("off", "on"))
            ratio = summarize([b / a for a, b in zip(off, on, strict=True)])
            peaks = {m: max(r["peak_rss_mb"] for r in runs[m]) for m in runs}
            # The client's own CPU per message, whatever the sandbox's speed: the journal's cost to the user's machine.
            cpu_us = {m: summarize([r["cpu_s"] / n * 1e6 for r in runs[m]]).median for m in runs}
            ctx.add(
                Figure(
                    SECTION,
                    f"send_bulk, no journal, {n} messages",
                    "msg/s",
                    summarize(off),
                    1.0,
                    "x no journal",
                    extra={"peak_rss_mb": round(peaks["off"], 1), "client_cpu_us_per_msg": round(cpu_us["off"], 1)},
                )
            )
            ctx.add(
                Figure(
                    SECTION,
                    f"send_bulk, journal=PATH, {n} messages",
                    "msg/s",
                    summarize(on),
                    ratio.median,
                    "x no journal",
                    f">= {TARGET}x no journal",
                    ratio.median >= TARGET,
                    extra={
                        "peak_rss_mb": round(peaks["on"], 1),
                        "client_cpu_us_per_msg": round(cpu_us["on"], 1),
                        "journal_mb": round(max(r["journal_mb"] for r in runs["on"]), 1),
                    },
                )
            )
            ctx.note(
                SECTION,
                f"{n} messages: journal on/off throughput {ratio.median:.2f}x; peak RSS {peaks['on']:.0f} MB on, "
                f"{peaks['off']:.0f} MB off; client CPU {cpu_us['on']:.0f} us/message on, {cpu_us['off']:.0f} off",
            )
