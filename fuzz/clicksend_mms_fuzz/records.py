"""A message record (history row, receipt-by-id) or receipt row against what the run knows of that message.

Pure functions returning problems as sentences; the checks decide which of them they report.
"""

from __future__ import annotations

from typing import Any

from . import send_model, wire
from .model import CLOCK_SLACK, Message

# Receipt status codes that say a message went out (ClickSend: 200 sent, 201 delivered, 300/301 failures).
_SENT_CODES = frozenset({200, 201, 300, 301})
SCHEDULED = "Scheduled"


def _same_text(a: object, b: object) -> bool:
    # "" and null both mean "no value" on ClickSend's wire.
    return (a or None) == (b or None) or str(a) == str(b)


def field_problems(record: dict[str, Any], message: Message) -> list[str]:
    """Where `record` disagrees with what send answered for the same message."""
    problems: list[str] = []
    if message.to is not None and not _same_text(record.get("to"), message.to):
        problems.append(f"to is {record.get('to')!r}, send answered {message.to!r}")
    for name in ("subject", "body", "custom_string", "country"):
        expected = getattr(message, name)
        if expected is not None and name in record and not _same_text(record.get(name), expected):
            problems.append(f"{name} is {record.get(name)!r}, send answered {expected!r}")
    price = wire.money(record.get("message_price"))
    if message.price is not None and "message_price" in record and price != message.price:
        problems.append(f"message_price is {record.get('message_price')!r}, send charged {message.price}")
    parts = wire.count(record.get("message_parts"))
    if message.parts is not None and "message_parts" in record and parts != message.parts:
        problems.append(f"message_parts is {record.get('message_parts')!r}, send answered {message.parts}")
    schedule = wire.unix_seconds(record.get("schedule"))
    if message.schedule is not None and "schedule" in record:
        if schedule is None or abs(schedule - message.schedule) > 1:
            problems.append(f"schedule is {record.get('schedule')!r}, send scheduled it for {message.schedule:.0f}")
    elif schedule is not None:
        added = wire.unix_seconds(record.get("date_added"))  # the server's own clock, where the record has it
        if schedule > (added if added is not None else message.accepted_at) + CLOCK_SLACK:
            problems.append(f"schedule is {record.get('schedule')!r} (after it was added), but send sent it at once")
    return problems


def status_problems(record: dict[str, Any], message: Message, now: float, scheduled_word: bool) -> list[str]:
    """The record's status against what the run did to the message (cancelled or not) and its schedule.

    `scheduled_word`: the target names a not-yet-due message "Scheduled" (the sandbox's documented lifecycle, and
    a status the spec lists; live ClickSend is only held to "not delivered", see `delivered_early`).
    """
    status = record.get("status")
    if message.cancelled_at is not None and status != wire.CANCELLED:
        return [f"status is {status!r}, but this run cancelled it"]
    if message.cancelled_at is None and status == wire.CANCELLED:
        return ["status is 'Cancelled', but nothing cancelled it"]
    if scheduled_word and message.pending_at(now) and status != SCHEDULED:
        ahead = (message.schedule or 0) - now
        return [f"status is {status!r}, but it is scheduled {ahead:.0f}s from now"]
    return []


def delivered_early(record: dict[str, Any], now: float, message: Message | None = None) -> str | None:
    """A sent/delivered status on a message whose own schedule (or the run's) is still in the future."""
    schedule = wire.unix_seconds(record.get("schedule"))
    if message is not None and message.schedule is not None and message.cancelled_at is None:
        schedule = message.schedule
    if schedule is None or schedule <= now + CLOCK_SLACK:
        return None
    status, code = record.get("status"), wire.count(record.get("status_code"))
    if status in wire.DELIVERED_STATUSES or code in _SENT_CODES:
        return (
            f"message {record.get('message_id')} is {status!r} (status_code {record.get('status_code')!r}) "
            f"{schedule - now:.0f}s before its schedule"
        )
    return None


def receipt_problems(row: dict[str, Any], message: Message | None, rejected: bool, now: float) -> list[str]:
    """A receipt for a message the run knows: only for one that was sent (accepted, not a test number, not
    cancelled before its time, due)."""
    message_id = row.get("message_id")
    if rejected:
        return [f"receipt for {message_id}, which send rejected (never sent)"]
    if message is None:
        return []
    problems = []
    if message.test_recipient:
        problems.append(f"receipt for {message_id} to test recipient {message.to} (never sent, never a receipt)")
    if message.cancelled_at is not None and message.schedule is not None and message.cancelled_at < message.schedule:
        problems.append(f"receipt for {message_id}, cancelled before its schedule (never sent)")
    if message.schedule is not None and message.schedule > now + CLOCK_SLACK:
        problems.append(f"receipt for {message_id}, scheduled {message.schedule - now:.0f}s from now (not sent yet)")
    if "custom_string" in row and not _same_text(row.get("custom_string"), message.custom_string):
        problems.append(f"receipt for {message_id} has custom_string {row.get('custom_string')!r}, send answered "
                        f"{message.custom_string!r}")  # fmt: skip
    sent = wire.unix_seconds(row.get("timestamp_send"))
    start = message.schedule if message.schedule is not None else message.accepted_at
    if sent is not None and sent < start - CLOCK_SLACK - 1:
        problems.append(f"receipt for {message_id} says it was sent at {sent:.0f}, before it could be ({start:.0f})")
    return problems


# What a send or price answer echoes of each message it was given, in order (a rejected message's shorter shape
# has no subject: only the fields the answer has are compared). `to` is not: the API normalises numbers.
ECHOED = ("body", "subject", "custom_string")


def echo_problems(body: Any, results: list[dict[str, Any]]) -> list[str]:
    """Where a send/price answer's messages do not echo the request's (same count, no list expansion)."""
    sent = wire.request_messages(body)
    if not sent or len(sent) != len(results) or any("list_id" in m for m in sent):
        return []
    problems = []
    for index, (request, result) in enumerate(zip(sent, results, strict=True)):
        for name in ECHOED:
            if name in result and name in request and not _same_text(result.get(name), request.get(name)):
                text = request.get(name)
                if name == "body" and isinstance(text, str) and result.get(name) in send_model.kept_bodies(text):
                    continue  # truncated as the spec says (send_model judges which truncation)
                problems.append(
                    f"message {index}: {name} is {result.get(name)!r}, the request sent {request.get(name)!r}"
                )
                break
    return problems[:3]
