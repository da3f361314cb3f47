"""The floor server: a bare Starlette app answering fixed, pre-encoded bodies (run under uvicorn by servers.py).

GET /mms/history     -> the benchmark page (benchmarks/.cache/page.json)
GET /v3/mms/history  -> the copy the official SDK accepts (its paths carry /v3; page-official.json)
POST /mms/send       -> a one-message send answer
"""

from __future__ import annotations

import json
import os
import pathlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .page import SEND_RESPONSE

JSON = "application/json"


def create_app() -> Starlette:
    history = pathlib.Path(os.environ["BENCH_HISTORY_FILE"]).read_bytes()
    official_file = os.environ.get("BENCH_OFFICIAL_FILE")
    official = pathlib.Path(official_file).read_bytes() if official_file else history
    sent = json.dumps(SEND_RESPONSE, separators=(",", ":")).encode()

    async def get_history(request: Request) -> Response:
        return Response(history, media_type=JSON)

    async def get_official(request: Request) -> Response:
        return Response(official, media_type=JSON)

    async def send(request: Request) -> Response:
        await request.body()
        return Response(sent, media_type=JSON)

    return Starlette(
        routes=[
            Route("/mms/history", get_history, methods=["GET"]),
            Route("/v3/mms/history", get_official, methods=["GET"]),
            Route("/mms/send", send, methods=["POST"]),
        ]
    )
