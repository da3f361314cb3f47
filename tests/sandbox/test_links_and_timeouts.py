"""Links (export, uploaded files, the served spec's server) start with the sandbox's public URL (--public-url, by
default the address it is bound to), never with the request's Host header; and a client that sends its headers or
its body too slowly is answered 408 and let go, instead of holding a connection for ever."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import httpx
import pytest
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.testing import DEFAULT, RunningSandbox, serve
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport

from tests.sandbox.conftest import sandbox_settings
from tests.sandbox.test_history_export_uploads import GIF

EVIL = "evil.example"


def links(client: httpx.Client) -> list[str]:
    """Every URL the sandbox hands out, asked for with a forged Host header."""
    host = {"Host": EVIL}
    export = client.get("/mms/history/export", params={"filename": "x"}, headers=host).json()["data"]["url"]
    upload = client.post("/uploads", params={"convert": "mms"}, json={"content": GIF}, headers=host).json()["data"]
    spec = client.get("/openapi.json", headers=host).json()
    local = [server["url"] for server in spec["servers"] if "clicksend.com" not in server["url"]]
    return [export, upload["_url"], *local]


def test_links_start_with_the_configured_public_url() -> None:
    app = create_app(sandbox_settings(public_url="https://sandbox.example.com"))
    try:
        with httpx.Client(transport=SandboxTransport(app), base_url=IN_PROCESS_URL, auth=DEFAULT.basic_auth) as client:
            found = links(client)
        assert len(found) == 3 and all(url.startswith("https://sandbox.example.com/") for url in found), found
    finally:
        app.state.sandbox.store.close()


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSandbox]:
    with serve("--header-timeout", "0.5", "--body-timeout", "0.5") as sandbox:
        yield sandbox


def test_by_default_links_start_with_the_bound_address(running: RunningSandbox) -> None:
    with httpx.Client(base_url=running.url, auth=DEFAULT.basic_auth) as client:
        found = links(client)
        assert all(url.startswith(running.origin + "/") for url in found) and EVIL not in "".join(found), found
        assert client.get(found[0]).status_code == 200  # and they work


def _exchange(port: int, *parts: bytes) -> bytes:
    """Send `parts`, then read until the server closes the connection (a generous cap, not a timing assertion)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for part in parts:
            sock.sendall(part)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_headers_that_never_finish_are_answered_408_and_closed(running: RunningSandbox) -> None:
    answer = _exchange(running.port, b"GET /v3/mms/history HTTP/1.1\r\nHost: x\r\nAuthoriz")
    assert answer.startswith(b"HTTP/1.1 408 ") and b'"REQUEST_TIMEOUT"' in answer, answer


def test_a_silent_connection_is_closed(running: RunningSandbox) -> None:
    assert _exchange(running.port).startswith(b"HTTP/1.1 408 ")


def test_a_body_that_never_finishes_is_answered_408(running: RunningSandbox) -> None:
    head = (
        b"POST /v3/mms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
        b"Authorization: Basic " + base64.b64encode(f"{DEFAULT.username}:{DEFAULT.api_key}".encode()) + b"\r\n\r\n"
    )
    answer = _exchange(running.port, head, b'{"media_file": ')
    assert b" 408 " in answer.split(b"\r\n", 1)[0] and b'"body":"Timed out."' in answer, answer
