"""What a test needs to talk to a sandbox, in one place.

- ``DEFAULT`` (``sandbox``) and ``SECOND`` (``sandbox2``): the sandbox's funded accounts; two, so isolation can be
  tested (neither may see the other's messages, receipts, exports, uploads or faults);
- ``CLICKSEND_TEST_ACCOUNTS`` (``nocredit``, ``notactive``, ``banned``, sharing ``CLICKSEND_TEST_API_KEY``) and
  ``TEST_RECIPIENTS``: ClickSend's own testing fixtures, read from the spec (``x-clicksend-testing``), so the spec's
  documentation, the sandbox and the fuzzer's live spend guard share one list;
- ``API_BASE_PATH``: ``/v3``, where ClickSend serves its API (the path of the spec's first server) and so does the
  sandbox; root paths are aliases;
- ``free_port()`` and ``serve()``: the sandbox's console script in a subprocess on a free 127.0.0.1 port, as a
  context manager (a real socket and its own interpreter: timeouts, drops and kill -9 are real).
"""

from __future__ import annotations

import contextlib
import http.client
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .spec import base_path, load_spec

HOST = "127.0.0.1"
# Every answer of a sandbox carries this header, its version as the value: how a client or the fuzzer tells a
# sandbox (yours, a CI service's, a teammate's) from ClickSend, which never sends it.
SANDBOX_HEADER = "X-ClickSend-Sandbox"


def sandbox_version() -> str:
    """The installed clicksend-mms version (the sandbox ships in its wheel), the value of ``SANDBOX_HEADER``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clicksend-mms")
    except PackageNotFoundError:  # a source tree on sys.path that was never installed
        return "0+unknown"


@dataclass(frozen=True)
class Credentials:
    username: str
    api_key: str = field(repr=False)

    @property
    def basic_auth(self) -> tuple[str, str]:
        """For httpx's ``auth=``."""
        return (self.username, self.api_key)


DEFAULT = Credentials("sandbox", "sandbox-key")  # the sandbox's documented default account (not a secret)
SECOND = Credentials("sandbox2", "sandbox2-key")  # a second funded account, for isolation tests and fuzzing

_SPEC = load_spec()
API_BASE_PATH = base_path(_SPEC)
_FIXTURES: dict[str, Any] = _SPEC["x-clicksend-testing"]
TEST_RECIPIENTS: tuple[str, ...] = tuple(_FIXTURES["recipients"])
CLICKSEND_TEST_API_KEY: str = _FIXTURES["api_key"]
CLICKSEND_TEST_ACCOUNTS: tuple[Credentials, ...] = tuple(
    Credentials(name, CLICKSEND_TEST_API_KEY) for name in _FIXTURES["accounts"]
)


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningSandbox:
    origin: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The base URL to configure a ClickSend client with, as ``https://rest.clicksend.com/v3`` would be."""
        return self.origin + API_BASE_PATH

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])


def sandbox_command() -> list[str]:
    """How to run the sandbox: its console script beside this interpreter, else the module."""
    script = shutil.which("clicksend-mms-sandbox", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "clicksend_mms_sandbox.cli"]


def _answers(port: int) -> bool:
    # http.client, not urllib or httpx: no proxy settings from the environment can reroute a loopback probe.
    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("GET", "/openapi.json")  # public: no account needed
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def serve(
    *flags: str,
    rate_limit: int | None = None,
    env: Mapping[str, str] | None = None,
    stdout: IO[Any] | int | None = None,
    stderr: IO[Any] | int | None = None,
    timeout: float = 60.0,
) -> Iterator[RunningSandbox]:
    """Start ``clicksend-mms-sandbox`` on a free port with ``flags`` (``--db PATH``, ``--account U:K``...), wait
    until it answers, yield it, and stop it on exit (SIGTERM, then SIGKILL). ``rate_limit=0`` turns the per-account
    limit off, a small number makes bursts meet 429s; None keeps the sandbox's default (6000 a minute).

    ``timeout`` only guards against a sandbox that never starts: it is over within a second or two when the machine
    is quiet, and a CI runner whose cores are all busy may take many times that."""
    port = free_port()
    command = [*sandbox_command(), "--host", HOST, "--port", str(port)]
    if "--log-level" not in flags:
        command += ["--log-level", "warning"]
    if rate_limit is not None:
        command += ["--rate-limit", str(rate_limit)]
    process = subprocess.Popen(
        [*command, *flags],
        env=None if env is None else dict(env),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if process.poll() is not None:
                raise RuntimeError(f"the sandbox exited with {process.returncode} before serving")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not answer on port {port} within {timeout:.0f} s")
            time.sleep(0.05)
        yield RunningSandbox(f"http://{HOST}:{port}", process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
