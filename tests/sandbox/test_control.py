"""The control endpoints beside the fault ones: balances (set, top up, reset), adding an account, resetting all
state; and a default balance that lets the README's examples run."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from clicksend_mms_sandbox.accounts import DEFAULT_BALANCE
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.testing import DEFAULT, SECOND

from tests.sandbox.conftest import MEDIA, OPENING, ClientFactory, balance_after, history, message, send


def account(client: httpx.Client) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/_sandbox/account").json()["data"]
    return data


def test_set_balance_then_sends_run_out_at_it(client: httpx.Client, state: SandboxState) -> None:
    response = client.put("/_sandbox/account/balance", json={"balance": "4.84"})
    assert response.status_code == 200
    assert response.json()["data"] == {"username": "sandbox", "user_id": 1, "balance": "4.8400",
                                       "opening_balance": OPENING}  # fmt: skip
    statuses = [m["status"] for m in send(client, message(), message(), message())["messages"]]
    assert statuses == ["SUCCESS", "SUCCESS", "INSUFFICIENT_CREDIT"]
    assert state.balance("sandbox") == "0.0000"
    assert client.put("/_sandbox/account/balance", json={"balance": 12}).json()["data"]["balance"] == "12.0000"


def test_top_up_adds_and_reset_returns_to_the_opening_balance(client: httpx.Client) -> None:
    send(client)
    assert account(client)["balance"] == balance_after("2.42")
    topped = client.post("/_sandbox/account/balance/top-up", json={"amount": "100.5"})
    assert topped.status_code == 200 and topped.json()["data"]["balance"] == balance_after("2.42", "-100.5")
    reset = client.post("/_sandbox/account/balance/reset")
    assert reset.status_code == 200 and reset.json()["data"]["balance"] == OPENING
    assert history(client)["total"] == 1  # a balance reset keeps the messages


def test_balance_endpoints_act_on_the_callers_account_only(make_client: ClientFactory, state: SandboxState) -> None:
    make_client(SECOND.username, SECOND.api_key).put("/_sandbox/account/balance", json={"balance": "1"})
    assert state.balance(SECOND.username) == "1.0000" and state.balance(DEFAULT.username) == OPENING


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/_sandbox/account/balance", "PUT", {}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": -1}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": "1.00001"}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": "lots"}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": True}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": "NaN"}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": 1e12}, "balance"),
        ("/_sandbox/account/balance", "PUT", {"balance": 1, "currency": "AUD"}, "currency"),
        ("/_sandbox/account/balance/top-up", "POST", {"amount": None}, "amount"),
        ("/_sandbox/account/balance/top-up", "POST", {"balance": 5}, "balance"),
        ("/_sandbox/accounts", "POST", {"api_key": "k"}, "username"),
        ("/_sandbox/accounts", "POST", {"username": "a:b", "api_key": "k"}, "username"),
        ("/_sandbox/accounts", "POST", {"username": "new", "api_key": ""}, "api_key"),
        ("/_sandbox/accounts", "POST", {"username": "new", "api_key": "k", "rate_limit": -1}, "rate_limit"),
        ("/_sandbox/accounts", "POST", {"username": "new", "api_key": "k", "rate_limit": "5"}, "rate_limit"),
        ("/_sandbox/accounts", "POST", {"username": "sandbox", "api_key": "k"}, "username"),
        ("/_sandbox/accounts", "POST", {"username": "new", "api_key": "k", "kind": "banned"}, "kind"),
    ],
)
def test_bad_control_bodies_are_400_and_change_nothing(
    client: httpx.Client, state: SandboxState, path: str, method: str, body: dict[str, Any], field: str
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 400 and field in response.json()["data"], response.text
    assert state.balance("sandbox") == OPENING
    assert state.accounts.get("new") is None and state.accounts.get("sandbox") is not None


def test_an_added_account_works_at_once_and_alone(make_client: ClientFactory, state: SandboxState) -> None:
    admin = make_client()
    added = admin.post("/_sandbox/accounts", json={"username": "ci-7", "api_key": "ci-7-key", "balance": "2.42"})
    assert added.status_code == 200
    data = added.json()["data"]
    assert data["username"] == "ci-7" and data["balance"] == "2.4200" and "api_key" not in data
    assert data["user_id"] not in {a.user_id for a in state.settings.accounts}
    ci = make_client("ci-7", "ci-7-key")
    assert [m["status"] for m in send(ci, message(), message())["messages"]] == ["SUCCESS", "INSUFFICIENT_CREDIT"]
    assert history(ci)["total"] == 1 and history(admin)["total"] == 0
    assert make_client("ci-7", "wrong").get("/mms/history").status_code == 401


def test_an_added_account_can_have_its_own_rate_limit(make_client: ClientFactory) -> None:
    # A low limit for one account (a burst phase), while the others keep the sandbox's.
    make_client().post("/_sandbox/accounts", json={"username": "burst", "api_key": "burst-key", "rate_limit": 2})
    burst = make_client("burst", "burst-key")
    assert [burst.get("/mms/history").status_code for _ in range(3)] == [200, 200, 429]
    assert burst.get("/mms/history").headers["x-ratelimit-limit"] == "2"
    assert make_client().get("/mms/history").status_code == 200


def test_reset_returns_the_sandbox_to_how_it_started(make_client: ClientFactory, state: SandboxState) -> None:
    client = make_client()
    scheduled = send(client, message(schedule=int(state.clock.now()) + 3600))["messages"][0]["message_id"]
    client.get("/mms/history/export", params={"filename": "x"})
    client.post("/_sandbox/faults", json={"status": 500, "times": 5})
    client.post("/_sandbox/accounts", json={"username": "temp", "api_key": "temp-key"})
    client.post("/_sandbox/clock/advance", json={"seconds": 600})
    reset = client.post("/_sandbox/reset")
    assert reset.status_code == 200  # not the queued 500: control endpoints never take faults
    assert history(client)["total"] == 0 and client.get(f"/mms/receipts/{scheduled}").status_code == 404
    assert state.balance("sandbox") == OPENING
    assert client.get("/_sandbox/faults").json()["data"] == []
    assert client.get("/_sandbox/clock").json()["data"]["offset"] == 0
    assert make_client("temp", "temp-key").get("/mms/history").status_code == 401
    assert len(state.records) == 0
    assert send(client)["messages"][0]["status"] == "SUCCESS"  # and it carries on
    assert history(client)["total"] == 1


def test_control_endpoints_need_credentials(make_client: ClientFactory) -> None:
    for method, path in [
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/accounts"),
        ("PUT", "/_sandbox/account/balance"),
    ]:
        assert make_client(None).request(method, path).status_code == 401


def test_the_default_balance_covers_the_readmes_bulk_example(client: httpx.Client, state: SandboxState) -> None:
    # README: 10,000 messages to f"+6140000{i:04d}", sent by send_bulk in batches of 1000. It used to run the
    # default account out of credit after about 4,100.
    messages = [{"to": f"+6140000{i:04d}", "subject": "Hi", "body": "Hello"} for i in range(10_000)]
    statuses: list[str] = []
    for start in range(0, len(messages), 1000):
        statuses += [m["status"] for m in send(client, *messages[start : start + 1000], media_file=MEDIA)["messages"]]
    # The only refusals are the sandbox's magic recipients that refuse on purpose (+61400000003/4/6/7).
    assert {i for i, s in enumerate(statuses) if s != "SUCCESS"} == {3, 4, 6, 7}
    spent = Decimal(OPENING) - Decimal(state.balance("sandbox"))
    assert spent == 9996 * Decimal("2.42") and Decimal(state.balance("sandbox")) > 0
    assert 3 * spent <= DEFAULT_BALANCE  # room to run it again, twice
