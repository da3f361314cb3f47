"""`python -m tests.mutants [NAME ...] [--max-time S]` (`make mutants`): run the default fuzz against each planted
bug (all of them by default) and print mutant -> caught by which check -> seconds.

Exit code: 0 when every mutant was caught, 1 when one survived, 2 when a patch no longer applies to the sandbox.
"""

from __future__ import annotations

import argparse
import sys

from .catalog import MUTANTS, by_name, every_mutant, extra, spec_derived
from .harness import PatchDoesNotApply, check_applies, run, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--max-time", type=int, help="time cap per mutant run, seconds (default: the fuzz's)")
    parser.add_argument("--examples", type=int, help="smaller case budget per mutant run (default: the fuzz's)")
    parser.add_argument(
        "--max-failures", type=int, default=1, help="stop a run after this many failures (default 1: the first catch)"
    )
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="MODULE",
        help="also run the mutants of tests/mutants/MODULE.py (its FRESH_EYES or MUTANTS); fresh_eyes is "
        "included automatically when it exists",
    )
    parser.add_argument(
        "--only",
        choices=("hand", "spec", "all"),
        default="all",
        help="hand-written (catalog.py), spec-derived (spec_derived.py) or all (default, extra catalogs included)",
    )
    args = parser.parse_args(argv)
    chosen = {"hand": MUTANTS, "spec": spec_derived(), "all": every_mutant()}[args.only]
    chosen += tuple(m for module in args.catalog for m in extra(module) if m not in chosen)
    mutants = [by_name(name) for name in args.names] if args.names else list(chosen)
    try:
        for mutant in mutants:  # all before any run: a stale patch is reported at once, not after minutes
            check_applies(mutant)
    except PatchDoesNotApply as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    outcomes = []
    for number, mutant in enumerate(mutants, start=1):
        print(f"[{number}/{len(mutants)}] {mutant.name}: {mutant.what} ...", flush=True)
        outcome = run(mutant, max_time=args.max_time, max_failures=args.max_failures, examples=args.examples)
        verdict = ", ".join(outcome.caught_by) if outcome.caught else "NOT CAUGHT"
        verdict += "".join(f"\n    ERROR {error}" for error in outcome.errors)
        print(f"    -> {verdict} ({outcome.seconds:.1f}s)", flush=True)
        outcomes.append(outcome)
    print()
    print(table(outcomes))
    survivors = [o.mutant.name for o in outcomes if not o.caught]
    print(
        f"\n{len(outcomes) - len(survivors)}/{len(outcomes)} caught"
        + (f"; survived: {', '.join(survivors)}" if survivors else "")
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
