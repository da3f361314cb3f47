"""Instruction counts (valgrind's callgrind) of a few expressions, in one interpreter run: a figure that neighbours
on a shared machine cannot move, beside the wall-clock ones.

One valgrind run per interpreter: the harness imports once, warms every expression up, then runs each ``n`` times
inside ``itertools.starmap``; callgrind counts only inside ``starmap_next`` (``--toggle-collect``) and writes a
dump after each block (``--dump-after=math_gcd``, the harness calls ``math.gcd`` between blocks). So the counts are
the expressions' own, not the interpreter's start-up or imports. The harness is plain stdlib, so it also runs in the
official SDK's venv.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import tempfile

HARNESS = """
import collections, itertools, math, sys
setup, n, expressions = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
namespace = {}
exec(setup, namespace)
calls = [eval("lambda: " + e, namespace) for e in expressions]
for call in calls:
    call()
math.gcd(0, 0)
for call in calls:
    collections.deque(itertools.starmap(call, itertools.repeat((), n)), maxlen=0)
    math.gcd(0, 0)
"""


def missing() -> str | None:
    return None if shutil.which("valgrind") else "valgrind is not installed (apt-get install valgrind)"


def instructions(python: str, setup: str, expressions: list[str], n: int, cwd: pathlib.Path) -> list[float]:
    """Instructions per call of each expression (callgrind's Ir), in the order given."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "callgrind.out"
        argv = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=starmap_next",
            "--dump-after=math_gcd",
            f"--callgrind-out-file={out}",
            python,
            "-c",
            HARNESS,
            setup,
            str(n),
            *expressions,
        ]
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({proc.returncode}): {proc.stderr[-1500:]}")
        dumps = sorted(pathlib.Path(tmp).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        totals = [_total(p) for p in dumps]
    # The first dump closes the warm-up (nothing collected); then one per expression.
    if len(totals) != len(expressions) + 1:
        raise RuntimeError(f"expected {len(expressions) + 1} callgrind dumps, got {len(totals)}")
    return [t / n for t in totals[1:]]


def _total(dump: pathlib.Path) -> int:
    match = re.search(r"^totals:\s+(\d+)", dump.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else 0
