"""The receipts list's total comes from a count kept in accounts (a million unread receipts are not counted on every
GET /mms/receipts): it must equal the account's unread, visible receipts after every write that can move it, and be
filled in when an older database is opened. The oracle is Message.receipt_visible over the stored rows."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from pathlib import Path

import pytest
from clicksend_mms_sandbox.message import Message
from clicksend_mms_sandbox.store import Store

from tests.sandbox.test_domain import BASE

ACCOUNTS = ("sandbox", "other")


def _unread(store: Store, username: str, now: float) -> int:
    return sum(m.receipt_visible(now) and m.read_at is None for m in store.messages(username))


def _random_message(rng: random.Random, username: str, n: int, now: float) -> Message:
    schedule = int(now) + rng.choice([-50, 30, 200]) if rng.random() < 0.4 else None
    sent_at, receipt_at = Message.timeline(now, schedule, (2.0, rng.choice([5.0, 60.0])), "delivered")
    outcome = rng.choice(["delivered", "failed", "none"])
    return dataclasses.replace(
        BASE, message_id=f"{username}-{n}", username=username, date_added=int(now), schedule=schedule,
        sent_at=sent_at, receipt_at=None if outcome == "none" else receipt_at, outcome=outcome,  # type: ignore[arg-type]
        read_at=now if rng.random() < 0.1 else None, cancelled_at=now if rng.random() < 0.05 else None,
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_the_receipts_total_is_the_unread_visible_count_after_every_change(seed: int) -> None:
    rng = random.Random(seed)
    store = Store(":memory:")
    store.write_sync(lambda tx: tx.open_accounts(dict.fromkeys(ACCOUNTS, 10**9)))
    now, made = 1000.0, 0
    try:
        for _ in range(60):
            who = rng.choice(ACCOUNTS)
            op = rng.choice(["add", "add", "add", "cancel_one", "cancel_all", "read", "read_before", "clear", "wait"])
            if op == "add":
                batch = [_random_message(rng, who, made + i, now) for i in range(rng.randint(1, 6))]
                made += len(batch)
                store.write_sync(lambda tx, b=batch, w=who: tx.add_messages(b, w, 0))  # type: ignore[misc]
            elif op in ("cancel_one", "cancel_all"):
                ids = [m.message_id for m in store.messages(who)]
                one = rng.choice(ids) if op == "cancel_one" and ids else None
                store.write_sync(lambda tx, w=who, i=one, t=now: tx.cancel(w, t, i))  # type: ignore[misc]
            elif op in ("read", "read_before"):
                before = int(now) - rng.randint(-20, 40) if op == "read_before" else None
                store.write_sync(lambda tx, w=who, b=before, t=now: tx.mark_read(w, t, b))  # type: ignore[misc]
            elif op == "clear":
                store.write_sync(lambda tx, w=who: tx.clear_account(w, 10**9))  # type: ignore[misc]
            now += rng.choice([0.0, 3.0, 20.0, 100.0])
            for username in ACCOUNTS:
                total, page = store.unread_receipts(username, now, 1000, 0)
                assert total == len(page) == _unread(store, username, now), (op, who, username)
    finally:
        store.close()


def test_an_older_database_gets_its_unread_receipt_count(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    store = Store(path)
    shown = [dataclasses.replace(BASE, message_id=f"S{i}") for i in range(3)]
    read = dataclasses.replace(BASE, message_id="R", read_at=2000.0)
    store.write_sync(lambda tx: tx.open_accounts({"sandbox": 10**9}))
    store.write_sync(lambda tx: tx.add_messages([*shown, read], "sandbox", 0))
    store.close()
    old = sqlite3.connect(path)
    old.executescript(  # accounts as a sandbox before the kept count wrote it
        """CREATE TABLE older AS SELECT username, balance_e4, message_count FROM accounts;
           DROP TABLE accounts;
           ALTER TABLE older RENAME TO accounts;"""
    )
    old.close()
    store = Store(path)
    try:
        assert store.unread_receipts("sandbox", 5000.0, 15, 0)[0] == 3
    finally:
        store.close()
