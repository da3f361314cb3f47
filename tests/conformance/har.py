"""Build HAR files for the conformance tests: single entries, and the whole payload catalogue as traffic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import spec
from tests.helpers.payloads import Payload, known_payloads

BASE = "https://rest.clicksend.com/v3"


def entry(
    method: str,
    url: str,
    *,
    request: Any = None,
    status: int = 200,
    response: Any = None,
    response_text: str | None = None,
) -> dict[str, Any]:
    """One HAR 1.2 entry; JSON bodies are given as values, anything else as ``response_text``."""
    req: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": [],
        "queryString": [],
        "headersSize": -1,
        "bodySize": -1,
    }
    if request is not None:
        req["postData"] = {"mimeType": "application/json", "text": json.dumps(request)}
    text = response_text if response_text is not None else (json.dumps(response) if response is not None else "")
    return {
        "startedDateTime": "2026-01-01T00:00:00.000Z",
        "time": 1,
        "request": req,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": {"size": len(text.encode()), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }


def write_har(path: Path, entries: list[dict[str, Any]]) -> Path:
    document = {"log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def url_for(operation_id: str, base: str = BASE) -> str:
    """The operation's URL with its path parameters and required query parameters filled from the spec's examples."""
    op = spec.operation(operation_id)
    path, query = op.path, []
    for param in (spec.resolve(p) for p in op.body.get("parameters", [])):
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(param["example"]))
        elif param["in"] == "query" and param.get("required"):
            query.append(f"{param['name']}={param['example']}")
    return base + path + ("?" + "&".join(query) if query else "")


def catalogue_entries() -> list[tuple[Payload, dict[str, Any]]]:
    """Every known payload as traffic: a request payload as a request that got no answer recorded, a response
    payload as the answer to its operation's first known request (so a required body is there)."""
    payloads = list(known_payloads())
    first_request = {}
    for p in payloads:
        if p.kind == "request":
            first_request.setdefault(p.operation_id, p.body)
    out = []
    for p in payloads:
        method = spec.operation(p.operation_id).method.upper()
        url = url_for(p.operation_id)
        if p.kind == "request":
            out.append((p, entry(method, url, request=p.body, status=0)))
        else:
            request = first_request.get(p.operation_id)
            out.append((p, entry(method, url, request=request, status=int(p.kind), response=p.body)))
    return out
