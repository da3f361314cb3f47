"""Profiles taken where a target is missed: pyinstrument in-process, py-spy on a server process.

Each returns the hottest frames by self time as short text lines, for the report and results.json.
"""

from __future__ import annotations

import collections
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def pyinstrument_top(fn: Callable[[], Any], seconds: float, top: int = 12) -> list[str]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return ["pyinstrument is not installed: no profile"]
    profiler = Profiler(interval=0.0005)
    deadline = time.perf_counter() + seconds
    profiler.start()
    while time.perf_counter() < deadline:
        fn()
    session = profiler.stop()
    totals: dict[str, float] = collections.defaultdict(float)
    root = session.root_frame()
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if not frame.is_synthetic and frame.total_self_time > 0:
            where = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
            totals[where] += frame.total_self_time
    total = sum(totals.values()) or 1.0
    return [
        f"{100 * t / total:5.1f}% self  {where}" for where, t in sorted(totals.items(), key=lambda kv: -kv[1])[:top]
    ]


def pyspy_top(pid: int, seconds: float, load: Callable[[], object], top: int = 12) -> list[str]:
    """Sample ``pid`` with py-spy while ``load`` runs; hottest leaf frames (and the share of each top module)."""
    pyspy = shutil.which("py-spy") or str(_venv_bin("py-spy"))
    if not shutil.which(pyspy):
        return ["py-spy is not installed: no profile"]
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as out:
        path = out.name
    argv = [
        pyspy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "250",
        "--format",
        "raw",
        "--output",
        path,
        "--nonblocking",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        load()
        _, err = proc.communicate(timeout=seconds + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        return [f"py-spy failed: {err.strip()[-300:]}"]
    leaves: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    with open(path) as fh:
        for line in fh:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            frames = stack.split(";")
            leaves[frames[-1]] += int(count)
            for f in set(frames):
                inclusive[f] += int(count)
    total = sum(leaves.values()) or 1
    lines = [f"{100 * n / total:5.1f}% self  {frame}" for frame, n in leaves.most_common(top)]
    lines.append("-- inclusive, project frames only --")
    ours = [(f, n) for f, n in inclusive.most_common() if "clicksend_mms" in f]
    lines += [f"{100 * n / total:5.1f}% incl  {frame}" for frame, n in ours[:top]]
    return lines


def _venv_bin(name: str) -> pathlib.Path:
    return pathlib.Path(sys.executable).parent / name
