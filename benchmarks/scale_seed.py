"""Seed one sandbox account with N messages straight through the sandbox's store (Tx.add_messages in batches), not
through HTTP: a million sends over the API would take longer than the whole benchmark. The rows are what sends
store: varied recipients (six countries' numbers), subjects, senders, custom strings (most unique, a few shared),
lists, schedules (some still scheduled), outcomes (delivered, failed, no receipt), over the past ~30 days, and some
cancelled or with their receipts read."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from clicksend_mms_sandbox.message import Message
from clicksend_mms_sandbox.store import Store

USERNAME = "sandbox"
USER_ID = 1
BATCH = 20_000
RECIPIENTS = (("+61437", "AU"), ("+61411", "AU"), ("+64211", "NZ"), ("+1415", "US"), ("+44770", "GB"), ("+61400", "AU"))
SPAN = 30 * 86400  # the rows' date_added spread over the last 30 days
# Values the bench filters on, each present in a known number of rows.
PROBE_CUSTOM = "probe-order"
PROBE_EVERY = 997  # every 997th row carries it


def message(i: int, rows: int, now: float) -> Message:
    prefix, country = RECIPIENTS[i % len(RECIPIENTS)]
    added = int(now - SPAN + SPAN * i / max(rows, 1))
    scheduled = i % 50 == 7  # 2%: scheduled into the future
    schedule = int(now) + 3600 + i % 7200 if scheduled else None
    outcome = "failed" if i % 20 == 3 else ("none" if i % 40 == 5 else "delivered")
    start = float(schedule if schedule is not None else added)
    sent_at = start + 2.0
    receipt_at = None if outcome == "none" else sent_at + 5.0
    cancelled = scheduled and i % 100 == 7
    read = receipt_at is not None and i % 3 == 0
    return Message(
        message_id=str(uuid.UUID(int=i + 1)).upper(),
        username=USERNAME,
        user_id=USER_ID,
        to=f"{prefix}{i % 1_000_000:06d}",
        body=f"Message {i}: your order is on its way.",
        subject=f"Order {i % 5000}",
        sender=("Shop", "Alerts", "+61411000000")[i % 3],
        country=country,
        custom_string=PROBE_CUSTOM if i % PROBE_EVERY == 0 else f"order-{i}",
        from_email=None if i % 4 else f"ops{i % 10}@example.com",
        list_id=None if i % 5 else 1000 + i % 20,
        media_url="https://example.com/cat.jpg",
        price_e4=24200,
        parts=1,
        date_added=added,
        schedule=schedule,
        sent_at=sent_at,
        receipt_at=receipt_at,
        outcome=outcome,  # type: ignore[arg-type]
        cancelled_at=now - 10 if cancelled else None,
        read_at=now - 5 if read else None,
    )


def seed(db: Path, rows: int, now: float | None = None) -> float:
    """Create `db` with `rows` messages for the sandbox's default account; returns the seconds it took."""
    started = time.monotonic()
    now = time.time() if now is None else now
    store = Store(str(db))
    try:
        store.write_sync(lambda tx: tx.open_accounts({USERNAME: 10**12}))
        for first in range(0, rows, BATCH):
            batch = [message(i, rows, now) for i in range(first, min(rows, first + BATCH))]
            store.write_sync(lambda tx, b=batch: tx.add_messages(b, USERNAME, 0))  # type: ignore[misc]
    finally:
        store.close()
    return time.monotonic() - started
