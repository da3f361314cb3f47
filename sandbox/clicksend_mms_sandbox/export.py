"""History export: the CSV behind an export link, and the file name it is offered under."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from .message import Message
from .wire import record

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


def history_csv(messages: Iterable[Message], now: float, header: bool = True) -> str:
    """The CSV of `messages` (their statuses at `now`), with the header line unless told; an export is written
    as one call with the header, then one per batch without it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    if header:
        writer.writeheader()
    for message in messages:
        writer.writerow({k: ("" if v is None else v) for k, v in record(message, message.status(now)).items()})
    return out.getvalue()
