"""Drive an SDK worker (sdk5_worker.py / sdk6_worker.py) in its venv: one call, one reply."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from clicksend_mms_sandbox.testing import Credentials

HERE = Path(__file__).resolve().parent


@dataclass
class Reply:
    ok: bool
    value: Any = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class LineWorker:
    """A long-lived process that answers each JSON line it reads with one JSON line: the foreign-SDK workers here,
    and the benchmarks' official-SDK worker (benchmarks/official.py)."""

    def __init__(self, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self._name = Path(argv[-1]).name
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd
        )

    def exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            err = self._proc.stderr.read() if self._proc.stderr else ""
            raise RuntimeError(f"the worker {self._name} died: {err[-1000:]}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SdkWorker(LineWorker):
    """One worker process running ClickSend's SDK against the sandbox at `origin` as `account`."""

    def __init__(self, python: Path, script: str, origin: str, account: Credentials) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}
        env |= {
            "CLICKSEND_ORIGIN": origin,
            "CLICKSEND_USERNAME": account.username,
            "CLICKSEND_API_KEY": account.api_key,
        }
        env.pop("PYTHONPATH", None)  # the venv's packages only (the script's folder gives it _protocol.py)
        super().__init__([str(python), "-s", str(HERE / script)], env=env, cwd=HERE)

    def call(self, name: str, **args: Any) -> Reply:
        raw = self.exchange({"call": name, "args": args})
        ok, value, error = raw.pop("ok"), raw.pop("value", None), raw.pop("error", None)
        return Reply(ok, value, error, raw)
