"""Load generators: wrk when installed, else a bounded asyncio HTTP/1.1 keep-alive client (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from .stats import percentile

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclasses.dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    tool: str


@dataclasses.dataclass(frozen=True)
class Target:
    url: str
    method: str = "GET"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.url).hostname != "127.0.0.1":
            raise ValueError(f"load only ever goes to 127.0.0.1, not {self.url}")


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run(target: Target, concurrency: int, seconds: float) -> LoadResult:
    if wrk_path():
        return _wrk(target, concurrency, seconds)
    return asyncio.run(_pyload(target, concurrency, seconds))


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrk(target: Target, concurrency: int, seconds: float) -> LoadResult:
    lines = [f"wrk.method = {_lua_string(target.method)}"]
    if target.body:
        lines.append(f"wrk.body = {_lua_string(target.body)}")
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in target.headers]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    argv = [
        str(wrk_path()),
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        script.name,
        target.url,
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {proc.stderr or proc.stdout}")
    out = proc.stdout
    pct = {m[0]: float(m[1]) * _UNITS[m[2]] for m in re.findall(r"^\s+(50|99)\.000%?\s+([\d.]+)(us|ms|s)\b", out, re.M)}
    if not pct:
        pct = {m[0]: float(m[1]) * _UNITS[m[2]] for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", out, re.M)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return LoadResult(rps, pct["50"], pct["99"], requests, errors, "wrk")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    match = re.search(rb"\r\ncontent-length:\s*(\d+)", lower)
    if match:
        await reader.readexactly(int(match.group(1)))
    elif b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _pyload(target: Target, concurrency: int, seconds: float) -> LoadResult:
    url = urllib.parse.urlsplit(target.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = [f"Host: {url.netloc}", "Connection: keep-alive", *(f"{k}: {v}" for k, v in target.headers)]
    if target.body or target.method != "GET":
        headers.append(f"Content-Length: {len(target.body)}")
    request = (
        f"{target.method} {path} HTTP/1.1\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n" + target.body
    )
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    host, port = url.hostname or "127.0.0.1", url.port or 80

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                writer.write(request)
                status = await asyncio.wait_for(_read_response(reader), timeout=5.0)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not 200 <= status < 400
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    lat = sorted(latencies)
    return LoadResult(len(lat) / elapsed, percentile(lat, 50), percentile(lat, 99), len(lat), errors, "asyncio")
