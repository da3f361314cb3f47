"""The official ClickSend SDK (clicksend-client 6.x) in its own venv, driven as a subprocess worker.

The venv is the one the foreign-SDK tests use (tests/sandbox/foreign_sdks/venvs.py: built on first use from exact
pins, then reused), so the SDK benchmarked is the SDK tested against the sandbox.
"""

from __future__ import annotations

import pathlib
from typing import Any

from tests.sandbox.foreign_sdks import venvs
from tests.sandbox.foreign_sdks.worker import LineWorker

from .servers import HERE

WORKER = HERE / "_official_worker.py"
_python: pathlib.Path | None = None


def ensure_venv(log: list[str]) -> str | None:
    """Build (first run) or find the official SDK's venv; return why it is unavailable, or None."""
    global _python
    try:
        _python = venvs.ensure_venv(venvs.SDK6)
    except venvs.SdkUnavailable as exc:
        return str(exc)
    log.append(f"official SDK: clicksend-client {venvs.SDK6} in {_python.parent.parent.relative_to(HERE.parent)}")
    return None


def python() -> str | None:
    """The official SDK venv's interpreter, once ensure_venv() has found it."""
    return None if _python is None else str(_python)


class OfficialWorker(LineWorker):
    """One long-lived worker process, so its timing blocks interleave with ours in the same run."""

    def __init__(self) -> None:
        if _python is None:
            raise RuntimeError("call ensure_venv() first")
        super().__init__([str(_python), str(WORKER)])

    def call(self, cmd: str, **args: Any) -> Any:
        reply = self.exchange({"cmd": cmd, **args})
        if not reply["ok"]:
            raise RuntimeError(f"official SDK worker: {reply['error']}")
        return reply["result"]

    def prepare(self, raw: pathlib.Path, out: pathlib.Path) -> dict[str, Any]:
        result: dict[str, Any] = self.call("prepare", raw=str(raw), out=str(out))
        return result

    def seconds(self, cmd: str, n: int) -> float:
        return float(self.call(cmd, n=n))
