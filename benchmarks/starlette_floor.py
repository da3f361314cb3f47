"""The serving floor: a bare Starlette app under uvicorn, configured as the sandbox serves (httptools, uvloop,
lifespan off), answering at ClickSend's paths with bytes the sandbox itself answered to the same requests:

    GET  /v3/mms/history  -> the sandbox's page, captured once
    POST /v3/mms/send     -> the sandbox's answer to the benchmark's send, captured once (the body is read, unparsed)

No auth, no validation, no storage: what the sandbox costs above this is its own work.

    python -m benchmarks.starlette_floor --port PORT --history FILE --send FILE    # serves until SIGTERM
"""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import sys
from collections.abc import Iterator

import uvicorn
from clicksend_mms_sandbox import testing
from clicksend_mms_sandbox.server import uvicorn_config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from .servers import HOST, Server, _serve

JSON = "application/json"


def create_app(history: bytes, sent: bytes) -> Starlette:
    async def get_history(request: Request) -> Response:
        return Response(history, media_type=JSON)

    async def send(request: Request) -> Response:
        await request.body()
        return Response(sent, media_type=JSON)

    routes = [Route("/mms/history", get_history, methods=["GET"]), Route("/mms/send", send, methods=["POST"])]
    return Starlette(routes=[Mount("/v3", routes=routes)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--history", type=pathlib.Path, required=True)
    parser.add_argument("--send", type=pathlib.Path, required=True)
    args = parser.parse_args()
    app = create_app(args.history.read_bytes(), args.send.read_bytes())
    uvicorn.Server(uvicorn_config(app, HOST, args.port)).run()


@contextlib.contextmanager
def starlette_floor(history: pathlib.Path, sent: pathlib.Path) -> Iterator[Server]:
    """The floor on a free port, stopped on exit; its base_url ends in /v3, as the sandbox's."""
    port = testing.free_port()
    argv = [sys.executable, "-m", "benchmarks.starlette_floor", "--port", str(port), "--history", str(history)]
    with _serve("starlette-floor", [*argv, "--send", str(sent)], port, "/v3/mms/history") as s:
        yield Server(s.name, s.base_url + "/v3", s.proc, s.log, s.origin)


if __name__ == "__main__":
    main()
