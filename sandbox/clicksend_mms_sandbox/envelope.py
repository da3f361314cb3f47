"""ClickSend's response envelope: every answer is {http_code, response_code, response_msg, data}."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response


def dumps(value: Any) -> bytes:
    """Compact JSON in raw UTF-8, like ClickSend (Laravel) writes it. orjson; json for what orjson refuses (an
    integer beyond 64 bits echoed from a request)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class EnvelopeResponse(Response):
    media_type = "application/json"

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = {"http_code": status, "response_code": code, "response_msg": message, "data": data}
        super().__init__(content=dumps(body), status_code=status, headers=headers)


def success(message: str, data: Any, headers: dict[str, str] | None = None) -> EnvelopeResponse:
    return EnvelopeResponse(200, "SUCCESS", message, data, headers)


def bad_request(data: Any = None, message: str = "Your request was malformed.") -> EnvelopeResponse:
    return EnvelopeResponse(400, "BAD_REQUEST", message, data)


def unauthorized() -> EnvelopeResponse:
    # No WWW-Authenticate header: ClickSend sends none, and browsers would pop a login dialog.
    return EnvelopeResponse(401, "UNAUTHORIZED", "Authorization failed.")


def forbidden(message: str = "Your account is suspended. Please contact support.") -> EnvelopeResponse:
    return EnvelopeResponse(403, "FORBIDDEN", message)


def not_found(message: str = "Invalid endpoint. Please try again.") -> EnvelopeResponse:
    return EnvelopeResponse(404, "NOT_FOUND", message)


def payload_too_large() -> EnvelopeResponse:
    return EnvelopeResponse(413, "PAYLOAD_TOO_LARGE", "Request body too large.")


def request_timeout(part: str) -> EnvelopeResponse:
    """The client took longer than the sandbox waits to send the request's `part` ("headers" or "body")."""
    message = f"The request's {part} did not arrive in time."
    return EnvelopeResponse(408, "REQUEST_TIMEOUT", message, {part: "Timed out."})


def internal_error(retry_after: int | None = None) -> EnvelopeResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return EnvelopeResponse(500, "INTERNAL_SERVER_ERROR", "Something went wrong.", None, headers)


def too_many_requests(retry_after: int, limit: int) -> EnvelopeResponse:
    # The live API's spelling (HTTP_TOO_MANY_REQUESTS) and headers, as observed on a live 429.
    headers = {
        "Retry-After": str(retry_after),
        "ratelimit-reset": str(retry_after),
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": "0",
    }
    return EnvelopeResponse(429, "HTTP_TOO_MANY_REQUESTS", "Too many attempts.", None, headers)


def service_unavailable(retry_after: int | None) -> EnvelopeResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return EnvelopeResponse(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable.", None, headers)
