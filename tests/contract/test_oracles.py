"""The oracles' judgement on hand-made answers: each rule fails on the bug it guards against and passes the truth.

(The mutation harness proves the same against a running sandbox; these pin the rules themselves, in milliseconds.)
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
from clicksend_mms_fuzz import wire
from clicksend_mms_fuzz.model import Baseline, Message, Model
from clicksend_mms_fuzz.pagination import arithmetic_problems
from clicksend_mms_fuzz.plan import plan_from_env
from clicksend_mms_fuzz.records import delivered_early, field_problems, receipt_problems, status_problems


def _page(
    total: int, per_page: int, current: int, rows: int, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    last = -(-total // per_page) if total else 0
    offset = (current - 1) * per_page
    page = {
        "total": total,
        "per_page": per_page,
        "current_page": current,
        "last_page": last,
        "next_page_url": f"/?page={current + 1}" if current < last else None,
        "prev_page_url": f"/?page={current - 1}" if current > 1 else None,
        "from": offset + 1 if rows else None,
        "to": offset + rows if rows else None,
        "data": [{"message_id": f"M{offset + i}"} for i in range(rows)],
    }
    return page | (overrides or {})


@pytest.mark.parametrize(
    ("page", "asked"),
    [(_page(31, 15, 1, 15), (1, 15)), (_page(31, 15, 3, 1), (3, 15)), (_page(0, 15, 1, 0), (1, 15))],
)
def test_a_consistent_page_passes(page: dict[str, Any], asked: tuple[int, int]) -> None:
    assert arithmetic_problems(page, *asked) == []


@pytest.mark.parametrize(
    ("page", "fragment"),
    [
        (_page(31, 15, 3, 1, {"total": 32}), "holds 1 row(s)"),  # an inflated total shows on the last page
        (_page(0, 15, 1, 0, {"total": 1, "last_page": 1}), "holds 0 row(s)"),  # an empty history claiming a row
        (_page(31, 15, 2, 15, {"from": 15}), "from/to are 15/30"),
        (_page(31, 15, 1, 15, {"last_page": 2}), "last_page is 2"),
        (_page(31, 15, 1, 15, {"next_page_url": None}), "next_page_url is None"),
        (_page(31, 15, 2, 15, {"per_page": 20}), "per_page is 20"),
        # spec-derived mutants next/prev_page_url off by one: a link to page 31 still contains "page=3"
        (_page(61, 15, 2, 15, {"next_page_url": "/?page=31"}), "does not point at page 3"),
        (_page(61, 15, 2, 15, {"prev_page_url": "/?page=11"}), "does not point at page 1"),
    ],
)
def test_paginator_arithmetic_catches(page: dict[str, Any], fragment: str) -> None:
    problems = arithmetic_problems(page, page["current_page"], 15)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("to", ["+61411111111", "0412 345 678", "(02) 9999-0000", "61411111111"])
def test_phone_numbers_are_given_the_benefit_of_the_doubt(to: str) -> None:
    assert wire.could_be_phone_number(to)


@pytest.mark.parametrize("to", ["abc", "+", "12", "+61 4x1 111 111", "☎", "4+1234"])
def test_what_is_certainly_no_phone_number(to: str) -> None:
    assert not wire.could_be_phone_number(to)


def _message(**overrides: Any) -> Message:
    fields: dict[str, Any] = {
        "message_id": "A",
        "owner": "sandbox",
        "to": "+61491570006",
        "subject": "s",
        "body": "b",
        "custom_string": None,
        "price": Decimal("2.4200"),
        "parts": 1,
        "schedule": None,
        "accepted_at": time.time() - 60,
    }
    return Message(**(fields | overrides))


def _record(**overrides: Any) -> dict[str, Any]:
    record = {
        "message_id": "A",
        "to": "+61491570006",
        "subject": "s",
        "body": "b",
        "custom_string": "",
        "message_price": "2.420000",
        "message_parts": "1.00",
        "schedule": str(int(time.time()) - 60),
        "status": "Completed",
        "status_code": "201",
    }
    return record | overrides


def test_a_record_as_send_answered_it_passes() -> None:
    assert field_problems(_record(), _message()) == []
    assert status_problems(_record(), _message(), time.time(), True) == []


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        (_record(message_price="4.8400"), "message_price"),
        (_record(message_parts="2.00"), "message_parts"),
        (_record(to="+61400000000"), "to is"),
        (_record(schedule=str(int(time.time()) + 3600)), "schedule is"),
        (_record(country="AU1"), "country is"),  # spec-derived mutant: country off by one (history)
    ],
)
def test_a_record_that_differs_from_the_send_fails(record: dict[str, Any], fragment: str) -> None:
    assert any(fragment in p for p in field_problems(record, _message(country="AU")))


def test_cancelled_and_status_must_agree() -> None:
    now = time.time()
    assert status_problems(_record(status="Cancelled"), _message(), now, True)
    assert status_problems(_record(status="Scheduled"), _message(cancelled_at=now), now, True)
    assert not status_problems(_record(status="Cancelled"), _message(cancelled_at=now), now, True)


def test_a_scheduled_message_is_called_scheduled_by_the_sandbox() -> None:
    now = time.time()
    pending = _message(schedule=now + 3600)
    assert status_problems(_record(status="Queued"), pending, now, scheduled_word=True)
    assert not status_problems(_record(status="Scheduled"), pending, now, scheduled_word=True)
    assert not status_problems(_record(status="Queued"), pending, now, scheduled_word=False)  # live: not judged


def test_delivered_before_its_schedule_is_caught() -> None:
    now = time.time()
    future = str(int(now) + 3600)
    assert delivered_early(_record(schedule=future, status="Sent", status_code="200"), now)
    assert delivered_early(_record(schedule=future, status="Queued", status_code=None), now) is None
    assert delivered_early(_record(status="Completed"), now) is None


def test_receipts_only_for_messages_that_were_sent() -> None:
    now = time.time()
    row = {"message_id": "A", "timestamp_send": str(int(now) - 30), "timestamp": str(int(now) - 20)}
    assert receipt_problems(row, _message(), rejected=False, now=now) == []
    assert receipt_problems(row, None, rejected=True, now=now)
    assert receipt_problems(row, _message(to="+61411111111"), rejected=False, now=now)  # a test recipient
    assert receipt_problems(row, _message(schedule=now + 3600), rejected=False, now=now)
    # spec-derived mutant: the receipt row's custom_string off by one
    assert (
        receipt_problems({**row, "custom_string": "ref"}, _message(custom_string="ref"), rejected=False, now=now) == []
    )
    assert receipt_problems({**row, "custom_string": "ref1"}, _message(custom_string="ref"), rejected=False, now=now)


def _send_answer(*statuses: tuple[str, str]) -> bytes:
    messages = [
        {"message_id": f"M{i}", "status": status, "message_price": price, "message_parts": 1, "schedule": ""}
        for i, (status, price) in enumerate(statuses)
    ]
    total = sum(Decimal(p) for _, p in statuses)
    data = {"total_price": float(total), "total_count": len(messages), "queued_count": 1, "messages": messages}
    return json.dumps({"http_code": 200, "response_code": "SUCCESS", "response_msg": "", "data": data}).encode()


def test_the_model_keeps_the_books() -> None:
    model = Model()
    model.set_baseline("sandbox", Baseline(balance=Decimal(100), history_total=0, scheduled=0, cancelled=0))
    accepted = model.record_send("sandbox", _send_answer(("SUCCESS", "2.4200"), ("INVALID_RECIPIENT", "0.0000")), 0.0)
    state = model.account("sandbox")
    assert [m.message_id for m in accepted] == ["M0"] and state.rejected == {"M1"}
    assert state.expected_balance() == Decimal("97.58") and state.expected_history_total() == 1
    assert state.complete


def test_a_cancel_refunds_and_counts_only_what_was_scheduled() -> None:
    model = Model()
    model.set_baseline("sandbox", Baseline(balance=Decimal(100), history_total=0, scheduled=0, cancelled=0))
    model.record_send("sandbox", _send_answer(("SUCCESS", "2.4200")), 0.0)
    model.account("sandbox").messages["M0"].schedule = time.time() + 3600
    effect = model.record_cancel("sandbox", "M0", time.time(), time.time(), ok=True)
    assert effect.pending is True
    assert model.account("sandbox").expected_balance() == Decimal(100)
    assert model.account("sandbox").expected_cancelled_total() == 1
    again = model.record_cancel("sandbox", "M0", time.time(), time.time(), ok=False)
    assert again.pending is False  # already cancelled: a 404 is right, a 200 is not


def test_sampling_takes_the_first_then_one_in_k() -> None:
    model = Model()
    taken = [model.sampled("x", 3, 5) for _ in range(20)]
    assert taken[:3] == [True] * 3 and sum(taken) == 3 + 3  # turns 5, 10, 15


def test_the_plan_says_when_isolation_is_off_and_what_live_leaves_out() -> None:
    live = {"CLICKSEND_USERNAME": "me", "CLICKSEND_API_KEY": "secret-key"}
    plan = plan_from_env(live)
    text = plan.describe()
    assert "Isolation: off (set CLICKSEND_USERNAME_2 and CLICKSEND_API_KEY_2" in text
    assert "Rate-limit burst: off" in text
    assert {"cancel_is_final", "balance_matches_charges", "rate_limit_burst"} <= set(plan.policy.excluded_checks)
    assert "--exclude-checks" in plan.schemathesis_arguments()
    both = plan_from_env(live | {"CLICKSEND_USERNAME_2": "me2", "CLICKSEND_API_KEY_2": "other-key"})
    assert both.peer is not None and "Isolation: on, second account 'me2'" in both.describe()
    assert "other-key" not in both.describe() and "other-key" not in repr(both)
    spend = plan_from_env(live | {"CLICKSEND_ALLOW_SPEND": "1"})
    assert set(spend.policy.excluded_checks) == {"balance_matches_charges", "rate_limit_burst"}
    sandbox = plan_from_env({})
    assert sandbox.policy.excluded_checks == () and "Isolation: on" in sandbox.describe()


def test_schedules_are_judged_on_the_servers_clock() -> None:
    model = Model()
    model.offset = 3600.0  # the server runs an hour ahead (a sandbox whose clock a test advanced)
    local = time.time()
    model.record_send("sandbox", _send_answer(("SUCCESS", "0.0000")), local + model.offset)
    message = model.account("sandbox").messages["M0"]
    message.schedule = local + 1800  # half an hour from here: already past on the server
    assert model.now() > message.schedule and model.pending_ids("sandbox") == []
    server = model.now()
    effect = model.record_cancel("sandbox", "M0", server, server, ok=False)
    assert effect.pending is False  # its cancel answering 404 is right
