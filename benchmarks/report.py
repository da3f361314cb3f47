"""The table printed at the end, benchmarks/results.json and the small PNG chart."""

from __future__ import annotations

import json
import os
import pathlib
import platform
import sys
from typing import Any

from .context import Context, Figure

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
CHART = HERE / "results.png"


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def _row(f: Figure) -> list[str]:
    s = f.summary
    spread = f"IQR {_fmt(s.iqr)} ({100 * s.rel_iqr:.0f}%)" if s.n > 1 else "-"
    value = f"{_fmt(s.median)} {f.unit}"
    if "p99_ms" in f.extra and isinstance(f.extra["p99_ms"], dict):
        value += f"  p50 {_fmt(f.extra['p50_ms']['median'])} / p99 {_fmt(f.extra['p99_ms']['median'])} ms"
    elif "p99_ms" in f.extra:
        value += f"  p50 {_fmt(f.extra['p50_ms'])} / p99 {_fmt(f.extra['p99_ms'])} ms"
    ratio = f"{f.ratio:.2f} {f.ratio_label}" if f.ratio is not None else ""
    if isinstance(f.extra.get("vs_floor"), dict):
        ratio += f", {f.extra['vs_floor']['median']:.2f} x floor"
    verdict = "" if f.passed is None else ("PASS" if f.passed else "MISS")
    if f.extra.get("warning"):
        verdict = (verdict + " !errors").strip()
    return [f.section, f.name, value, spread, ratio, f.target, verdict]


def table(ctx: Context) -> str:
    header = ["section", "figure", "median", "spread", "ratio", "target", ""]
    rows = [header] + [_row(f) for f in ctx.figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for section, reason in ctx.skipped.items():
        lines.append(f"{section}: SKIPPED - {reason}")
    return "\n".join(lines)


def write_json(ctx: Context, elapsed: float, argv: list[str]) -> None:
    doc = {
        "argv": argv,
        "quick": ctx.quick,
        "elapsed_s": round(elapsed, 1),
        "machine": machine(),
        "figures": [f.as_dict() for f in ctx.figures],
        "skipped": ctx.skipped,
        "notes": ctx.notes,
        "data": ctx.data,
        "profiles": ctx.profiles,
    }
    RESULTS.write_text(json.dumps(doc, indent=1, default=str) + "\n")


def write_chart(ctx: Context) -> str | None:
    """One small bar chart of the ratios that have targets; returns why it was not drawn, or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no chart"
    figs = [f for f in ctx.figures if f.ratio is not None and f.section != "fuzz"]
    if not figs:
        return "nothing to chart"
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(figs) + 1.2), dpi=80)
    labels = [f"{f.section}: {f.name}"[:70] for f in figs]
    colours = ["#2a9d8f" if f.passed else "#e76f51" if f.passed is False else "#8d99ae" for f in figs]
    ax.barh(range(len(figs)), [f.ratio or 0.0 for f in figs], color=colours)
    for i, f in enumerate(figs):
        ax.text((f.ratio or 0.0) * 1.02, i, f.ratio_label, va="center", fontsize=6)
    ax.set_yticks(range(len(figs)), labels, fontsize=6)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.6)
    ax.set_title("clicksend-mms bench: ratios in one run (green PASS, red MISS, grey reference)", fontsize=8)
    ax.tick_params(axis="x", labelsize=6)
    fig.tight_layout()
    fig.savefig(CHART)
    plt.close(fig)
    return None
