"""Injected faults (header and queue), the rate limit, and drops over a real socket."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.server import ServerThread
from clicksend_mms_sandbox.testing import DEFAULT

from tests.helpers.waiting import wait_until
from tests.sandbox._spec_check import check_response
from tests.sandbox.conftest import MEDIA, ClientFactory, history, message, sandbox_settings

SEND = {"media_file": MEDIA, "messages": [message()]}


@pytest.mark.parametrize(
    ("header", "status", "code", "retry_after"),
    [
        ("status=429", 429, "HTTP_TOO_MANY_REQUESTS", "1"),
        ("status=429; retry-after=7", 429, "HTTP_TOO_MANY_REQUESTS", "7"),
        ("status=500", 500, "INTERNAL_SERVER_ERROR", None),
        ("status=503; retry-after=2", 503, "SERVICE_UNAVAILABLE", "2"),
        ("STATUS = 503", 503, "SERVICE_UNAVAILABLE", None),
    ],
)
def test_fault_header_answers_the_error_and_stores_nothing(
    client: httpx.Client, header: str, status: int, code: str, retry_after: str | None
) -> None:
    response = client.post("/mms/send", json=SEND, headers={"X-Sandbox-Fault": header})
    assert response.status_code == status and response.json()["response_code"] == code
    assert response.headers.get("retry-after") == retry_after
    if status == 429:
        assert response.headers["ratelimit-reset"] == retry_after and response.headers["x-ratelimit-remaining"] == "0"
    assert history(client)["total"] == 0


def test_after_commit_processes_then_fails(client: httpx.Client) -> None:
    response = client.post("/mms/send", json=SEND, headers={"X-Sandbox-Fault": "status=500; after=commit"})
    assert response.status_code == 500
    assert history(client)["total"] == 1  # the lost-answer case: the send happened


def test_delay_slows_the_answer(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.get("/mms/history", headers={"X-Sandbox-Fault": "delay=0.3"})
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_drop_in_process_is_a_remote_protocol_error(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/mms/send", json=SEND, headers={"X-Sandbox-Fault": "drop"})
    assert history(client)["total"] == 0
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/mms/send", json=SEND, headers={"X-Sandbox-Fault": "drop; after=commit"})
    assert history(client)["total"] == 1


@pytest.mark.parametrize(
    "header", ["status=404", "status=abc", "delay=99", "delay=-1", "teleport", "after=commit", "drop; status=500", ";"]
)
def test_bad_fault_header_is_400(client: httpx.Client, header: str) -> None:
    response = client.get("/mms/history", headers={"X-Sandbox-Fault": header})
    assert response.status_code == 400 and "X-Sandbox-Fault" in response.json()["data"]


def test_queued_faults_apply_to_the_next_matching_requests_only(client: httpx.Client, state: SandboxState) -> None:
    fault = {"method": "GET", "path": "/mms/history", "status": 429, "retry_after": 3, "times": 2}
    added = client.post("/_sandbox/faults", json=fault)
    assert added.status_code == 200 and added.json()["data"]["times"] == 2
    assert client.post("/mms/price", json=SEND).status_code == 200  # another path: untouched
    assert [client.get("/mms/history").status_code for _ in range(3)] == [429, 429, 200]
    client.post("/_sandbox/faults", json={"path": "/mms/*/cancel", "status": 503})
    assert len(client.get("/_sandbox/faults").json()["data"]) == 1
    assert client.put("/mms/ABC/cancel").status_code == 503
    client.post("/_sandbox/faults", json={"status": 500, "times": 5})
    assert client.delete("/_sandbox/faults").json()["data"] == {"count": 1}
    assert client.get("/mms/history").status_code == 200


def test_queued_faults_are_per_account(client: httpx.Client, make_client: ClientFactory) -> None:
    client.post("/_sandbox/faults", json={"status": 500})
    assert make_client("other", "other-key").get("/mms/history").status_code == 200
    assert client.get("/mms/history").status_code == 500


@pytest.mark.parametrize(
    "fault", [{"status": 418}, {"times": 0}, {"colour": "red"}, {"delay": "slow"}, {"status": "500"}, {"drop": True,
                                                                                                         "status": 500}]
)  # fmt: skip
def test_bad_queued_fault_is_400(client: httpx.Client, fault: dict[str, object]) -> None:
    assert client.post("/_sandbox/faults", json=fault).status_code == 400


def test_rate_limit_answers_429_with_headers_and_resets(make_client: ClientFactory) -> None:
    app = create_app(replace(sandbox_settings(), rate_limit=3, rate_window=60))
    client = make_client(target=app)
    state: SandboxState = app.state.sandbox
    remaining = [client.get("/mms/history").headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    limited = client.get("/mms/history")
    assert limited.status_code == 429
    assert limited.json() == {
        "http_code": 429, "response_code": "HTTP_TOO_MANY_REQUESTS", "response_msg": "Too many attempts.", "data": None,
    }  # fmt: skip
    assert limited.headers["x-ratelimit-limit"] == "3" and limited.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["ratelimit-reset"] == limited.headers["retry-after"]
    other = make_client("other", "other-key", target=app)
    assert other.get("/mms/history").status_code == 200  # per account
    assert client.post("/_sandbox/clock/advance", json={"seconds": 60}).status_code == 200  # control: not limited
    assert client.get("/mms/history").status_code == 200
    state.store.close()


# ---- over a real socket ----


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(create_app(sandbox_settings())) as running:
        yield running


@pytest.fixture
def real(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, auth=DEFAULT.basic_auth, event_hooks={"response": [check_response]}) as c:
        yield c


def test_drop_closes_the_socket_without_a_byte(server: ServerThread) -> None:
    import base64

    auth = base64.b64encode(f"{DEFAULT.username}:{DEFAULT.api_key}".encode()).decode()
    request = (
        f"GET /v3/mms/history HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n"
        "X-Sandbox-Fault: drop\r\n\r\n"
    ).encode()
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    assert received == b""


def test_drop_over_a_socket_and_the_server_keeps_serving(real: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        real.post(
            "/mms/send", json={**SEND, "messages": [message(body="dropped")]}, headers={"X-Sandbox-Fault": "drop"}
        )
    with pytest.raises(httpx.RemoteProtocolError):
        real.post("/mms/send", json={**SEND, "messages": [message(body="kept")]},
                  headers={"X-Sandbox-Fault": "drop; after=commit"})  # fmt: skip
    bodies = [r["body"] for r in real.get("/mms/history", params={"limit": 100}).json()["data"]["data"]]
    assert "kept" in bodies and "dropped" not in bodies


@pytest.mark.parametrize("status", [429, 500, 503])
def test_status_faults_over_a_socket(real: httpx.Client, status: int) -> None:
    response = real.get("/mms/history", headers={"X-Sandbox-Fault": f"status={status}; retry-after=1"})
    assert response.status_code == status
    assert response.headers["retry-after"] == "1"


def test_slow_answer_times_the_client_out_but_the_send_happens(real: httpx.Client, server: ServerThread) -> None:
    with pytest.raises(httpx.ReadTimeout):
        real.post("/mms/send", json={**SEND, "messages": [message(body="slow")]},
                  headers={"X-Sandbox-Fault": "delay=0.6"}, timeout=0.2)  # fmt: skip

    def bodies() -> list[str]:
        return [r["body"] for r in real.get("/mms/history", params={"q": "body:slow"}).json()["data"]["data"]]

    # The server finishes the request it received whenever the machine lets it: wait for that, not for a time.
    assert wait_until(bodies, "the timed-out send is in the history") == ["slow"]
