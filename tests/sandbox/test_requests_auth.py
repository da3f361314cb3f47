"""Bad input gets its envelope and stores nothing; 401 on every route; account kinds; isolation; routing."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.testing import DEFAULT

from tests.helpers.spec import operations
from tests.sandbox.conftest import MEDIA, OPENING, TEST_KEY, ClientFactory, history, message, send

MESSAGE_ID = "2453E085-C1F8-47EC-AD35-B793960B1313"
ROUTES = [
    (op.method.upper(), op.path.replace("{message_id}", MESSAGE_ID) + ("?convert=mms" if op.path == "/uploads" else ""))
    for op in operations()
] + [
    ("POST", "/_sandbox/clock/advance"),
    ("GET", "/_sandbox/clock"),
    ("POST", "/_sandbox/faults"),
    ("GET", "/_sandbox/faults"),
    ("DELETE", "/_sandbox/faults"),
    ("GET", "/_sandbox/account"),
    ("PUT", "/_sandbox/account/balance"),
    ("POST", "/_sandbox/account/balance/top-up"),
    ("POST", "/_sandbox/account/balance/reset"),
    ("POST", "/_sandbox/accounts"),
    ("POST", "/_sandbox/reset"),
]


def test_all_nine_operations_and_the_upload_are_routed() -> None:
    assert len([r for r in ROUTES if not r[1].startswith("/_sandbox")]) == 10


BAD_SENDS: list[tuple[str, Any]] = [
    ("no messages", {"media_file": MEDIA, "messages": []}),
    ("no media_file", {"messages": [message()]}),
    ("media_file not a URL", {"media_file": "{{imageFileURL}}", "messages": [message()]}),
    ("subject too long", {"media_file": MEDIA, "messages": [message(subject="x" * 21)]}),
    ("empty subject", {"media_file": MEDIA, "messages": [message(subject="")]}),
    ("no body", {"media_file": MEDIA, "messages": [{"to": "+61437111222", "subject": "s"}]}),
    ("body not text", {"media_file": MEDIA, "messages": [message(body=1501)]}),
    ("unknown field", {"media_file": MEDIA, "messages": [message(colour="red")]}),
    ("schedule as string", {"media_file": MEDIA, "messages": [message(schedule="1512538536")]}),
    ("list_id as string", {"media_file": MEDIA, "messages": [message(list_id="429")]}),
    ("country not ISO", {"media_file": MEDIA, "messages": [message(country="AUS")]}),
    ("1001 messages", {"media_file": MEDIA, "messages": [message()] * 1001}),
    ("an array", [message()]),
    ("null", None),
]


@pytest.mark.parametrize("path", ["/mms/send", "/mms/price"])
@pytest.mark.parametrize(("name", "body"), BAD_SENDS, ids=[b[0] for b in BAD_SENDS])
def test_bad_send_bodies_are_400_and_store_nothing(
    client: httpx.Client, state: SandboxState, path: str, name: str, body: Any
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["response_code"] == "BAD_REQUEST" and isinstance(payload["data"], dict) and payload["data"]
    assert history(client)["total"] == 0
    assert state.balance("sandbox") == OPENING


def test_per_field_messages_name_the_field(client: httpx.Client) -> None:
    body = {"media_file": MEDIA, "messages": [message(), message(subject="x" * 21, colour="red")]}
    data = client.post("/mms/send", json=body).json()["data"]
    assert set(data) == {"messages.1.subject", "messages.1.colour"}
    data = client.post("/mms/send", json={"messages": [message()]}).json()["data"]
    assert set(data) == {"media_file"}


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"media_file": NaN}', b"\xff\xfe", b""])
def test_malformed_json_is_400(client: httpx.Client, raw: bytes) -> None:
    response = client.post("/mms/send", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["response_code"] == "BAD_REQUEST"
    assert "body" in response.json()["data"]
    assert history(client)["total"] == 0


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    big = {"media_file": MEDIA, "messages": [message(body="x" * 1500)] * 4000}  # ~6 MB > 5 MiB
    response = client.post("/mms/send", json=big)
    assert response.status_code == 413 and response.json()["response_code"] == "PAYLOAD_TOO_LARGE"
    upload = client.post("/uploads?convert=mms", json={"content": base64.b64encode(b"x" * 6_000_000).decode()})
    assert upload.status_code == 413
    assert history(client)["total"] == 0


NOT_ROUTES = [
    ("GET", "/nope"), ("GET", "/mms"), ("POST", "/v3/v3/mms/send"), ("POST", "/v2/mms/send"), ("DELETE", "/mms/send"),
    ("GET", "/mms/send"), ("POST", "/mms/history"), ("PATCH", "/mms/cancel-all"), ("GET", f"/mms/{MESSAGE_ID}/cancel"),
]  # fmt: skip


@pytest.mark.parametrize("base", ["http://sandbox.local/v3", "http://sandbox.local"], ids=["v3", "root"])
@pytest.mark.parametrize(("method", "path"), NOT_ROUTES)
def test_unknown_path_and_wrong_method_are_404_invalid_endpoint(
    make_client: ClientFactory, base: str, method: str, path: str
) -> None:
    response = make_client(base_url=base).request(method, path)
    assert response.status_code == 404
    assert response.json() == {
        "http_code": 404, "response_code": "NOT_FOUND", "response_msg": "Invalid endpoint. Please try again.",
        "data": None,
    }  # fmt: skip


def test_the_api_is_at_v3_like_clicksend_and_root_paths_are_aliases(make_client: ClientFactory) -> None:
    v3 = make_client(base_url="http://sandbox.local/v3")
    root = make_client(base_url="http://sandbox.local")
    sent = send(v3, message(body="via /v3"))["messages"][0]["message_id"]
    assert [r["message_id"] for r in history(root)["data"]] == [sent]  # one sandbox behind both
    send(root, message(body="via the root"))
    assert [r["body"] for r in history(v3)["data"]] == ["via the root", "via /v3"]
    assert v3.get(f"/mms/receipts/{sent}").json()["data"]["body"] == "via /v3"
    # The control routes and the spec answer under both too (a client configured with .../v3 can reach them).
    assert v3.get("/_sandbox/account").json() == root.get("/_sandbox/account").json()
    assert v3.get("/openapi.json").json() == root.get("/openapi.json").json()
    # Queued faults match the path below /v3, whichever spelling queued them and whichever was called.
    v3.post("/_sandbox/faults", json={"path": "/v3/mms/history", "status": 503, "times": 2})
    assert [v3.get("/mms/history").status_code, root.get("/mms/history").status_code] == [503, 503]


def test_bad_message_id_is_400(client: httpx.Client) -> None:
    assert client.get("/mms/receipts/" + "A" * 65).status_code == 400
    assert client.put("/mms/bad_id!/cancel").status_code == 400


CREDENTIALS = [
    ("missing", None, ""),
    ("wrong key", "sandbox", "wrong"),
    ("unknown user", "nobody", DEFAULT.api_key),
    ("empty key", "sandbox", ""),
    ("notactive", "notactive", TEST_KEY),
    ("test key on the sandbox user", "sandbox", TEST_KEY),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(("name", "username", "key"), CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def test_401_on_every_route(
    make_client: ClientFactory, method: str, path: str, name: str, username: str | None, key: str
) -> None:
    response = make_client(username, key).request(method, path)
    assert response.status_code == 401
    assert response.json() == {
        "http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": "Authorization failed.", "data": None
    }  # fmt: skip
    assert "www-authenticate" not in response.headers


def test_a_failed_login_never_logs_a_key(make_client: ClientFactory, caplog: pytest.LogCaptureFixture) -> None:
    """Swapped credentials put the key where the username goes: the log names known usernames only."""
    caplog.set_level("INFO", logger="clicksend_mms_sandbox.auth")
    assert make_client(DEFAULT.api_key, DEFAULT.username).get("/mms/history").status_code == 401
    assert make_client(DEFAULT.username, "wrong-key").get("/mms/history").status_code == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert DEFAULT.api_key not in logged and "wrong-key" not in logged
    assert "unknown username" in logged and f"wrong key for username={DEFAULT.username!r}" in logged


@pytest.mark.parametrize("header", ["Bearer abc", "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()])
def test_malformed_authorization_is_401(make_client: ClientFactory, header: str) -> None:
    response = make_client(None).get("/mms/history", headers={"Authorization": header})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_banned_account_is_403_everywhere(make_client: ClientFactory, method: str, path: str) -> None:
    response = make_client("banned", TEST_KEY).request(method, path)
    assert response.status_code == 403
    assert response.json()["response_msg"].startswith("Your account is suspended")


def test_openapi_json_is_public_and_is_the_spec(make_client: ClientFactory) -> None:
    from tests.helpers.spec import load_spec

    response = make_client(None).get("/openapi.json")
    assert response.status_code == 200
    served, spec = response.json(), load_spec()
    assert {**served, "servers": spec["servers"]} == spec  # the spec, but for where it says the sandbox is


@pytest.mark.parametrize("path", ["/openapi.json", "/v3/openapi.json", "/docs", "/v3/docs"])
def test_the_spec_names_the_url_the_sandbox_was_reached_at(make_client: ClientFactory, path: str) -> None:
    # The spec documents the default http://127.0.0.1:8765/v3; a sandbox elsewhere names itself, ClickSend stays first.
    response = make_client(None, base_url="http://127.0.0.1:41999").get(path)
    assert response.status_code == 200
    text = response.text
    assert "http://127.0.0.1:41999/v3" in text and "127.0.0.1:8765" not in text
    if path.endswith(".json"):
        assert [s["url"] for s in response.json()["servers"]] == [
            "https://rest.clicksend.com/v3",
            "http://127.0.0.1:41999/v3",
        ]


@pytest.mark.parametrize("path", ["/", "/v3", "/v3/"])
def test_the_root_points_a_browser_at_the_reference_and_stays_clicksends_404_for_clients(
    make_client: ClientFactory, path: str
) -> None:
    client = make_client(None, base_url="http://127.0.0.1:41999")
    for accept in ("application/json", "*/*", None):
        response = client.get(path, headers={"Accept": accept} if accept else {})
        assert response.status_code == 404 and response.json()["response_msg"] == "Invalid endpoint. Please try again."
        assert '<http://127.0.0.1:41999/docs>; rel="service-doc"' in response.headers["link"]
    page = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<a href="http://127.0.0.1:41999/docs">' in page.text and "http://127.0.0.1:41999/v3" in page.text
    # Anything but the root, and anything but GET, is ClickSend's envelope whatever the client accepts.
    assert client.get(path + "x", headers={"Accept": "text/html"}).json()["response_code"] == "NOT_FOUND"
    assert client.post(path, headers={"Accept": "text/html"}).json()["response_code"] == "NOT_FOUND"


def test_accounts_see_only_their_own(client: httpx.Client, make_client: ClientFactory, state: SandboxState) -> None:
    other = make_client("other", "other-key")
    mine = send(client)["messages"][0]["message_id"]
    send(other, message(body="theirs"))
    state.advance(60)
    assert [r["message_id"] for r in history(client)["data"]] == [mine]
    assert [r["body"] for r in history(other)["data"]] == ["theirs"]
    assert [r["message_id"] for r in client.get("/mms/receipts").json()["data"]["data"]] == [mine]
    other.put("/mms/receipts-read")
    assert client.get("/mms/receipts").json()["data"]["total"] == 1  # their mark-read left mine unread
    assert other.get(f"/mms/receipts/{mine}").status_code == 404


def test_send_response_headers_carry_the_rate_limit(client: httpx.Client) -> None:
    response = client.get("/mms/history")
    assert int(response.headers["x-ratelimit-limit"]) >= int(response.headers["x-ratelimit-remaining"]) >= 0


def test_an_unexpected_error_is_the_500_envelope(client: httpx.Client, state: SandboxState, monkeypatch: Any) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(state.store, "history", boom)
    response = client.get("/mms/history")
    assert response.status_code == 500
    assert response.json()["response_code"] == "INTERNAL_SERVER_ERROR" and "kaboom" not in response.text


def test_operations_without_a_body_ignore_one(client: httpx.Client) -> None:
    # 413 is declared only where a body is; a GET or cancel with a body never reads it.
    response = client.request("GET", "/mms/history", content=b"x" * 6_000_000)
    assert response.status_code == 200
    assert client.put("/mms/cancel-all", content=b"{not json").status_code == 200
