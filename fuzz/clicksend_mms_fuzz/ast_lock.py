"""One `ast.parse` at a time in the fuzz process: a workaround for CPython 3.11's AST thread race (gh-106905).

CPython 3.11 keeps the AST constructor's recursion depth in interpreter-wide state. When two threads turn source
into AST objects at once (a thread switch can happen mid-conversion, e.g. in a finalizer the collector runs),
one of them fails with ``SystemError: AST constructor recursion depth mismatch``. schemathesis' two workers do
exactly that: hypothesis describes every filtered strategy by parsing its lambda's source file
(hypothesis.internal.lambda_sources), and a `make fuzz` run now and then ended with that error instead of a
verdict. Python 3.12 fixed the race; until the project leaves 3.11, the fuzz process serializes `ast.parse`.
The lock is re-entrant because a finalizer run mid-parse may itself parse.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from typing import Any

_lock = threading.RLock()


def install() -> None:
    """Replace `ast.parse` with a serialized one (idempotent; a no-op where the race is fixed)."""
    if sys.version_info >= (3, 12) or getattr(ast.parse, "__wrapped__", None) is not None:
        return
    ast.parse = serialized(ast.parse)


def serialized(parse: Any) -> Any:
    @functools.wraps(parse)
    def parse_alone(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return parse(*args, **kwargs)

    return parse_alone
