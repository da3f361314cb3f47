"""ClickSend's wire shapes: a message in a send answer (accepted or rejected), a history record, a receipt row,
and Laravel's paginator as ClickSend serialises it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import orjson

from .cache import RecordCache
from .message import FAILED_TEXT, STATUS_DETAIL, Message, Status
from .pricing import money
from .store import HistoryPage


def accepted(message: Message, requested_schedule: int | None) -> dict[str, Any]:
    """The long shape of ClickSend's send example. `schedule` echoes what was asked for, "" for now."""
    return {
        "to": message.to,
        "body": message.body,
        "from": message.sender,
        "subject": message.subject,
        "schedule": requested_schedule if message.schedule is not None else "",
        "message_id": message.message_id,
        "message_parts": message.parts,
        "message_price": money(message.price_e4),
        "custom_string": message.custom_string,
        "country": message.country,
        "list_id": message.list_id,
        "contact_id": None,
        "_media_file_url": message.media_url,
        "status": "SUCCESS",
    }


def rejected(requested: dict[str, Any], message_id: str, status: str) -> dict[str, Any]:
    """ClickSend's short shape for a rejected message (still inside the 200 SUCCESS envelope)."""
    return {
        "to": requested.get("to", ""),
        "body": requested.get("body", ""),
        "from": requested.get("from", ""),
        "schedule": "",
        "message_id": message_id,
        "message_parts": 0,
        "message_price": "0.0000",
        "custom_string": requested.get("custom_string", ""),
        "status": status,
    }


def record(message: Message, status: Status, price_decimals: int = 4) -> dict[str, Any]:
    """A stored message in the shape of ClickSend's history (and, with 6 decimals, receipt-by-id)."""
    status_code, status_text = STATUS_DETAIL[status]
    return {
        "direction": "out",
        "date_added": message.date_added,
        "to": message.to,
        "body": message.body,
        "subject": message.subject,
        "from": message.sender,
        "schedule": str(message.schedule if message.schedule is not None else message.date_added),
        "message_id": message.message_id,
        "message_parts": f"{message.parts}.00",
        "message_price": money(message.price_e4, price_decimals),
        "from_email": message.from_email,
        "list_id": message.list_id,
        "custom_string": message.custom_string,
        "contact_id": None,
        "user_id": message.user_id,
        "subaccount_id": message.user_id,
        "country": message.country,
        "carrier": "",
        "priority": 10,
        "status": status,
        "status_code": status_code,
        "status_text": status_text,
        "_media_file_url": message.media_url,
        "_api_username": message.username,
    }


def receipt(message: Message) -> dict[str, Any]:
    """A delivery receipt row (only for a message whose receipt is visible)."""
    assert message.receipt_at is not None
    failed = message.outcome == "failed"
    return {
        "timestamp_send": str(int(message.sent_at)),
        "timestamp": str(int(message.receipt_at)),
        "message_id": message.message_id,
        "status_code": "301" if failed else "201",
        "status_text": FAILED_TEXT if failed else "Delivered",
        "error_code": "301" if failed else "",
        "error_text": FAILED_TEXT if failed else "",
        "custom_string": message.custom_string,
        "subaccount_id": message.user_id,
        "message_type": "mms",
    }


def paginate(rows: Sequence[Any], total: int, current: int, per_page: int, data: Any = None) -> dict[str, Any]:
    """Laravel's LengthAwarePaginator as ClickSend serialises it (relative page URLs, last_page 0 when empty).
    `data`, when given, is what to serialise for `rows` (e.g. their pre-rendered JSON as an orjson.Fragment)."""
    last = math.ceil(total / per_page) if total else 0
    offset = (current - 1) * per_page
    return {
        "total": total,
        "per_page": per_page,
        "current_page": current,
        "last_page": last,
        "next_page_url": f"/?page={current + 1}" if current < last else None,
        "prev_page_url": f"/?page={current - 1}" if current > 1 else None,
        "from": offset + 1 if rows else None,
        "to": offset + len(rows) if rows else None,
        "data": list(rows) if data is None else data,
    }


def history_page(page: HistoryPage, cache: RecordCache, current: int, per_page: int) -> dict[str, Any]:
    """The paginator over a store page: cached renderings as they are, the other rows rendered (and cached) now; the
    records go in as one pre-serialised JSON array."""
    rendered: list[bytes] = []
    for (seq, status), cached in zip(page.keys, page.renderings, strict=True):
        if cached is None:
            cached = orjson.dumps(record(page.messages[seq], status))
            cache.put(seq, status, cached)
        rendered.append(cached)
    return paginate(rendered, page.total, current, per_page, data=orjson.Fragment(b"[" + b",".join(rendered) + b"]"))
