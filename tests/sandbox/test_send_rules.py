"""Send and price: per-message statuses inside the 200 envelope, shapes, prices, balance, test recipients."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from clicksend_mms_sandbox.app import SandboxState

from tests.sandbox.conftest import MEDIA, OPENING, TEST_KEY, ClientFactory, balance_after, history, message, send

CLICKSEND_TEST_NUMBERS = [
    "+61411111111", "+61422222222", "+61433333333", "+61444444444",
    "+14055555555", "+14055555666", "+447777777777", "+8615555555555",
]  # fmt: skip
SHORT_SHAPE = {"to", "body", "from", "schedule", "message_id", "custom_string", "status", "message_price",
               "message_parts"}  # fmt: skip


def test_accepted_message_has_the_long_shape_of_the_seed(client: httpx.Client) -> None:
    data = send(client, message(custom_string="ref-1", **{"from": "test"}))
    assert data["total_count"] == 1 and data["queued_count"] == 1
    assert data["total_price"] == 2.42 and isinstance(data["total_price"], float)
    assert data["_currency"]["currency_name_short"] == "AUD"
    (msg,) = data["messages"]
    assert msg["status"] == "SUCCESS"
    assert msg["message_price"] == "2.4200" and msg["message_parts"] == 1
    assert msg["schedule"] == "" and msg["country"] == "AU" and msg["from"] == "test"
    assert msg["custom_string"] == "ref-1" and msg["_media_file_url"] == MEDIA
    assert msg["contact_id"] is None and msg["list_id"] is None
    assert msg["message_id"] == msg["message_id"].upper() and len(msg["message_id"]) == 36


@pytest.mark.parametrize(
    ("fields", "media", "status"),
    [
        ({"to": "not a number"}, MEDIA, "INVALID_RECIPIENT"),
        ({"to": "+12"}, MEDIA, "INVALID_RECIPIENT"),
        ({"subject": "   "}, MEDIA, "SUBJECT_REQUIRED"),
        ({"body": " \n "}, MEDIA, "EMPTY_MESSAGE"),
        ({"body": ""}, MEDIA, "EMPTY_MESSAGE"),
        ({}, "https://example.com/cat.pdf", "INVALID_MEDIA_FILE"),
        ({}, "https://example.com/cat", "INVALID_MEDIA_FILE"),
        ({"to": None}, MEDIA, "MISSING_REQUIRED_FIELDS"),
        ({"to": None, "list_id": 429}, MEDIA, "NOT_ENOUGH_PERMISSION_TO_LIST_ID"),
        ({"to": "+4915112345678"}, MEDIA, "COUNTRY_NOT_ENABLED"),
        ({"to": "+99912345678"}, MEDIA, "COUNTRY_NOT_ENABLED"),
        ({"schedule": 99999999999}, MEDIA, "INVALID_SCHEDULE"),
        ({"to": "+61400000003"}, MEDIA, "INVALID_RECIPIENT"),
        ({"to": "+61400000004"}, MEDIA, "INSUFFICIENT_CREDIT"),
        ({"to": "+61400000006"}, MEDIA, "THROTTLED"),
        ({"to": "+61400000007"}, MEDIA, "COUNTRY_NOT_ENABLED"),
    ],
)
def test_rejected_messages_come_back_short_inside_a_200(
    client: httpx.Client, state: SandboxState, fields: dict[str, object], media: str, status: str
) -> None:
    msg = {k: v for k, v in message(**fields).items() if v is not None}  # type: ignore[arg-type]
    data = send(client, msg, media_file=media)
    (result,) = data["messages"]
    assert result["status"] == status
    assert set(result) == SHORT_SHAPE
    assert result["message_price"] == "0.0000" and result["message_parts"] == 0 and result["schedule"] == ""
    assert data["total_price"] == 0 and data["queued_count"] == 0
    assert history(client)["total"] == 0  # a rejected message is never stored
    assert state.balance("sandbox") == OPENING


def test_mixed_send_counts_and_charges_only_accepted(client: httpx.Client, state: SandboxState) -> None:
    data = send(client, message(), message(to="nope"), message(to="+447700900123"))
    assert [m["status"] for m in data["messages"]] == ["SUCCESS", "INVALID_RECIPIENT", "SUCCESS"]
    assert data["total_count"] == 3 and data["queued_count"] == 2
    assert data["total_price"] == pytest.approx(3.52)
    assert state.balance("sandbox") == balance_after("2.42", "1.10")
    assert history(client)["total"] == 2


@pytest.mark.parametrize("number", CLICKSEND_TEST_NUMBERS)
def test_clicksend_test_recipients_succeed_for_free_and_never_get_receipts(
    client: httpx.Client, state: SandboxState, number: str
) -> None:
    (msg,) = send(client, message(to=number))["messages"]
    assert msg["status"] == "SUCCESS" and msg["message_price"] == "0.0000" and msg["message_parts"] == 0
    state.advance(3600)
    assert client.get("/mms/receipts").json()["data"]["total"] == 0
    (row,) = history(client)["data"]
    assert row["message_price"] == "0.0000" and row["status"] == "Sent"
    assert state.balance("sandbox") == OPENING


def test_local_numbers_use_the_country(client: httpx.Client) -> None:
    data = send(client, message(to="0437 111 222"), message(to="021 234 5678", country="NZ"))
    assert [m["to"] for m in data["messages"]] == ["+61437111222", "+64212345678"]
    assert [m["country"] for m in data["messages"]] == ["AU", "NZ"]
    assert [m["message_price"] for m in data["messages"]] == ["2.4200", "2.6400"]


def test_balance_goes_down_and_runs_out(make_client: ClientFactory, state: SandboxState) -> None:
    poor = make_client("poor", "poor-key")
    data = send(poor, message(), message(), message())
    assert [m["status"] for m in data["messages"]] == ["SUCCESS", "SUCCESS", "INSUFFICIENT_CREDIT"]
    assert Decimal(state.balance("poor")) == Decimal("5") - 2 * Decimal("2.42")


def test_nocredit_account_gets_insufficient_credit_on_every_message(make_client: ClientFactory) -> None:
    nocredit = make_client("nocredit", TEST_KEY)
    data = send(nocredit, message(), message(to="+61411111111"))
    assert {m["status"] for m in data["messages"]} == {"INSUFFICIENT_CREDIT"}
    assert history(nocredit)["total"] == 0


def test_price_answers_like_send_but_charges_and_stores_nothing(client: httpx.Client, state: SandboxState) -> None:
    body = {"media_file": MEDIA, "messages": [message(), message(to="+14155550100")]}
    response = client.post("/mms/price", json=body)
    assert response.status_code == 200
    payload = response.json()
    assert payload["response_msg"] == "Messages queued for delivery."
    assert payload["data"]["total_price"] == pytest.approx(2.97)
    assert [m["message_price"] for m in payload["data"]["messages"]] == ["2.4200", "0.5500"]
    assert state.balance("sandbox") == OPENING
    assert history(client)["total"] == 0


def test_scheduled_send_echoes_the_schedule(client: httpx.Client, state: SandboxState) -> None:
    when = int(state.clock.now()) + 3600
    (msg,) = send(client, message(schedule=when))["messages"]
    assert msg["schedule"] == when
    (row,) = history(client)["data"]
    assert row["status"] == "Scheduled" and row["schedule"] == str(when)


def test_a_past_schedule_sends_now(client: httpx.Client) -> None:
    (msg,) = send(client, message(schedule=1512538536))["messages"]
    assert msg["status"] == "SUCCESS" and msg["schedule"] == ""
    assert history(client)["data"][0]["status"] == "Queued"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("x" * 1501, "x" * 1500),  # GSM text: 1500 characters
        ("é£€{" * 400, ("é£€{" * 400)[:1500]),  # GSM 03.38 too (basic and extension tables), though not ASCII
        ("a`" * 300, ("a`" * 300)[:500]),  # a backtick is ASCII but not GSM: unicode, 500
        ("英" * 800, "英" * 500),  # unicode: 500
        ("x" * 1499 + "英", ("x" * 1499 + "英")[:500]),  # one non-GSM character makes the whole body unicode
        ("英" * 500, "英" * 500),  # at the limit: kept whole
    ],
)
def test_long_bodies_are_truncated_not_split_and_not_refused(
    client: httpx.Client, state: SandboxState, body: str, kept: str
) -> None:
    (msg,) = send(client, message(body=body))["messages"]
    assert msg["status"] == "SUCCESS" and msg["body"] == kept and msg["message_parts"] == 1
    (row,) = history(client)["data"]
    assert row["body"] == kept and row["message_parts"] == "1.00"  # what was kept is what is stored
    assert client.get(f"/mms/receipts/{msg['message_id']}").json()["data"]["body"] == kept
    assert state.balance("sandbox") == balance_after("2.42")  # one message, one part, charged once


def test_the_seed_request_is_accepted(client: httpx.Client) -> None:
    import json

    from tests.helpers.payloads import FIXTURES

    seed = json.loads((FIXTURES / "seeds" / "send_mms__request.json").read_text())
    response = client.post("/mms/send", json=seed)
    assert response.status_code == 200
    assert response.json()["data"]["messages"][0]["status"] == "SUCCESS"
