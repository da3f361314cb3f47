"""A tiny in-memory ClickSend double for httpx.MockTransport: enough for pagination, bulk and retry tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


def envelope(
    data: Any, *, http_code: int = 200, code: str = "SUCCESS", msg: str = "ok", **headers: str
) -> httpx.Response:
    body = {"http_code": http_code, "response_code": code, "response_msg": msg, "data": data}
    return httpx.Response(http_code, json=body, headers=headers)


def record(i: int) -> dict[str, Any]:
    return {"message_id": f"ID-{i:05d}", "status": "Sent", "to": f"+6141111{i:04d}", "subject": "s", "body": "b"}


def result(message: dict[str, Any], status: str = "SUCCESS") -> dict[str, Any]:
    return {
        "message_id": str(uuid.uuid4()).upper(),
        "status": status,
        "to": message.get("to"),
        "body": message.get("body"),
        "subject": message.get("subject"),
        "custom_string": message.get("custom_string", ""),
        "message_price": "0.0000",
        "message_parts": 0,
        "schedule": "",
    }


def page(rows: list[dict[str, Any]], page_no: int, limit: int, *, last_page: int | None = None) -> dict[str, Any]:
    total = len(rows)
    last = last_page if last_page is not None else (total + limit - 1) // limit
    chunk = rows[(page_no - 1) * limit : page_no * limit]
    return {
        "total": total,
        "per_page": limit,
        "current_page": page_no,
        "last_page": last,
        "next_page_url": f"/?page={page_no + 1}" if page_no < last else None,
        "prev_page_url": None,
        "from": (page_no - 1) * limit + 1 if chunk else None,
        "to": (page_no - 1) * limit + len(chunk) if chunk else None,
        "data": chunk,
    }


class FakeClickSend:
    """Records requests; serves history/receipts pages and echoes sends. ``script`` overrides answers in order."""

    def __init__(self, rows: int = 0) -> None:
        self.rows = [record(i) for i in range(rows)]
        self.requests: list[httpx.Request] = []
        self.sent: list[dict[str, Any]] = []
        self.script: list[Handler | httpx.Response | Exception] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            if isinstance(step, httpx.Response):
                return step
            return step(request)
        return self.serve(request)

    def serve(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v3")
        params = request.url.params
        if path in ("/mms/history", "/mms/receipts"):
            limit = int(params.get("limit", 15))
            return envelope(page(self.rows, int(params.get("page", 1)), limit))
        if path in ("/mms/send", "/mms/price"):
            body = json.loads(request.content)
            results = [result(m) for m in body["messages"]]
            if path == "/mms/send":
                self.sent.extend(body["messages"])
            return envelope(
                {"total_price": 0, "total_count": len(results), "queued_count": len(results), "messages": results}
            )
        if path == "/mms/cancel-all":
            return envelope({"count": 0})
        if path == "/mms/receipts-read" or (path.startswith("/mms/") and path.endswith("/cancel")):
            return envelope(None)
        return envelope(None, http_code=404, code="NOT_FOUND", msg="Invalid endpoint. Please try again.")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path.removeprefix('/v3')}" for r in self.requests]
