"""The domain: a stored MMS message and its lifecycle.

A stored message never changes except by a cancel or a mark-read; its status is a pure function of the clock, so
no background worker exists and a driven clock moves every message at once:

    Scheduled (until its schedule) -> Queued -> Sent (send_delay later) -> Completed | Failed (receipt_delay later)
    Cancelled (a cancel while Scheduled; refunded)

``Message.status(now)`` is that function in Python; ``STATUS_SQL`` is the same function for the store's queries
(filters, orders and page keys run in SQLite), and a test holds the two equal on a grid of times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["delivered", "failed", "none"]  # none: stays Sent, never a receipt (test recipients, +61400000005)
Status = Literal["Scheduled", "Queued", "Sent", "Completed", "Failed", "Cancelled"]
STATUSES: tuple[Status, ...] = ("Scheduled", "Queued", "Sent", "Completed", "Failed", "Cancelled")

FAILED_TEXT = "Unable to process your MMS for sending."
# A status as history and receipt-by-id show it: (status_code, status_text).
STATUS_DETAIL: dict[Status, tuple[str | None, str | None]] = {
    "Scheduled": (None, None),
    "Queued": (None, None),
    "Cancelled": (None, None),
    "Sent": ("200", "Sent"),
    "Completed": ("201", "Delivered"),
    "Failed": ("301", FAILED_TEXT),
}


@dataclass(frozen=True, slots=True)
class Message:
    """One accepted message, as stored. Money in 1/10000 of the currency unit; times in unix seconds."""

    message_id: str
    username: str
    user_id: int
    to: str
    body: str  # as kept: truncated at ClickSend's limit (gsm.BodyLimits)
    subject: str
    sender: str  # the wire's "from"
    country: str
    custom_string: str
    from_email: str | None
    list_id: int | None
    media_url: str
    price_e4: int
    parts: int
    date_added: int
    schedule: int | None  # the requested send time; None: now
    sent_at: float  # Queued -> Sent
    receipt_at: float | None  # Sent -> Completed/Failed; None: never
    outcome: Outcome
    cancelled_at: float | None = None
    read_at: float | None = None

    @staticmethod
    def timeline(
        now: float, schedule: int | None, delays: tuple[float, float], outcome: Outcome
    ) -> tuple[float, float | None]:
        """(sent_at, receipt_at) of a message stored at `now`: sent `send_delay` after its start (its schedule, or
        now), its receipt `receipt_delay` after that, or never."""
        send_delay, receipt_delay = delays
        sent_at = (float(schedule) if schedule is not None else now) + send_delay
        return sent_at, (None if outcome == "none" else sent_at + receipt_delay)

    def status(self, now: float) -> Status:
        if self.cancelled_at is not None:
            return "Cancelled"
        if self.schedule is not None and now < self.schedule:
            return "Scheduled"
        if now < self.sent_at:
            return "Queued"
        if self.receipt_at is None or now < self.receipt_at:
            return "Sent"
        return "Failed" if self.outcome == "failed" else "Completed"

    def receipt_visible(self, now: float) -> bool:
        """Its delivery receipt exists (listed by GET /mms/receipts until marked read)."""
        return self.receipt_at is not None and self.receipt_at <= now and self.cancelled_at is None

    def cancellable(self, now: float) -> bool:
        """Only a message still waiting for its schedule can be cancelled."""
        return self.cancelled_at is None and self.schedule is not None and now < self.schedule


# The same lifecycle for SQLite (named parameter :now), over the messages table's columns.
STATUS_SQL = """CASE
    WHEN cancelled_at IS NOT NULL THEN 'Cancelled'
    WHEN schedule IS NOT NULL AND :now < schedule THEN 'Scheduled'
    WHEN :now < sent_at THEN 'Queued'
    WHEN receipt_at IS NULL OR :now < receipt_at THEN 'Sent'
    WHEN outcome = 'failed' THEN 'Failed'
    ELSE 'Completed' END"""
RECEIPT_VISIBLE_SQL = "receipt_at IS NOT NULL AND receipt_at <= :now AND cancelled_at IS NULL"
CANCELLABLE_SQL = "cancelled_at IS NULL AND schedule IS NOT NULL AND :now < schedule"
# Each status as predicates on the columns alone, so indexes can find its rows (STATUS_SQL, a CASE over :now, makes
# SQLite evaluate every row): a status's rows are those of any of its parts, which never overlap. Exact for every
# stored message, since its times only go forward (schedule <= sent_at <= receipt_at: Message.timeline) and
# receipt_at is NULL exactly for outcome 'none'. A test holds each equal to STATUS_SQL on the same grid of times.
# (`+sent_at`: a term no index should serve; the receipt's or the outcome's range is the narrow one.)
STATUS_PARTS: dict[Status, tuple[str, ...]] = {
    "Cancelled": ("cancelled_at IS NOT NULL",),
    "Scheduled": ("cancelled_at IS NULL AND schedule > :now",),
    "Queued": ("cancelled_at IS NULL AND sent_at > :now AND (schedule IS NULL OR schedule <= :now)",),
    "Sent": (
        "cancelled_at IS NULL AND outcome = 'none' AND +sent_at <= :now",
        "cancelled_at IS NULL AND outcome IN ('delivered', 'failed') AND receipt_at > :now AND +sent_at <= :now",
    ),
    "Failed": ("cancelled_at IS NULL AND outcome = 'failed' AND receipt_at <= :now",),
    "Completed": ("cancelled_at IS NULL AND outcome = 'delivered' AND receipt_at <= :now",),
}
STATUS_WHERE: dict[Status, str] = {
    status: " OR ".join(f"({part})" for part in parts) for status, parts in STATUS_PARTS.items()
}
