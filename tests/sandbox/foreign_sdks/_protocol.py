"""The loop both SDK workers run inside their own venv (standard library only): one JSON request per stdin line,
`{"call": NAME, "args": {...}}`, one JSON reply per stdout line, `{"ok": true, "value": ...}` or
`{"ok": false, "error": EXCEPTION_TYPE, ...what the SDK's exception says}`."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any


def run(calls: dict[str, Callable[..., Any]], details: Callable[[BaseException], dict[str, Any]]) -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"ok": True, "value": calls[request["call"]](**request.get("args", {}))}
        except Exception as exc:  # the test asserts which exception, and why: report it, never die
            reply = {"ok": False, "error": type(exc).__name__, **details(exc)}
            reply.setdefault("traceback", traceback.format_exc(limit=3)[-1500:])
        sys.stdout.write(json.dumps(reply, default=str) + "\n")
        sys.stdout.flush()
