"""Run the sandbox under uvicorn in a subprocess on 127.0.0.1 (a real socket: timeouts and drops are real)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sandbox_server(*extra: str) -> Iterator[str]:
    """The sandbox's own entry point (uvicorn inside); ``extra`` are its flags, e.g. ``--rate-limit 0``."""
    port = free_port()
    cmd = [sys.executable, "-c", "from clicksend_mms_sandbox.cli import main; main()"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log", *extra]
    proc = subprocess.Popen(cmd)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"sandbox exited with {proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox did not start within 20 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
