"""python -m benchmarks [--quick] [--only SECTION ...] [--skip SECTION ...] [--no-profile]"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from . import bulk, decode, fuzz, journal, report, roundtrip, scale, serving
from .context import Context

SECTIONS: dict[str, Callable[[Context], None]] = {
    "decode": decode.run,
    "roundtrip": roundtrip.run,
    "sandbox": serving.run,
    "fuzz": fuzz.run,
    "bulk": bulk.run,
    "scale": scale.run,  # 10k and 100k rows; 1M with CLICKSEND_BENCH_SCALE_1M=1 (benchmarks/scale.py)
    "journal": journal.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repeats, short loads: a smoke test, not figures")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), default=[], metavar="SECTION")
    parser.add_argument("--skip", nargs="+", choices=list(SECTIONS), default=[], metavar="SECTION")
    parser.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    args = parser.parse_args(argv)
    ctx = Context(quick=args.quick, profile=not args.no_profile)
    m = report.machine()
    print(f"clicksend-mms bench{' (quick)' if args.quick else ''}: {m['nproc']} CPUs, {m['cpu']}, Python {m['python']}")
    start = time.monotonic()
    for name, run in SECTIONS.items():
        if (args.only and name not in args.only) or name in args.skip:
            ctx.skipped[name] = "not selected (--only/--skip)"
            continue
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        try:
            run(ctx)
        except Exception as exc:  # one broken section must not hide the others' figures
            traceback.print_exc()
            ctx.skip(name, f"failed: {type(exc).__name__}: {exc}"[:500])
        print(f"   ({time.monotonic() - t0:.0f} s)", flush=True)
    elapsed = time.monotonic() - start
    print()
    print(report.table(ctx))
    for section, lines in ctx.profiles.items():
        print(f"\nprofile ({section}):")
        print("\n".join("  " + line for line in lines))
    why = report.write_chart(ctx)
    if why:
        print(f"chart: {why}")
    report.write_json(ctx, elapsed, sys.argv[1:] if argv is None else argv)
    print(
        f"\nwrote {report.RESULTS.relative_to(report.HERE.parent)}"
        + ("" if why else f" and {report.CHART.relative_to(report.HERE.parent)}")
        + f" in {elapsed:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
