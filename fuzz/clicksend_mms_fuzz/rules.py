"""ClickSend's rules that no schema states: the request against the response, and the clock against statuses.

- ``invalid_recipient_not_success``: a message whose `to` is not a phone number never comes back SUCCESS (and is
  never charged), in send or price;
- ``price_matches_send``: price, given the body a send just sent, answers the same per-message status and price;
- ``scheduled_not_delivered_early``: no record shows a message sent (Sent/Completed/Failed, status code 2xx/3xx)
  before its schedule, and no receipt exists for one whose time has not come;
- ``receipts_only_for_sent``: a receipt belongs to a message that was sent: not one send rejected, not one to a
  test recipient, not one cancelled before its time; against a fresh sandbox, not one the run never sent.
"""

from __future__ import annotations

from typing import Any

from schemathesis import CheckContext, Response

from . import model, records, runenv, wire
from .effects import RECORD_OPERATIONS, records_in, requester
from .model import CLOCK_SLACK
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id

SEND_LIKE = ("send_mms", "price_mms")
PRICE_SAMPLE = (30, 3)  # the first sends, then one in three (model.Model.sampled)
PEER_RECEIPTS_SAMPLE = (5, 10)
# The one per-message outcome that depends on the balance, which a send in between has changed.
_BALANCE_STATUS = "INSUFFICIENT_CREDIT"


def invalid_recipient_not_success(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    if operation_id(case) not in SEND_LIKE or response.status_code != 200:
        return SKIP
    sent, results = wire.request_messages(case.body), wire.send_messages(response.content)
    if not sent or len(sent) != len(results):
        return SKIP  # a list expanded to its contacts: results no longer line up with the messages sent
    wrong = []
    for message, result in zip(sent, results, strict=True):
        to = message.get("to")
        if not isinstance(to, str) or wire.could_be_phone_number(to):
            continue
        price = wire.money(result.get("message_price"))
        if result.get("status") == "SUCCESS" or (price is not None and price != 0):
            wrong.append(f"to={to!r} -> {result.get('status')!r} at {result.get('message_price')!r}")
    if wrong:
        raise AssertionError(
            f"{len(wrong)} recipient(s) that are not phone numbers were accepted: " + "; ".join(wrong[:3])
        )
    return PASSED


def _schedule_differs(sent: object, priced: object, now: float) -> bool:
    """Both answered the same send time: the same schedule, or both "now" ("" / none) — unless the schedule was
    so close to now that the moment between the two requests decides."""
    a, b = wire.unix_seconds(sent), wire.unix_seconds(priced)
    if a is None or b is None:
        later = a if b is None else b
        return a != b and later is not None and later > now + CLOCK_SLACK
    return abs(a - b) > 1


def price_matches_send(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    run = runenv.current()
    user = requester(response)
    if operation_id(case) != "send_mms" or response.status_code != 200 or run.account is None:
        return SKIP
    if user != run.account.username or not model.of(case).sampled("price_matches_send", *PRICE_SAMPLE):
        return SKIP
    api = Api.of(case, response)
    answer = follow_up(ctx, case, api, api.case("price_mms", body=case.body), run.account)
    if answer.status_code != 200:
        raise AssertionError(f"Send accepted this body, price answered {answer.status_code} for the same body")
    sent, priced = wire.send_messages(response.content), wire.send_messages(answer.content)
    if len(sent) != len(priced):
        raise AssertionError(f"Send answered {len(sent)} message(s), price {len(priced)} for the same body")
    differences = records.echo_problems(case.body, priced) if run.sandbox else []
    for index, (a, b) in enumerate(zip(sent, priced, strict=True)):
        statuses = {a.get("status"), b.get("status")}
        if run.live and _BALANCE_STATUS in statuses:
            continue  # live, the send itself may have used up the credit price now finds missing
        if a.get("status") != b.get("status"):
            differences.append(f"message {index}: send {a.get('status')!r}, price {b.get('status')!r}")
        elif wire.money(a.get("message_price")) != wire.money(b.get("message_price")):
            differences.append(f"message {index}: send {a.get('message_price')!r}, price {b.get('message_price')!r}")
        elif _schedule_differs(a.get("schedule"), b.get("schedule"), api.model.now()):
            differences.append(f"message {index}: schedule: send {a.get('schedule')!r}, price {b.get('schedule')!r}")
    if not differences:
        sent_total = wire.money((wire.envelope_data(response.content) or {}).get("total_price"))
        priced_total = wire.money((wire.envelope_data(answer.content) or {}).get("total_price"))
        if sent_total != priced_total:
            differences.append(f"total_price: send {sent_total}, price {priced_total}")
    if differences:
        raise AssertionError("Price and send disagree on the same body: " + "; ".join(differences[:4]))
    return PASSED


def _receipt_rows(operation: str, payload: bytes) -> list[dict[str, Any]]:
    return wire.rows_of(wire.page_of(payload)) if operation == "get_mms_receipts" else []


def scheduled_not_delivered_early(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    operation = operation_id(case)
    if operation not in (*RECORD_OPERATIONS, "get_mms_receipts") or response.status_code != 200:
        return SKIP
    now = known.now()
    problems = []
    for record in records_in(operation, response.content) if operation in RECORD_OPERATIONS else []:
        early = records.delivered_early(record, now, known.message(str(record.get("message_id"))))
        if early:
            problems.append(early)
    rows = _receipt_rows(operation, response.content)
    run = runenv.current()
    # The peer's canary is scheduled a month ahead and nothing cancels it: the longest-lived scheduled message of
    # the run, where a receipt sent before its time has the time to show (looked at in a sample of the answers).
    peer_look = operation == "get_mms_receipts" and run.peer is not None and known.canary_id is not None
    if peer_look and run.peer is not None and known.sampled("receipts:peer", *PEER_RECEIPTS_SAMPLE):
        api = Api.of(case, response)
        peer = follow_up(ctx, case, api, api.case("get_mms_receipts"), run.peer)
        rows = rows + (wire.rows_of(wire.page_of(peer.content)) if peer.status_code == 200 else [])
    for row in rows:
        message = known.message(str(row.get("message_id")))
        if message is not None and message.pending_at(now) is True:
            problems.append(
                f"receipt for {message.message_id}, scheduled {(message.schedule or 0) - now:.0f}s from now"
            )
    if problems:
        raise AssertionError("A scheduled message was delivered before its time: " + "; ".join(problems[:3]))
    return PASSED


def receipts_only_for_sent(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    run = runenv.current()
    user = requester(response)
    if operation_id(case) != "get_mms_receipts" or response.status_code != 200 or run.account is None:
        return SKIP
    if user != run.account.username:
        return SKIP
    state = known.account(user)
    now = known.now()
    problems = []
    for row in _receipt_rows("get_mms_receipts", response.content):
        message_id = str(row.get("message_id"))
        message = known.message(message_id)
        if message is None and state.complete and known.owner_of.get(message_id) is None:
            problems.append(f"receipt for {message_id}, which this run never sent (the account started empty)")
            continue
        if message is not None and message.owner != user:
            continue  # another account's: other_account_sees_nothing
        problems += records.receipt_problems(row, message, message_id in state.rejected, now)
    if problems:
        raise AssertionError("Receipts for messages that were never sent: " + "; ".join(problems[:3]))
    return PASSED
