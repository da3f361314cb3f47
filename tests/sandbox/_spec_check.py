"""Check any sandbox response against spec/: find the operation from method + path, validate the body against
that operation's schema for the status. Used as an httpx response hook, so every test checks every answer."""

from __future__ import annotations

import functools
import json
import re

import httpx
from clicksend_mms_sandbox.testing import API_BASE_PATH

from tests.helpers.spec import assert_valid_response, operations


@functools.cache
def _routes() -> list[tuple[str, re.Pattern[str], str, frozenset[str]]]:
    routes = []
    for op in operations():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$")
        routes.append((op.method.upper(), pattern, op.operation_id, frozenset(op.body["responses"])))
    return routes


def operation_for(method: str, path: str) -> tuple[str, frozenset[str]] | None:
    for route_method, pattern, operation_id, statuses in _routes():
        if route_method == method and pattern.match(path):
            return operation_id, statuses
    return None


# Statuses the spec does not declare but the sandbox answers on request (X-Sandbox-Fault: status=503).
INJECTED_ONLY = {"503"}


def check_response(response: httpx.Response) -> None:
    """Raise if a response to a spec operation does not validate; every JSON answer must be an envelope."""
    response.read()
    path = response.request.url.path
    if path.startswith(API_BASE_PATH + "/"):
        path = path[len(API_BASE_PATH) :]  # the canonical routes; the root paths are their aliases
    if path == "/openapi.json" or (path.startswith("/_sandbox/") and response.status_code == 200):
        return
    if "text/html" in response.request.headers.get("accept", "") or path == "/docs":
        return  # pages for people (the reference, the root's pointer): tested on their own
    payload = json.loads(response.content)
    assert set(payload) == {"http_code", "response_code", "response_msg", "data"}, payload
    assert payload["http_code"] == response.status_code
    assert "www-authenticate" not in response.headers
    found = operation_for(response.request.method, path)
    status = str(response.status_code)
    if found is None or status in INJECTED_ONLY:
        return  # unknown path, wrong method or a control endpoint: the envelope check above is the contract
    operation_id, statuses = found
    assert status in statuses, f"{operation_id} answered {status}, which the spec does not declare"
    assert_valid_response(operation_id, status, payload)
