"""Start and stop the servers the benchmark talks to, each in its own process on 127.0.0.1.

Every server is a context manager: stopped on exit, whatever happened inside. The sandbox is started by its own
launcher (clicksend_mms_sandbox.testing.serve) and configured as users run it; Prism in its own process group.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import os
import pathlib
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from typing import Any

import clicksend_mms_spec
import httpx
from clicksend_mms_sandbox import testing

from .page import ROOT

HERE = pathlib.Path(__file__).resolve().parent
CACHE = HERE / ".cache"
HOST = testing.HOST
SANDBOX_USER = testing.DEFAULT.username
SANDBOX_KEY = testing.DEFAULT.api_key
PRISM_VERSION = "5.14.2"
MEDIA = "https://example.com/cat.jpg"


def basic_auth(username: str = SANDBOX_USER, api_key: str = SANDBOX_KEY) -> str:
    return "Basic " + base64.b64encode(f"{username}:{api_key}".encode()).decode()


class Server:
    """A running server: its API's base URL (the sandbox's ends in /v3, as ClickSend's), origin and process (for
    profilers)."""

    def __init__(self, name: str, base_url: str, proc: subprocess.Popen[bytes], log: pathlib.Path, origin: str) -> None:
        self.name = name
        self.base_url = base_url
        self.origin = origin
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid


def _stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


def _wait_ready(
    proc: subprocess.Popen[bytes], url: str, headers: Mapping[str, str], timeout: float, log: pathlib.Path
) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            r = httpx.get(url, headers=dict(headers), timeout=2.0)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}: {r.text[:300]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise RuntimeError(f"not ready after {timeout:.0f}s ({url}): {last}; log: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def _serve(
    name: str, argv: list[str], port: int, ready_path: str, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[Server]:
    CACHE.mkdir(parents=True, exist_ok=True)
    workdir = CACHE / "run" / name
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH", "")]))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=workdir, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://{HOST}:{port}"
        _wait_ready(proc, base + ready_path, {"Authorization": basic_auth()}, timeout, log)
        yield Server(name, base, proc, log, base)
    finally:
        _stop(proc)


def sandbox_missing() -> str | None:
    """Why the sandbox can't be benchmarked, or None if ``clicksend_mms_sandbox.create_app`` imports."""
    if importlib.util.find_spec("clicksend_mms_sandbox") is None:
        return "package clicksend_mms_sandbox is not installed"
    try:
        from clicksend_mms_sandbox import create_app  # noqa: F401
    except ImportError as exc:
        return f"`from clicksend_mms_sandbox import create_app` fails ({exc}); the sandbox is not built yet"
    return None


@contextlib.contextmanager
def sandbox_server(durable: bool = True) -> Iterator[Server]:
    """The sandbox as users run it (its console script), with a durable SQLite file (WAL, synchronous=FULL), or
    in memory (its default without --db).

    Its ClickSend-like rate limit (6000 requests/min) is turned off: under load it would answer 429s, and the
    benchmark would measure refusals rather than work.
    """
    workdir = CACHE / "run" / ("sandbox" if durable else "sandbox-memory")
    shutil.rmtree(workdir, ignore_errors=True)  # fresh state every run
    workdir.mkdir(parents=True)
    log = workdir / "server.log"
    flags = ("--db", str(workdir / "sandbox.db")) if durable else ()
    with (
        log.open("wb") as out,
        testing.serve(*flags, rate_limit=0, stdout=out, stderr=subprocess.STDOUT, timeout=30) as sandbox,
    ):
        yield Server("sandbox", sandbox.url, sandbox.process, log, sandbox.origin)


def seed_history(server: Server, rows: int = 100) -> None:
    """Give the sandbox `rows` messages of varied recipients (delivered, failing, test numbers, other countries),
    bodies and references, so a history page holds more than one shape of row."""
    recipients = ("+61437111222", "+61411111111", "+61400000002", "+64211234567", "+14155550100", "+61400000005")
    messages: list[dict[str, Any]] = [
        {
            "to": recipients[i % len(recipients)],
            "subject": "seed",
            "body": f"seed {i}: " + "This is a test message. " * (1 + i % 3),
            **({"custom_string": f"order-{i}"} if i % 2 else {}),
        }
        for i in range(rows)
    ]
    r = httpx.post(
        server.base_url + "/mms/send",
        json={"media_file": MEDIA, "messages": messages},
        headers={"Authorization": basic_auth()},
        timeout=30,
    )
    r.raise_for_status()


PRISM_DIR = HERE / "node_modules" / "@stoplight" / "prism-cli"
PRISM_BIN = HERE / "node_modules" / ".bin" / "prism"
SPEC = clicksend_mms_spec.path()


def ensure_prism(log: list[str]) -> str | None:
    """Install Prism from benchmarks/package-lock.json (``npm ci``) if needed; return why it is unavailable, or None."""
    if PRISM_BIN.exists() and (PRISM_DIR / "package.json").exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm (Node.js) is not installed, so Prism cannot be installed"
    log.append("installing Prism with npm ci (first run)")
    try:
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "npm ci timed out after 300 s"
    if proc.returncode != 0 or not PRISM_BIN.exists():
        return f"npm ci failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
    return None


@contextlib.contextmanager
def prism_server() -> Iterator[Server]:
    port = testing.free_port()
    argv = [str(PRISM_BIN), "mock", "-p", str(port), "-h", HOST, "--errors=false", "-v", "error", str(SPEC)]
    with _serve("prism", argv, port, "/mms/history", timeout=60.0) as server:
        yield server
