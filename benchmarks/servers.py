"""Start and stop the servers the benchmark talks to, each in its own process group on 127.0.0.1.

Every server is a context manager: stopped (SIGTERM to its group, SIGKILL after a grace period) on exit,
whatever happened inside.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping

import clicksend_mms_spec
import httpx

from .page import ROOT

HERE = pathlib.Path(__file__).resolve().parent
CACHE = HERE / ".cache"
HOST = "127.0.0.1"
SANDBOX_USER = "sandbox"
SANDBOX_KEY = "sandbox-key"
PRISM_VERSION = "5.14.2"


def basic_auth(username: str = SANDBOX_USER, api_key: str = SANDBOX_KEY) -> str:
    return "Basic " + base64.b64encode(f"{username}:{api_key}".encode()).decode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A running server: its base URL and process (for profilers)."""

    def __init__(self, name: str, base_url: str, proc: subprocess.Popen[bytes], log: pathlib.Path) -> None:
        self.name = name
        self.base_url = base_url
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
        yield Server(name, base, proc, log)
    finally:
        _stop(proc)


def _uvicorn(factory: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


@contextlib.contextmanager
def fixed_server(history_file: pathlib.Path, official_file: pathlib.Path | None = None) -> Iterator[Server]:
    port = free_port()
    env = {"BENCH_HISTORY_FILE": str(history_file)}
    if official_file is not None:
        env["BENCH_OFFICIAL_FILE"] = str(official_file)
    with _serve("floor", _uvicorn("benchmarks.fixed_app:create_app", port), port, "/mms/history", env) as server:
        yield server


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
def sandbox_server() -> Iterator[Server]:
    """The sandbox as users run it (its console script), with a durable SQLite file (WAL, synchronous=FULL).

    Its ClickSend-like rate limit (6000 requests/min) is turned off: under load it would answer 429s, and the
    benchmark would measure refusals rather than work.
    """
    port = free_port()
    workdir = CACHE / "run" / "sandbox"
    shutil.rmtree(workdir, ignore_errors=True)  # fresh state every run
    script = pathlib.Path(sys.executable).parent / "clicksend-mms-sandbox"
    launcher = (
        [str(script)]
        if script.exists()
        else [
            sys.executable,
            "-c",
            "import sys; from clicksend_mms_sandbox.cli import main; sys.exit(main())",
        ]
    )
    argv = [
        *launcher,
        "--host",
        HOST,
        "--port",
        str(port),
        "--db",
        str(workdir / "sandbox.db"),
        "--rate-limit",
        "0",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with _serve("sandbox", argv, port, "/mms/history") as server:
        yield server


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
    port = free_port()
    argv = [str(PRISM_BIN), "mock", "-p", str(port), "-h", HOST, "--errors=false", "-v", "error", str(SPEC)]
    with _serve("prism", argv, port, "/mms/history", timeout=60.0) as server:
        yield server
