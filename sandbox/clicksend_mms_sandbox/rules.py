"""ClickSend's business rules as the sandbox plays them: send/price outcomes, prices, magic recipients, the wire
shapes of records and receipts, and the paginator."""

from __future__ import annotations

import csv
import io
import math
import re
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import orjson

from .gsm import BodyLimits
from .settings import Account, Settings
from .spec import load_spec
from .store import FILTER_FIELDS, ORDER_FIELDS, Query, Store, WriteJob

# ---- tables (documented in sandbox/README.md) ----

# Sandbox prices per MMS message, in AUD, for the countries where MMS is enabled. Not ClickSend's price list:
# AU matches the 2.4200 of ClickSend's own examples, the others are plausible round numbers.
PRICES: dict[str, Decimal] = {
    "AU": Decimal("2.4200"),
    "NZ": Decimal("2.6400"),
    "US": Decimal("0.5500"),
    "CA": Decimal("0.5500"),
    "GB": Decimal("1.1000"),
}
# Dialling codes the sandbox recognises. A number whose country is known but not in PRICES answers
# COUNTRY_NOT_ENABLED; so does an international number with a prefix not listed here.
DIAL_CODES: dict[str, str] = {
    "AU": "61", "NZ": "64", "US": "1", "CA": "1", "GB": "44", "CN": "86", "DE": "49", "FR": "33",
    "IN": "91", "JP": "81", "SG": "65", "PH": "63", "ZA": "27", "IE": "353", "BR": "55",
}  # fmt: skip
_PREFIX_TO_COUNTRY = sorted(
    ((code, country) for country, code in DIAL_CODES.items() if country != "CA"),  # +1 is read as US
    key=lambda item: -len(item[0]),
)

# ClickSend's documented test recipients: SUCCESS, free, never delivered, never a receipt.
CLICKSEND_TEST_RECIPIENTS = frozenset(
    {
        "+61411111111", "+61422222222", "+61433333333", "+61444444444",
        "+14055555555", "+14055555666", "+447777777777", "+8615555555555",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Magic:
    reject: str | None = None  # a per-message status at send time
    outcome: str = "delivered"  # delivered | failed | none (stays Sent, no receipt)


# Sandbox magic recipients (in the spirit of Stripe's test cards), kept apart from ClickSend's own numbers.
MAGIC_RECIPIENTS: dict[str, Magic] = {
    "+61400000001": Magic(),
    "+61400000002": Magic(outcome="failed"),
    "+61400000003": Magic(reject="INVALID_RECIPIENT"),
    "+61400000004": Magic(reject="INSUFFICIENT_CREDIT"),
    "+61400000005": Magic(outcome="none"),
    "+61400000006": Magic(reject="THROTTLED"),
    "+61400000007": Magic(reject="COUNTRY_NOT_ENABLED"),
}

MEDIA_EXTENSIONS = frozenset({"jpg", "jpeg", "gif", "png", "bmp"})
DEFAULT_COUNTRY = "AU"  # the sandbox accounts are Australian, as in ClickSend's examples
CURRENCY = {
    "currency_name_short": "AUD",
    "currency_prefix_d": "$",
    "currency_prefix_c": "c",
    "currency_name_long": "Australian Dollars",
}
FAILED_TEXT = "Unable to process your MMS for sending."
_PHONE_CHARS = re.compile(r"[\s().-]")
_DIGITS = re.compile(r"^[0-9]{6,15}$")


def money(e4: int, decimals: int = 4) -> str:
    """Money as ClickSend writes it: a string with 4 decimals ("2.4200"), 6 in receipt-by-id. Exact integer
    arithmetic on 1/10000 units (no Decimal on the hot path)."""
    units, frac = divmod(abs(e4), 10000)
    text = f"{'-' if e4 < 0 else ''}{units}.{frac:04d}"
    return text + "0" * (decimals - 4) if decimals >= 4 else f"{Decimal(e4) / 10000:.{decimals}f}"


def total_money(e4: int) -> float | int:
    # total_price is a JSON number, and the integer 0 when nothing is charged.
    return 0 if e4 == 0 else float(Decimal(e4) / 10000)


def normalise_recipient(raw: str, country: str | None) -> tuple[str, str | None] | None:
    """(E.164 number, country or None when unknown) or None when `raw` is not a phone number."""
    cleaned = _PHONE_CHARS.sub("", raw)
    if cleaned.startswith("+"):
        digits = cleaned[1:]
        if not _DIGITS.match(digits) or len(digits) < 8:
            return None
        for prefix, found in _PREFIX_TO_COUNTRY:
            if digits.startswith(prefix):
                return "+" + digits, found
        return "+" + digits, None
    if not _DIGITS.match(cleaned):
        return None
    local_country = (country or DEFAULT_COUNTRY).upper()
    code = DIAL_CODES.get(local_country)
    if code is None:
        return "+" + cleaned, None
    national = cleaned[1:] if cleaned.startswith("0") else cleaned
    if cleaned.startswith(code) and len(cleaned) > 9:  # already international without the '+'
        national = cleaned[len(code) :]
    return f"+{code}{national}", local_country


def media_extension_ok(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        # e.g. "https://a]b/x.gif" ("Invalid IPv6 URL"): ClickSend could not fetch it either -> INVALID_MEDIA_FILE.
        return False
    return path.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS if "." in path.rsplit("/", 1)[-1] else False


_BODY_LIMITS = BodyLimits.from_spec(load_spec())


def _truncate(body: str) -> str:
    return _BODY_LIMITS.truncate(body)


@dataclass(frozen=True)
class SendOutcome:
    data: dict[str, Any]
    rows: list[dict[str, Any]]
    cost_e4: int


def evaluate_send(
    request: dict[str, Any],
    account: Account,
    balance_e4: int,
    now: float,
    settings: Settings,
) -> SendOutcome:
    """The answer of send/price for a request that passed schema validation, and the rows a send would store."""
    media_file: str = request["media_file"]
    media_ok = media_extension_ok(media_file)
    messages_out: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    cost = 0
    date_added = int(now)
    for message in request["messages"]:
        message_id = str(uuid.uuid4()).upper()
        status, number, country, magic = _message_status(message, media_ok, account, now, settings)
        price = Decimal(0)
        if status == "SUCCESS" and number not in CLICKSEND_TEST_RECIPIENTS:
            price = PRICES[country or ""]
            if balance_e4 - cost < int(price * 10000):
                status = "INSUFFICIENT_CREDIT"
        if status != "SUCCESS":
            messages_out.append(_rejected(message, message_id, status))
            continue
        price_e4 = int(price * 10000)
        cost += price_e4
        schedule: int | None = message.get("schedule")
        if schedule is not None and schedule <= date_added:
            schedule = None  # a time in the past means "now" [assumption, see README]
        start = float(schedule) if schedule is not None else now
        sent_at = start + settings.send_delay
        test_number = number in CLICKSEND_TEST_RECIPIENTS
        outcome = "none" if test_number else (magic.outcome if magic else "delivered")
        body = _truncate(message["body"])
        parts = 0 if test_number else 1
        messages_out.append(
            {
                "to": number,
                "body": body,
                "from": message.get("from", ""),
                "subject": message["subject"],
                "schedule": message["schedule"] if schedule is not None else "",
                "message_id": message_id,
                "message_parts": parts,
                "message_price": money(price_e4),
                "custom_string": message.get("custom_string", ""),
                "country": country,
                "list_id": message.get("list_id"),
                "contact_id": None,
                "_media_file_url": media_file,
                "status": "SUCCESS",
            }
        )
        rows.append(
            {
                "message_id": message_id,
                "username": account.username,
                "user_id": account.user_id,
                "to_number": number,
                "body": body,
                "subject": message["subject"],
                "from_sender": message.get("from", ""),
                "country": country,
                "custom_string": message.get("custom_string", ""),
                "from_email": message.get("from_email"),
                "list_id": message.get("list_id"),
                "media_url": media_file,
                "price_e4": price_e4,
                "parts": parts,
                "date_added": date_added,
                "schedule": schedule,
                "sent_at": sent_at,
                "receipt_at": None if outcome == "none" else sent_at + settings.receipt_delay,
                "outcome": outcome,
            }
        )
    data = {
        "total_price": total_money(cost),
        "total_count": len(request["messages"]),
        "queued_count": len(rows),
        "messages": messages_out,
        "_currency": CURRENCY,
    }
    return SendOutcome(data, rows, cost)


def _message_status(
    message: dict[str, Any], media_ok: bool, account: Account, now: float, settings: Settings
) -> tuple[str, str, str | None, Magic | None]:
    """(status, normalised number, country, magic) for one message; checks in ClickSend's apparent order."""
    raw_to = message.get("to")
    if raw_to is None:
        # Contact lists do not exist in the sandbox; a list_id alone cannot be resolved.
        status = "NOT_ENOUGH_PERMISSION_TO_LIST_ID" if "list_id" in message else "MISSING_REQUIRED_FIELDS"
        return status, "", None, None
    parsed = normalise_recipient(raw_to, message.get("country"))
    if parsed is None:
        return "INVALID_RECIPIENT", raw_to, None, None
    number, country = parsed
    magic = MAGIC_RECIPIENTS.get(number)
    if not message["subject"].strip():
        return "SUBJECT_REQUIRED", number, country, magic
    if not message["body"].strip():
        return "EMPTY_MESSAGE", number, country, magic
    if not media_ok:
        return "INVALID_MEDIA_FILE", number, country, magic
    schedule = message.get("schedule")
    if schedule is not None and schedule > now + settings.max_schedule_ahead:
        return "INVALID_SCHEDULE", number, country, magic
    if account.kind == "nocredit":
        return "INSUFFICIENT_CREDIT", number, country, magic
    if number in CLICKSEND_TEST_RECIPIENTS:
        return "SUCCESS", number, country, magic
    if magic is not None and magic.reject is not None:
        return magic.reject, number, country, magic
    if country is None or country not in PRICES:
        return "COUNTRY_NOT_ENABLED", number, country, magic
    return "SUCCESS", number, country, magic


def _rejected(message: dict[str, Any], message_id: str, status: str) -> dict[str, Any]:
    # ClickSend's short shape for a rejected message (still inside the 200 SUCCESS envelope).
    return {
        "to": message.get("to", ""),
        "body": message.get("body", ""),
        "from": message.get("from", ""),
        "schedule": "",
        "message_id": message_id,
        "message_parts": 0,
        "message_price": "0.0000",
        "custom_string": message.get("custom_string", ""),
        "status": status,
    }


def send_job(request: dict[str, Any], account: Account, now: float, settings: Settings) -> WriteJob[SendOutcome]:
    """A send as one write of the store's writer: balance read, messages written, balance charged, all in one
    transaction (so concurrent sends of an account never spend the same credit twice)."""

    def job(conn: sqlite3.Connection) -> SendOutcome:
        outcome = evaluate_send(request, account, Store.balance_in(conn, account.username), now, settings)
        if outcome.rows:
            Store.insert_messages(conn, outcome.rows, account.username, outcome.cost_e4)
        return outcome

    return job


def send(store: Store, request: dict[str, Any], account: Account, now: float, settings: Settings) -> SendOutcome:
    """Evaluate and commit (blocking until committed)."""
    return store.write_sync(send_job(request, account, now, settings))


def price(store: Store, request: dict[str, Any], account: Account, now: float, settings: Settings) -> SendOutcome:
    return evaluate_send(request, account, store.balance(account.username), now, settings)


# ---- records, receipts ----

_STATUS_DETAIL: dict[str, tuple[str | None, str | None]] = {
    "Scheduled": (None, None),
    "Queued": (None, None),
    "Cancelled": (None, None),
    "Sent": ("200", "Sent"),
    "Completed": ("201", "Delivered"),
    "Failed": ("301", FAILED_TEXT),
}


def record(row: Sequence[Any], price_decimals: int = 4) -> dict[str, Any]:
    """A stored message (a row in store.RECORD_COLUMNS order) in the wire shape of ClickSend's history (and,
    with 6 decimals, receipt-by-id)."""
    (date_added, to, body, subject, sender, schedule, message_id, parts, price_e4, from_email, list_id,
     custom_string, user_id, country, media_url, username, status) = row  # fmt: skip
    status_code, status_text = _STATUS_DETAIL[status]
    return {
        "direction": "out",
        "date_added": date_added,
        "to": to,
        "body": body,
        "subject": subject,
        "from": sender,
        "schedule": str(schedule if schedule is not None else date_added),
        "message_id": message_id,
        "message_parts": f"{parts}.00",
        "message_price": money(price_e4, price_decimals),
        "from_email": from_email,
        "list_id": list_id,
        "custom_string": custom_string,
        "contact_id": None,
        "user_id": user_id,
        "subaccount_id": user_id,
        "country": country,
        "carrier": "",
        "priority": 10,
        "status": status,
        "status_code": status_code,
        "status_text": status_text,
        "_media_file_url": media_url,
        "_api_username": username,
    }


def receipt(row: dict[str, Any]) -> dict[str, Any]:
    failed = row["outcome"] == "failed"
    return {
        "timestamp_send": str(int(row["sent_at"])),
        "timestamp": str(int(row["receipt_at"])),
        "message_id": row["message_id"],
        "status_code": "301" if failed else "201",
        "status_text": FAILED_TEXT if failed else "Delivered",
        "error_code": "301" if failed else "",
        "error_text": FAILED_TEXT if failed else "",
        "custom_string": row["custom_string"],
        "subaccount_id": row["user_id"],
        "message_type": "mms",
    }


# ---- history queries and the paginator ----


def parse_query(
    q: str | None, order_by: str | None, date_from: int | None, date_to: int | None
) -> tuple[Query, dict[str, str]]:
    """(query, per-field errors). Unknown q/order_by fields are ignored, as ClickSend's docs are silent."""
    filters: list[tuple[str, str]] = []
    if q:
        for item in q.split(","):
            name, _, value = item.partition(":")
            if name.lower() in FILTER_FIELDS:
                filters.append((name.lower(), value))
    order_field, descending = "date_added", True
    if order_by:
        name, _, direction = order_by.partition(":")
        if name.lower() in ORDER_FIELDS:
            order_field, descending = name.lower(), direction.lower() == "desc"
    errors: dict[str, str] = {}
    if date_from is not None and date_to is not None and date_from > date_to:
        errors["date_to"] = "date_to must not be before date_from."
    return Query(filters, order_field, descending, date_from, date_to), errors


def page(rows: Sequence[Any], total: int, current: int, per_page: int, data: Any = None) -> dict[str, Any]:
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


class RecordCache:
    """History records already rendered to JSON, by (seq, status).

    A stored message never changes after its insert except through its status (computed from the clock, or set by
    a cancel), and seq is never reused (AUTOINCREMENT), so a rendering keyed by both can never be stale. Bounded:
    emptied when full (the next pages simply render again)."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[int, str], bytes] = {}
        self._lock = threading.Lock()

    def get(self, seq: int, status: str) -> bytes | None:
        return self._entries.get((seq, status))  # one dict lookup: atomic under the GIL

    def put(self, seq: int, status: str, rendered: bytes) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[(seq, status)] = rendered

    def __len__(self) -> int:
        return len(self._entries)


def history_page(
    items: Sequence[tuple[int, str, bytes | None, Sequence[Any] | None]],
    cache: RecordCache,
    total: int,
    current: int,
    per_page: int,
) -> dict[str, Any]:
    """The history page from store.history's items: cached renderings as they are, the others rendered (and
    cached) now; the records go into the page as one pre-serialised JSON array."""
    rendered: list[bytes] = []
    for seq, status, cached, row in items:
        if cached is None:
            assert row is not None
            cached = orjson.dumps(record(row))
            cache.put(seq, status, cached)
        rendered.append(cached)
    return page(rendered, total, current, per_page, data=orjson.Fragment(b"[" + b",".join(rendered) + b"]"))


# ---- export ----

CSV_COLUMNS = (
    "message_id", "date_added", "direction", "to", "from", "subject", "body", "schedule", "status",
    "status_code", "status_text", "message_parts", "message_price", "country", "custom_string", "_media_file_url",
)  # fmt: skip
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def sanitise_filename(name: str) -> str:
    cleaned = _UNSAFE_FILENAME.sub("_", name).lstrip("._")[:100]
    if not cleaned:
        cleaned = "mms_history"
    return cleaned if cleaned.lower().endswith(".csv") else cleaned + ".csv"


def history_csv(rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in record(row).items()})
    return out.getvalue()


# ---- uploads ----

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "jpg", "image/jpeg"),  # converted for MMS, as ClickSend does (not really re-encoded)
    (b"BM", "jpg", "image/jpeg"),
)


def media_kind(content: bytes) -> tuple[str, str] | None:
    """(extension, content type) of an uploaded image after conversion, or None for an unsupported file."""
    for magic, extension, content_type in _SIGNATURES:
        if content.startswith(magic):
            return extension, content_type
    return None
