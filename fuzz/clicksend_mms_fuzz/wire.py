"""Reading ClickSend's wire in the oracles: envelopes, pages, message records, and the quirky scalars.

The quirks (money as "2.4200" or 19.36, counts as 1 or "1.00", times as seconds, ms or "") are read here as the
spec's `x-codec` schemas describe them, not with the client's codecs: the fuzzer judges the client too, so it never
imports it (tests/packaging/architecture.py). Anything else reads as None, and the schema checks report it.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import clicksend_mms_spec
from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

# Statuses of a message that has left ClickSend (or failed doing so); a scheduled message has none before its time.
DELIVERED_STATUSES = frozenset({"Sent", "Completed", "Delivered", "Failed"})
CANCELLED = "Cancelled"
_SEPARATORS = re.compile(r"[\s().-]")
_PHONE_SHAPED = re.compile(r"\+?[0-9]{3,}")
_WHOLE = re.compile(r"[0-9]+(\.0+)?")
# Unix times above this are milliseconds (spec: UnixTime): 10**11 seconds is the year 5138.
_MS_THRESHOLD = 10**11


def json_body(payload: bytes | str | None) -> Any:
    try:
        return json.loads(payload or b"")
    except (ValueError, TypeError):
        return None


def envelope_data(payload: bytes | str | None) -> Any:
    """`data` of a ClickSend envelope, or None."""
    body = json_body(payload)
    return body.get("data") if isinstance(body, dict) else None


def header(headers: Any, name: str) -> str | None:
    """One response header, whatever the case of its name (schemathesis keeps values as lists)."""
    for key, value in dict(headers or {}).items():
        if key.lower() == name.lower():
            return (
                str(value[0])
                if isinstance(value, list) and value
                else (None if isinstance(value, list) else str(value))
            )
    return None


def basic_auth(username: str, api_key: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{api_key}".encode()).decode("ascii")


def basic_user(authorization: str | None) -> str | None:
    """The username of an `Authorization: Basic ...` header, or None."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, _ = decoded.partition(":")
    return user if sep else None


def could_be_phone_number(raw: str) -> bool:
    """False only for a `to` that no numbering plan reads as a phone number (letters, symbols, < 3 digits).

    Deliberately generous: ClickSend's exact rules are not documented, so only what certainly is not a number
    (e.g. "abc", "+", "12", "+61 4x") is held against it.
    """
    return _PHONE_SHAPED.fullmatch(_SEPARATORS.sub("", raw)) is not None


def is_test_recipient(to: object) -> bool:
    return isinstance(to, str) and _SEPARATORS.sub("", to) in TEST_RECIPIENTS


def money(raw: object) -> Decimal | None:
    """Money (spec: Money): a decimal string ("2.4200", "2.420000") or a JSON number (19.36, 0)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def count(raw: object) -> int | None:
    """A whole count (spec: Count, OptionalCount): 1 or "1.00"; None for null and anything fractional."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
        return int(raw.strip().split(".")[0])
    return None


def json_integer(raw: object) -> int | None:
    """A request value JSON Schema's `integer` admits, as the server reads it: 2533 and 2533.0 both 2533."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    return int(raw) if isinstance(raw, float) and raw.is_integer() else None


def unix_seconds(raw: object) -> float | None:
    """A unix time in seconds (spec: UnixTime: int or numeric string, ms above 10^11); None for "" / null."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        raw = int(raw) if raw.isascii() and raw.isdigit() else None
    if not isinstance(raw, int | float) or raw < 0:
        return None
    return raw / 1000 if raw >= _MS_THRESHOLD else float(raw)


def page_of(payload: bytes | str | None) -> dict[str, Any] | None:
    """The Laravel paginator object of a history/receipts answer."""
    data = envelope_data(payload)
    return data if isinstance(data, dict) and isinstance(data.get("data"), list) else None


def rows_of(page: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = page.get("data") if page else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def row_ids(page: dict[str, Any] | None) -> list[str]:
    return [str(row["message_id"]) for row in rows_of(page) if "message_id" in row]


def send_messages(payload: bytes | str | None) -> list[dict[str, Any]]:
    """The per-message results of a send/price answer."""
    data = envelope_data(payload)
    messages = data.get("messages") if isinstance(data, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def request_messages(body: object) -> list[dict[str, Any]]:
    messages = body.get("messages") if isinstance(body, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


@functools.cache  # asked for by every history check and probe: parsing the spec each time was 5% of a run
def largest_page() -> int:
    """The spec's largest `limit`: the longest page (most likely to hold records of different values, or every
    message a probe sent)."""
    return int(clicksend_mms_spec.load()["components"]["parameters"]["Limit"]["schema"]["maximum"])
