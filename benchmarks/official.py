"""The official ClickSend SDK (clicksend-client 6.x) in its own venv, driven as a subprocess worker.

The main venv holds clicksend-client 5.x for an interop test, so 6.x gets benchmarks/.cache/venv-official,
created on first run from the exact pins in official-requirements.txt (idempotent: a stamp file records them).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from types import TracebackType
from typing import Any

from .servers import CACHE, HERE

VENV = CACHE / "venv-official"
REQUIREMENTS = HERE / "official-requirements.txt"
WORKER = HERE / "_official_worker.py"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed"


def ensure_venv(log: list[str]) -> str | None:
    """Create/refresh the official SDK's venv; return why it is unavailable, or None."""
    wanted = REQUIREMENTS.read_text()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return None
    log.append("creating benchmarks/.cache/venv-official with clicksend-client 6.0.2 (first run)")
    steps = [[sys.executable, "-m", "venv", "--clear", str(VENV)]] if not PYTHON.exists() else []
    steps.append(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)]
    )
    for argv in steps:
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            return f"{' '.join(argv[:3])} timed out"
        if proc.returncode != 0:
            return f"installing the official SDK failed: {proc.stderr.strip()[-500:]}"
    STAMP.write_text(wanted)
    return None


class OfficialWorker:
    """One long-lived worker process, so its timing blocks interleave with ours in the same run."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(PYTHON), str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def call(self, cmd: str, **args: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"official SDK worker died: {err[-1000:]}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(f"official SDK worker: {reply['error']}")
        return reply["result"]

    def prepare(self, raw: pathlib.Path, out: pathlib.Path) -> dict[str, Any]:
        result: dict[str, Any] = self.call("prepare", raw=str(raw), out=str(out))
        return result

    def seconds(self, cmd: str, n: int) -> float:
        return float(self.call(cmd, n=n))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> OfficialWorker:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
