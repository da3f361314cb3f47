"""The embedded sandbox as a fuzz target: `clicksend-mms-sandbox` in a subprocess on a free 127.0.0.1 port.

A subprocess rather than a thread: schemathesis is CPU-bound Python, and the sandbox in the same interpreter
would share its GIL; two processes use both cores.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

SANDBOX_USERNAME = "sandbox"
SANDBOX_API_KEY = "sandbox-key"  # the sandbox's documented default account, not a secret
_STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited with {process.returncode} before serving")
        try:
            httpx.get(f"{url}/mms/history", auth=(SANDBOX_USERNAME, SANDBOX_API_KEY), timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the sandbox did not answer on {url} within {_STARTUP_TIMEOUT:.0f}s")


@contextlib.contextmanager
def sandbox_server(*extra_args: str) -> Iterator[str]:
    """Serve a fresh in-memory sandbox; yield its base URL; stop it on exit. `extra_args` go to its command line
    after the defaults (a later flag overrides an earlier one)."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys; from clicksend_mms_sandbox.cli import main; sys.exit(main())",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        # The sandbox's rate limit (6000/min by default, like a real account) would answer 429s the fuzz
        # did not ask for; rate limiting is tested by the sandbox's own tests and the client retry tests.
        "--rate-limit",
        "0",
        "--no-access-log",
        "--log-level",
        "warning",
        *extra_args,
    ]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
