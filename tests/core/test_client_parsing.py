"""The generated client turns every known payload into honest Python types, and to_dict writes the wire back."""

from __future__ import annotations

import datetime
import importlib
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from clicksend_mms import AuthenticatedClient
from clicksend_mms.models import MmsHistoryResponse, MmsMessageRecord, MmsReceiptResponse, SendMmsResponse

from tests.helpers import spec
from tests.helpers.annotations import mismatches
from tests.helpers.payloads import known_payloads

CLIENT = AuthenticatedClient(base_url="https://rest.clicksend.com/v3", username="u", api_key="k")
RESPONSES = [p for p in known_payloads() if p.kind != "request"]
REQUESTS = [p for p in known_payloads() if p.kind == "request"]
SEEDS = spec.ROOT / "tests" / "fixtures" / "seeds"


def parse(operation_id: str, status: int, body: Any) -> Any:
    module = importlib.import_module(
        f"clicksend_mms.api.{spec.operation(operation_id).body['tags'][0].lower()}.{operation_id}"
    )
    response = httpx.Response(status, json=body)
    return module._parse_response(client=CLIENT, response=response)


@pytest.mark.parametrize("payload", RESPONSES, ids=[p.name for p in RESPONSES])
def test_payload_parses_to_annotated_types(payload: Any) -> None:
    parsed = parse(payload.operation_id, int(payload.kind), payload.body)
    assert parsed is not None
    assert mismatches(parsed) == []


@pytest.mark.parametrize("payload", RESPONSES, ids=[p.name for p in RESPONSES])
def test_to_dict_round_trips_and_stays_valid(payload: Any) -> None:
    parsed = parse(payload.operation_id, int(payload.kind), payload.body)
    wire = parsed.to_dict()
    assert spec.response_errors(payload.operation_id, payload.kind, wire) == []
    assert type(parsed).from_dict(json.loads(json.dumps(wire))) == parsed


@pytest.mark.parametrize("payload", REQUESTS, ids=[p.name for p in REQUESTS])
def test_request_payloads_round_trip_through_request_models(payload: Any) -> None:
    op = spec.operation(payload.operation_id)
    ref = spec.resolve(op.body["requestBody"])["content"]["application/json"]["schema"]["$ref"]
    model = getattr(importlib.import_module("clicksend_mms.models"), ref.rsplit("/", 1)[1])
    assert model.from_dict(payload.body).to_dict() == payload.body


def test_seed_history_is_normalized() -> None:
    history = MmsHistoryResponse.from_dict(json.loads((SEEDS / "get_mms_history__200.json").read_text()))
    rows = history.data.data
    first = rows[0]
    assert first.list_id == 429 and isinstance(first.list_id, int)
    assert first.message_price == Decimal("2.4200") and str(first.message_price) == "2.4200"
    assert first.message_parts == 1 and isinstance(first.message_parts, int)
    assert first.date_added == datetime.datetime(2016, 7, 1, 7, 3, 43, tzinfo=datetime.UTC)
    assert first.schedule == first.date_added  # "1467356623" as a string
    assert [r.status_code for r in rows[:5]] == [301, None, None, None, 200]
    assert first.carrier is None and first.custom_string is None  # "" on the wire
    assert rows[13].from_ is None and rows[13].contact_id is None  # "" and null on the wire
    assert history.data.next_page_url == "/?page=2" and history.data.last_page == 3


def test_seed_send_is_normalized() -> None:
    sent = SendMmsResponse.from_dict(json.loads((SEEDS / "send_mms__200.json").read_text()))
    assert sent.data.total_price == Decimal("19.36")
    assert sent.data.total_count == 8 and sent.data.queued_count == 8
    message = sent.data.messages[0]
    assert message.schedule is None  # "" = send now
    assert message.message_parts == 1 and message.list_id == 429
    assert sent.data.field_currency is not None and sent.data.field_currency.currency_name_short == "AUD"


def test_receipt_word_status_is_kept() -> None:
    body = json.loads((spec.ROOT / "tests/fixtures/apisguru/get_mms_receipts__200.json").read_text())["payload"]
    parsed = parse("get_mms_receipts", 200, body)
    assert {r.status_code for r in parsed.data.data} == {"Completed"}
    assert all(isinstance(r.timestamp, datetime.datetime) and r.timestamp.tzinfo for r in parsed.data.data)


def test_receipt_by_id_is_a_message_record_with_six_decimal_price() -> None:
    body = json.loads((spec.ROOT / "tests/fixtures/apisguru/get_mms_receipt__200.json").read_text())["payload"]
    parsed = MmsReceiptResponse.from_dict(body)
    assert isinstance(parsed.data, MmsMessageRecord)
    assert parsed.data.message_price == Decimal("2.420000")


def test_integer_bad_request_code_is_kept_as_it_came() -> None:
    body = {"http_code": 400, "response_code": 400, "response_msg": "Bad request.", "data": None}
    parsed = parse("send_mms", 400, body)
    assert parsed.response_code == 400
    assert parsed.to_dict()["response_code"] == 400


def test_success_response_code_is_text() -> None:
    body = json.loads((SEEDS / "send_mms__200.json").read_text())
    assert SendMmsResponse.from_dict(body).response_code == "SUCCESS"


def test_annotation_walk_catches_a_lie() -> None:
    # The walk above is only worth something if it notices a value that contradicts its annotation.
    honest = MmsMessageRecord(message_id="A", status="Sent", list_id=429)
    lying = MmsMessageRecord(message_id="A", status="Sent", list_id="429")  # type: ignore[arg-type]
    assert mismatches(honest) == []
    assert mismatches(lying) == ["$.list_id: '429' is not int | None"]
