"""Every documented history query (each `q` field the store whitelists, each status, each `order_by` field both ways,
`date_from`, `date_to`), the receipts list, receipt-by-id and mark-read (`date_before`) do work that does not grow
with the account's rows they do not return. Measured in SQLite virtual-machine steps (a progress handler), not in
time: the same store with 10x more non-matching rows must cost about the same. This catches what a plan's shape
cannot: an index that is used but searched too widely (`+schedule` in a status's predicate reads every uncancelled
row through messages_scheduled), or a count of every unread receipt. The spec documents `q` and `order_by` as free
text (`field:value`, `field:asc|desc`) without listing the fields, so the fields are the store's whitelist
(FILTER_FIELDS, ORDER_FIELDS), which parse_query accepts and ignores everything else by."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from clicksend_mms_sandbox.message import RECEIPT_VISIBLE_SQL, STATUS_PARTS, STATUSES, Message
from clicksend_mms_sandbox.rules import parse_query
from clicksend_mms_sandbox.store import CONSTANT_FIELDS, FILTER_FIELDS, ORDER_FIELDS, Query, Store

from tests.sandbox.test_domain import BASE

NOW = 10_000.0
EARLY, LATE = 1_000, 9_000  # the probes' dates; the filler's lie between them
FEW, MANY = 300, 3_000  # non-matching rows in the two stores compared
STEP = 20  # VM instructions per progress-handler call
# Rows every probe value finds, a few of each status at NOW (Message.status), at both ends of the dates.
PROBE = dataclasses.replace(
    BASE, to="+61437999999", body="probe body", subject="probe subject", sender="Probe", custom_string="probe",
    from_email="probe@example.com", list_id=429, country="NZ",
)  # fmt: skip


def _shapes(date: int) -> dict[str, dict[str, Any]]:
    """Each status at NOW (Message.status), as the changes to PROBE's times for a row added at `date`."""
    past = {"sent_at": date + 2.0, "receipt_at": date + 7.0}
    ahead = {"schedule": int(NOW) + 100, "sent_at": NOW + 102, "receipt_at": NOW + 107}
    return {
        "Completed": past,
        "Failed": {**past, "outcome": "failed"},
        "Sent": {**past, "outcome": "none", "receipt_at": None},
        "Sent, its receipt ahead": {**past, "receipt_at": NOW + 60},
        "Queued": {"sent_at": NOW + 2, "receipt_at": NOW + 7},
        "Scheduled": ahead,
        "Cancelled": {**ahead, "cancelled_at": NOW - 5},
    }


def _probes() -> list[Message]:
    probes = [
        dataclasses.replace(PROBE, date_added=date, **changes)
        for date in (EARLY, EARLY, LATE, LATE)
        for changes in _shapes(date).values()
    ]
    probes = [dataclasses.replace(m, message_id=f"PROBE-{i}") for i, m in enumerate(probes)]
    assert {m.status(NOW) for m in probes} == set(STATUSES)  # every status has rows to find
    return probes


def _filler(i: int) -> Message:
    """Delivered long ago, its receipt shown and unread (a big account's usual row), no probe value anywhere."""
    date = 4_000 + i % 2_000
    return dataclasses.replace(
        BASE, message_id=f"FILL-{i}", to=f"+6141{i:07d}", body=f"filler {i}", subject=f"filler {i}",
        sender=f"F{i}", custom_string=f"filler-{i}", from_email=f"f{i}@example.com", list_id=10_000 + i,
        country=("AU", "US", "GB")[i % 3], date_added=date, sent_at=date + 2.0, receipt_at=date + 7.0,
    )  # fmt: skip


def _store(filler: int) -> Store:
    store = Store(":memory:")
    store.write_sync(lambda tx: tx.open_accounts({"sandbox": 10**9}))
    rows = _probes() + [_filler(i) for i in range(filler)]
    store.write_sync(lambda tx: tx.add_messages(rows, "sandbox", 0))
    return store


@pytest.fixture(scope="module")
def stores() -> Iterator[tuple[Store, Store]]:
    few, many = _store(FEW), _store(MANY)
    yield few, many
    few.close()
    many.close()


def work(store: Store, run: Callable[[Store], object]) -> int:
    conn: sqlite3.Connection = store._conn  # in memory, reads and writes use the one connection
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(tick, STEP)
    try:
        run(store)
    finally:
        conn.set_progress_handler(None, STEP)
    return steps * STEP


def _value(store: Store, field: str) -> str:
    """The probe's value of a filter field, as the field's own SQL expression reads it from the stored row."""
    row = store._conn.execute(f"SELECT {FILTER_FIELDS[field]} FROM messages WHERE message_id = 'PROBE-0'").fetchone()
    assert row[0] is not None, field
    return str(row[0])


def _history(query: Query) -> Callable[[Store], object]:
    return lambda store: store.history("sandbox", NOW, query, 15, 0)


QUERIES: dict[str, Callable[[Store], Callable[[Store], object]]] = {
    **{
        f"q={field}": (lambda f: lambda s: _history(parse_query(f"{f}:{_value(s, f)}", None, None, None)))(field)
        for field in sorted(set(FILTER_FIELDS) - CONSTANT_FIELDS - {"status"})
    },
    **{
        f"q=status:{status}": (lambda q: lambda s: _history(parse_query(q, None, None, None)))(f"status:{status}")
        for status in STATUSES
    },
    **{
        f"order_by={field}:{way}": (lambda o: lambda s: _history(parse_query(None, o, None, None)))(f"{field}:{way}")
        for field in sorted(ORDER_FIELDS)
        for way in ("asc", "desc")
    },
    "date_from": lambda s: _history(parse_query(None, None, LATE, None)),
    "date_to": lambda s: _history(parse_query(None, None, None, EARLY)),
    "receipts": lambda s: lambda store: store.unread_receipts("sandbox", NOW, 15, 0),
    "receipt by id": lambda s: lambda store: store.message("sandbox", "PROBE-0"),
}


def _bounded(few: int, many: int) -> bool:
    """10x the other rows, at most 1.5x the work (a B-tree a level deeper), not 10x (a walk over them)."""
    return many <= 1.5 * few + 20 * STEP


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_documented_query_does_not_read_the_rows_it_does_not_return(stores: tuple[Store, Store], name: str) -> None:
    few, many = (work(store, QUERIES[name](store)) for store in stores)
    assert _bounded(few, many), (name, few, many)


def test_marking_old_receipts_read_does_not_read_the_newer_ones() -> None:
    def mark(store: Store) -> int:
        return store.write_sync(lambda tx: tx.mark_read("sandbox", NOW, EARLY + 100))

    few, many = _store(FEW), _store(MANY)
    try:
        marked = [mark(few), mark(many)]
        assert marked[0] == marked[1] > 0
        again = [_store(FEW), _store(MANY)]
        steps = [work(store, mark) for store in again]
        for store in again:
            store.close()
        assert _bounded(*steps), steps
    finally:
        few.close()
        many.close()


# ---- the meter itself: planted regressions it must flag ----


def test_a_status_predicate_no_index_serves_is_flagged(
    stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `+schedule`: messages_scheduled is still used (the plan looks alike) but searched over every uncancelled row.
    monkeypatch.setitem(STATUS_PARTS, "Scheduled", ("cancelled_at IS NULL AND +schedule > :now",))
    query = QUERIES["q=status:Scheduled"]
    few, many = (work(store, query(store)) for store in stores)
    assert not _bounded(few, many), (few, many)


def test_counting_every_unread_receipt_is_flagged(stores: tuple[Store, Store]) -> None:
    def count_them_all(store: Store) -> object:
        where = f"username = 'sandbox' AND read_at IS NULL AND {RECEIPT_VISIBLE_SQL}"
        return store._conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", {"now": NOW}).fetchone()

    few, many = (work(store, count_them_all) for store in stores)
    assert not _bounded(few, many), (few, many)
