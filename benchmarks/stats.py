"""Summaries of repeated measurements: median with IQR/stdev, and interleaved timing of several variants."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True)
class Summary:
    """The median of repeated samples with its spread (IQR and stdev), in the samples' unit."""

    median: float
    q1: float
    q3: float
    stdev: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def rel_iqr(self) -> float:
        return self.iqr / self.median if self.median else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "q1": self.q1, "q3": self.q3, "iqr": self.iqr, "stdev": self.stdev, "n": self.n}


def summarize(samples: Sequence[float]) -> Summary:
    if not samples:
        raise ValueError("no samples")
    data = sorted(samples)
    if len(data) == 1:
        return Summary(data[0], data[0], data[0], 0.0, 1)
    q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Summary(statistics.median(data), q1, q3, statistics.stdev(data), len(data))


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def loop_timer(fn: Callable[[], Any]) -> Callable[[int], float]:
    """``n -> seconds`` for ``n`` back-to-back calls of ``fn``: the variant shape ``interleaved`` runs."""

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return time.perf_counter() - start

    return run


def calibrate(fn: Callable[[], Any], target_s: float, max_n: int = 1_000_000) -> int:
    """How many calls of ``fn`` fill about ``target_s`` seconds (at least 1, at most ``max_n``)."""
    n = 1
    while n < max_n:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= target_s / 4:
            return max(1, min(max_n, int(n * target_s / elapsed)))
        n *= 4
    return max_n


def interleaved(
    variants: Mapping[str, Callable[[int], float]],
    loops: Mapping[str, int],
    repeats: int,
    deadline: float,
) -> dict[str, list[float]]:
    """Run each variant's block of ``loops[name]`` calls, round-robin, ``repeats`` times (or until ``deadline``).

    A variant is ``run(n) -> seconds for n calls``; the sample kept is seconds per call. Round-robin means a
    noisy neighbour slows every variant alike, so ratios within one round stay meaningful.
    """
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            n = loops[name]
            samples[name].append(run(n) / n)
        if time.monotonic() > deadline:
            break
    return samples
