"""The fuzz process parses one source at a time (ast_lock: CPython 3.11's AST thread race, gh-106905)."""

from __future__ import annotations

import ast
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from clicksend_mms_fuzz import ast_lock

from tests.helpers.waiting import HANG


def most_at_once(wrap: Callable[[Callable[[str], None]], Callable[[str], Any]], *, meet: bool = False) -> int:
    """How many of 4 threads were at once inside a parse wrapped by ``wrap``.

    Each parse holds on for 20 ms (releasing the GIL, as a finalizer run mid-conversion may) or, with ``meet``, until
    all 4 are inside at once, which only a wrapper that lets them overlap allows: a planted lock then hangs there,
    so ``meet`` is for proving overlap, never for proving its absence."""
    inside, seen = 0, [0]
    count = threading.Lock()
    all_inside = threading.Event()

    def slow_parse(source: str) -> None:
        nonlocal inside
        with count:
            inside += 1
            seen.append(inside)
            if inside == 4:
                all_inside.set()
        if meet:
            all_inside.wait(HANG)  # an event, not a time: the threads start whenever the machine lets them
        else:
            time.sleep(0.02)  # timing-safe: the serialized verdict holds however long the machine takes
        with count:
            inside -= 1

    threads = [threading.Thread(target=wrap(slow_parse), args=("x = 1",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(seen)


def test_serialized_parses_never_overlap() -> None:
    assert most_at_once(ast_lock.serialized) == 1


def test_without_the_lock_they_do() -> None:
    # The bug the lock guards against, planted: the same threads overlap once nothing serializes them (all four,
    # on any machine: they wait for each other, where a 20 ms window could close before a slow thread starts).
    assert most_at_once(lambda parse: parse, meet=True) == 4


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the race is fixed in CPython 3.12")
def test_the_hooks_module_installs_it() -> None:
    import clicksend_mms_fuzz.hooks  # noqa: F401  (importing it is what schemathesis does)

    assert getattr(ast.parse, "__wrapped__", None) is not None
    assert isinstance(ast.parse("x = 1"), ast.Module)  # and it still parses
