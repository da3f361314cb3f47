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


def most_at_once(wrap: Callable[[Callable[[str], None]], Callable[[str], Any]]) -> int:
    """How many of 4 threads were at once inside a parse (20 ms each) wrapped by ``wrap``."""
    inside, seen = 0, [0]
    count = threading.Lock()

    def slow_parse(source: str) -> None:
        nonlocal inside
        with count:
            inside += 1
            seen.append(inside)
        time.sleep(0.02)  # releases the GIL, as a finalizer run mid-conversion may
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
    # The bug the lock guards against, planted: the same threads overlap once nothing serializes them.
    assert most_at_once(lambda parse: parse) > 1


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the race is fixed in CPython 3.12")
def test_the_hooks_module_installs_it() -> None:
    import clicksend_mms_fuzz.hooks  # noqa: F401  (importing it is what schemathesis does)

    assert getattr(ast.parse, "__wrapped__", None) is not None
    assert isinstance(ast.parse("x = 1"), ast.Module)  # and it still parses
