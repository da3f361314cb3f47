"""Every documented history filter (`q`) and order (`order_by`), and the receipts list, are answered from an index:
checked on SQLite's query plans (EXPLAIN QUERY PLAN) of the statements the store actually runs, not on timings
(those are `make bench`'s scale section). A filter or an order without its index reads every row of the account
(1.1 s to 4.5 s at a million rows before the indexes); a plan that scans the table or sorts the account fails.
An index searched wider than it should be (`+schedule` in a status's predicate) keeps the plan's shape: that is
tests/sandbox/test_query_work.py's to catch, by the work done as the rows grow."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Iterator

import pytest
from clicksend_mms_sandbox.message import STATUSES
from clicksend_mms_sandbox.rules import parse_query
from clicksend_mms_sandbox.store import CONSTANT_FIELDS, FILTER_FIELDS, ORDER_FIELDS, Store

from tests.sandbox.test_domain import BASE


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store(":memory:")
    store.write_sync(lambda tx: tx.open_accounts({"sandbox": 0}))
    store.write_sync(lambda tx: tx.add_messages([BASE], "sandbox", 0))  # a page to read: an empty one is not read
    yield store
    store.close()


def plans(store: Store, run: object) -> list[tuple[str, list[str]]]:
    """(statement, its plan) for every statement on messages that `run()` executes."""
    statements: list[str] = []
    conn: sqlite3.Connection = store._conn  # in memory, reads use the writer's connection
    conn.set_trace_callback(statements.append)
    try:
        run()  # type: ignore[operator]
    finally:
        conn.set_trace_callback(None)
    found = []
    for sql in statements:
        if "FROM messages" in sql and sql.lstrip().upper().startswith("SELECT"):
            found.append((sql, [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]))
    assert found, "the store ran no statement on messages"
    return found


def scans(plan: list[str], walk_allowed: bool = False) -> list[str]:
    """Lines reading every row: of the table, or of an index walked whole (a SCAN, where a SEARCH finds a range).
    `walk_allowed`: an index walked in the page's order, stopping once the page is full (a common status)."""
    return [line for line in plan if line.startswith("SCAN messages") and not (walk_allowed and "INDEX" in line)]


def history(store: Store, q: str | None = None, order_by: str | None = None) -> object:
    return lambda: store.history("sandbox", time.time(), parse_query(q, order_by, None, None), 15, 0)


VALUES = {"status": [s.lower() for s in STATUSES]}


@pytest.mark.parametrize("field", sorted(set(FILTER_FIELDS) - CONSTANT_FIELDS))
def test_every_filter_reads_an_index(store: Store, field: str) -> None:
    for value in VALUES.get(field, ["X"]):
        for sql, plan in plans(store, history(store, q=f"{field}:{value}")):
            assert not scans(plan, walk_allowed=field == "status"), (sql, plan)
            if "ORDER BY" not in sql:  # the count: a range of the filter's own, not every row of the account
                assert not any(line.endswith("(username=?)") for line in plan), (sql, plan)
            if field != "status":  # a status's few rows are sorted; everything else comes in the index's order
                assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), (sql, plan)


@pytest.mark.parametrize("field", sorted(ORDER_FIELDS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_order_reads_an_index_in_its_order(store: Store, field: str, direction: str) -> None:
    for sql, plan in plans(store, history(store, order_by=f"{field}:{direction}")):
        assert not scans(plan, walk_allowed=field == "status"), (sql, plan)
        if field != "status":
            assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), (sql, plan)


def test_the_receipts_list_reads_the_unread_index(store: Store) -> None:
    for sql, plan in plans(store, lambda: store.unread_receipts("sandbox", time.time(), 15, 0)):
        assert not scans(plan) and not any("TEMP B-TREE" in line for line in plan), (sql, plan)
        assert any("messages_unread" in line for line in plan), (sql, plan)


def test_an_export_batch_reads_a_range_of_seq(store: Store) -> None:
    # Not the account's rows through an index on username, sorted again for every batch: quadratic in the rows.
    for sql, plan in plans(store, lambda: store.messages_between("sandbox", 0, 10**9, 2000)):
        assert plan == ["SEARCH messages USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"], (sql, plan)


def test_a_remembered_filtered_count_follows_every_change_of_the_rows(store: Store) -> None:
    def total() -> int:
        return store.history("sandbox", time.time(), parse_query("country:AU", None, None, None), 15, 0).total

    assert total() == 1
    store.write_sync(lambda tx: tx.add_messages([dataclasses.replace(BASE, message_id="2")], "sandbox", 0))
    assert total() == 2
    store.write_sync(lambda tx: tx.clear_account("sandbox", 0))
    assert total() == 0
    store.write_sync(lambda tx: tx.add_messages([dataclasses.replace(BASE, message_id="3")], "sandbox", 0))
    assert total() == 1
    store.write_sync(lambda tx: tx.clear({"sandbox": 0}))
    assert total() == 0
