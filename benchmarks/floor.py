"""A floor server for client round trips: every GET under /v3/mms/history answers the same fixed JSON page.

The sandbox's own time (routing, SQLite, serialising 100 rows) is in every figure measured against it, which hides
what the clients themselves cost. This server does no work per request beyond finding the end of the request head:
the same bytes for every client, so the round-trip ratios compare clients, not servers. HTTP/1.1 keep-alive, one
process, asyncio (uvloop when installed), bound to 127.0.0.1 only.

    python -m benchmarks.floor --port PORT --body FILE    # serves until SIGTERM
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import pathlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from clicksend_mms_sandbox import testing

from .servers import CACHE, Server, _stop, _wait_ready

PATH = b"/v3/mms/history"
_MAX_HEAD = 64 * 1024


def _answer(status: bytes, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status.decode()}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


class _Connection(asyncio.Protocol):
    def __init__(self, ok: bytes, missing: bytes) -> None:
        self.ok = ok
        self.missing = missing
        self.buffer = b""
        self.transport: Any = None  # asyncio's or uvloop's transport (uvloop's is not an asyncio.Transport)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:  # GETs only: a request is its head
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
            self.transport.write(self.ok if head.startswith(b"GET ") and target.startswith(PATH) else self.missing)
        if len(self.buffer) > _MAX_HEAD:
            self.transport.close()


async def _serve(port: int, body: bytes) -> None:
    ok = _answer(b"200 OK", body)
    missing = _answer(
        b"404 Not Found", b'{"http_code":404,"response_code":"NOT_FOUND","response_msg":"floor","data":null}'
    )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(ok, missing), testing.HOST, port, backlog=256)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=pathlib.Path, required=True)
    args = parser.parse_args()
    try:
        import uvloop  # the sandbox's own event loop, when the [sandbox] extra is installed

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_serve(args.port, args.body.read_bytes()))


@contextlib.contextmanager
def floor_server(body: pathlib.Path) -> Iterator[Server]:
    """The floor server on a free port, stopped on exit; its base_url ends in /v3, as ClickSend's."""
    port = testing.free_port()
    workdir = CACHE / "run" / "floor"
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.floor", "--port", str(port), "--body", str(body)],
            cwd=pathlib.Path(__file__).resolve().parent.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        origin = f"http://{testing.HOST}:{port}"
        _wait_ready(proc, origin + PATH.decode(), {}, 20.0, log)
        yield Server("floor", origin + "/v3", proc, log, origin)
    finally:
        _stop(proc)


if __name__ == "__main__":
    main()
