"""Wait for something to happen, never for a time: the test goes on the moment the condition holds.

A `time.sleep(n)` before checking what another thread or process did is a race the busy machine loses; this polls
the condition instead. The timeout only catches a hang (it is generous on purpose: a slow machine makes the wait
longer, never the verdict different), and its failure says what never happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

HANG = 120.0  # seconds: far beyond any honest wait on a loaded 2-core machine
POLL = 0.02


class NeverHappened(AssertionError):
    """The condition did not hold within the hang guard."""


def wait_until(condition: Callable[[], T], what: str, *, timeout: float = HANG) -> T:
    """Call `condition` until it returns something truthy, and return that; fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise NeverHappened(f"{what}: still not so after {timeout:.0f} s")
        time.sleep(POLL)  # timing-safe: the poll interval; the condition decides
