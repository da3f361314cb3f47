"""The lifecycle on the driven clock, cancel rules, receipts."""

from __future__ import annotations

import httpx
import pytest
from clicksend_mms_sandbox.app import SandboxState

from tests.sandbox.conftest import (
    OPENING,
    RECEIPT_DELAY,
    SEND_DELAY,
    ClientFactory,
    balance_after,
    history,
    message,
    send,
)


def status_of(client: httpx.Client, message_id: str) -> tuple[str, str | None]:
    data = client.get(f"/mms/receipts/{message_id}").json()["data"]
    return data["status"], data["status_code"]


def test_immediate_send_goes_queued_sent_completed(client: httpx.Client, state: SandboxState) -> None:
    message_id = send(client)["messages"][0]["message_id"]
    assert status_of(client, message_id) == ("Queued", None)
    state.advance(SEND_DELAY)
    assert status_of(client, message_id) == ("Sent", "200")
    assert client.get("/mms/receipts").json()["data"]["total"] == 0
    state.advance(RECEIPT_DELAY)
    assert status_of(client, message_id) == ("Completed", "201")
    (receipt,) = client.get("/mms/receipts").json()["data"]["data"]
    assert receipt["message_id"] == message_id and receipt["status_code"] == "201"
    assert receipt["message_type"] == "mms" and int(receipt["timestamp"]) >= int(receipt["timestamp_send"])


def test_magic_recipients(client: httpx.Client, state: SandboxState) -> None:
    ids = [m["message_id"] for m in send(client, *(message(to=f"+6140000000{i}") for i in (1, 2, 5)))["messages"]]
    state.advance(SEND_DELAY + RECEIPT_DELAY)
    assert [status_of(client, i) for i in ids] == [("Completed", "201"), ("Failed", "301"), ("Sent", "200")]
    receipts = {r["message_id"]: r for r in client.get("/mms/receipts").json()["data"]["data"]}
    assert set(receipts) == set(ids[:2])
    assert receipts[ids[1]]["status_code"] == "301" and receipts[ids[1]]["error_text"]


def test_receipt_by_id_is_the_message_record_with_six_decimals(client: httpx.Client) -> None:
    message_id = send(client)["messages"][0]["message_id"]
    response = client.get(f"/mms/receipts/{message_id}")
    data = response.json()["data"]
    assert data["message_id"] == message_id and data["message_price"] == "2.420000"
    assert data["message_parts"] == "1.00" and data["direction"] == "out"


def test_receipt_by_id_unknown_or_other_account_is_404(client: httpx.Client, make_client: ClientFactory) -> None:
    message_id = send(client)["messages"][0]["message_id"]
    other = make_client("other", "other-key")
    assert other.get(f"/mms/receipts/{message_id}").status_code == 404
    assert client.get("/mms/receipts/2453E085-C1F8-47EC-AD35-B793960B1313").status_code == 404


def test_mark_read_hides_receipts_and_honours_date_before(client: httpx.Client, state: SandboxState) -> None:
    first = send(client)["messages"][0]["message_id"]
    state.advance(100)
    second = send(client)["messages"][0]["message_id"]
    state.advance(100)
    receipts = client.get("/mms/receipts").json()["data"]["data"]
    assert {r["message_id"] for r in receipts} == {first, second}
    cut = int(next(r["timestamp"] for r in receipts if r["message_id"] == second))
    response = client.put("/mms/receipts-read", json={"date_before": cut})
    assert response.status_code == 200 and response.json()["data"] is None
    assert [r["message_id"] for r in client.get("/mms/receipts").json()["data"]["data"]] == [second]
    assert client.put("/mms/receipts-read").status_code == 200  # no body: all
    assert client.get("/mms/receipts").json()["data"]["total"] == 0
    # Read receipts stay readable by id.
    assert status_of(client, first) == ("Completed", "201")


def test_scheduled_send_waits_then_goes(client: httpx.Client, state: SandboxState) -> None:
    when = int(state.clock.now()) + 600
    message_id = send(client, message(schedule=when))["messages"][0]["message_id"]
    assert status_of(client, message_id) == ("Scheduled", None)
    state.advance(599)
    assert status_of(client, message_id) == ("Scheduled", None)
    state.advance(1 + SEND_DELAY + RECEIPT_DELAY)
    assert status_of(client, message_id) == ("Completed", "201")


def test_cancel_a_scheduled_message_refunds_it(client: httpx.Client, state: SandboxState) -> None:
    when = int(state.clock.now()) + 600
    message_id = send(client, message(schedule=when))["messages"][0]["message_id"]
    assert state.balance("sandbox") == balance_after("2.42")
    response = client.put(f"/mms/{message_id}/cancel")
    assert response.status_code == 200
    assert response.json()["response_msg"] == "MMS has been cancelled." and response.json()["data"] is None
    assert status_of(client, message_id) == ("Cancelled", None)
    assert state.balance("sandbox") == OPENING
    state.advance(3600)
    assert status_of(client, message_id) == ("Cancelled", None)  # never sent, never a receipt
    assert client.get("/mms/receipts").json()["data"]["total"] == 0
    assert client.put(f"/mms/{message_id}/cancel").status_code == 404  # already cancelled


@pytest.mark.parametrize("case", ["sent", "queued", "unknown", "other_account", "after_its_time"])
def test_cancel_is_404_unless_scheduled(
    client: httpx.Client, make_client: ClientFactory, state: SandboxState, case: str
) -> None:
    when = int(state.clock.now()) + 600
    if case == "unknown":
        message_id = "2453E085-C1F8-47EC-AD35-B793960B1313"
    elif case in ("other_account", "after_its_time"):
        message_id = send(client, message(schedule=when))["messages"][0]["message_id"]
    else:
        message_id = send(client)["messages"][0]["message_id"]
    if case == "sent":
        state.advance(SEND_DELAY)
    if case == "after_its_time":
        state.advance(600)
    canceller = make_client("other", "other-key") if case == "other_account" else client
    response = canceller.put(f"/mms/{message_id}/cancel")
    assert response.status_code == 404 and response.json()["response_code"] == "NOT_FOUND"


def test_cancel_all_counts_only_this_accounts_scheduled(
    client: httpx.Client, make_client: ClientFactory, state: SandboxState
) -> None:
    when = int(state.clock.now()) + 600
    other = make_client("other", "other-key")
    send(client, message(schedule=when), message(schedule=when), message())
    send(other, message(schedule=when))
    response = client.put("/mms/cancel-all")
    assert response.json()["data"] == {"count": 2}
    assert response.json()["response_msg"] == "2 MMS have been cancelled."
    assert client.put("/mms/cancel-all").json()["data"] == {"count": 0}
    statuses = sorted(r["status"] for r in history(client)["data"])
    assert statuses == ["Cancelled", "Cancelled", "Queued"]
    assert history(other)["data"][0]["status"] == "Scheduled"


def test_clock_control_endpoint(client: httpx.Client, state: SandboxState) -> None:
    before = state.clock.now()
    response = client.post("/_sandbox/clock/advance", json={"seconds": 90})
    assert response.status_code == 200 and response.json()["data"]["offset"] == 90
    assert state.clock.now() - before >= 90
    assert client.post("/_sandbox/clock/advance", json={"seconds": -1}).status_code == 400
    assert client.post("/_sandbox/clock/advance", json={"seconds": "x"}).status_code == 400
