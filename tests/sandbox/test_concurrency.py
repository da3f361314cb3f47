"""The store under concurrency: group commit (one COMMIT for the writes queued meanwhile, each answered only after
it), a failing write undone alone, pooled WAL readers, the kept message count, cached record renderings, and
concurrent sends over a real socket landing exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from clicksend_mms_sandbox import Account, cli, create_app, envelope, wire
from clicksend_mms_sandbox.accounts import Accounts
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.cache import RecordCache
from clicksend_mms_sandbox.gsm import BodyLimits
from clicksend_mms_sandbox.pricing import money
from clicksend_mms_sandbox.rules import Rules, SendOutcome, opening_e4
from clicksend_mms_sandbox.server import ServerThread
from clicksend_mms_sandbox.settings import Settings
from clicksend_mms_sandbox.spec import load_spec
from clicksend_mms_sandbox.store import Query, Store, StoreClosed, Tx, TxJob
from clicksend_mms_sandbox.testing import DEFAULT

from tests.helpers.waiting import HANG
from tests.sandbox._spec_check import check_response
from tests.sandbox.conftest import MEDIA, ClientFactory, balance_after, history, message, sandbox_settings, send

ACCOUNT = Account(DEFAULT.username, DEFAULT.api_key)
OPENING_E4 = opening_e4(ACCOUNT)


def open_store(path: str, *accounts: Account) -> Store:
    db = Store(path)
    db.write_sync(lambda tx: tx.open_accounts({a.username: opening_e4(a) for a in accounts or (ACCOUNT,)}))
    return db


def rules_over(store: Store) -> Rules:
    return Rules(store, Settings(), Accounts([ACCOUNT]), BodyLimits.from_spec(load_spec()), RecordCache())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_store(str(tmp_path / "sandbox.db"))  # a file: WAL, synchronous=FULL, pooled readers
    yield db
    db.close()


def _send_request(body: str, to: str = "+61437111222") -> dict[str, Any]:
    return {"media_file": MEDIA, "messages": [message(to, body=body)]}


def _count(path: str, sql: str = "SELECT COUNT(*) FROM messages") -> int:
    """Read with a connection of its own: sees exactly what is committed to the file."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _hold_writer(store: Store) -> tuple[threading.Event, threading.Event, Future[None]]:
    """Occupy the writer thread inside a transaction until released: whatever is queued meanwhile is one batch."""
    entered, release = threading.Event(), threading.Event()

    def blocker(tx: Tx) -> None:
        entered.set()
        assert release.wait(10)

    future = store.submit(blocker)
    assert entered.wait(10)
    return entered, release, future


def _send_job(store: Store, body: str, to: str = "+61437111222", account: Account = ACCOUNT) -> TxJob[SendOutcome]:
    return rules_over(store).send_job(_send_request(body, to), account, time.time())


# ---- group commit ----


def test_writes_queued_during_a_commit_share_the_next_one(store: Store) -> None:
    _, release, first = _hold_writer(store)
    commits_before = store.writer_stats.commits
    futures = [store.submit(_send_job(store, f"batched {i}")) for i in range(20)]
    assert not any(f.done() for f in futures)  # nothing is answered while the writer is busy
    release.set()
    outcomes = [f.result(10) for f in futures]
    first.result(10)
    assert all(o.data["messages"][0]["status"] == "SUCCESS" for o in outcomes)
    assert store.writer_stats.commits - commits_before == 2  # the blocker's batch, then all 20 in one
    assert store.writer_stats.largest_batch >= 20
    assert _count(store.path) == 20
    assert store.balance(ACCOUNT.username) == OPENING_E4 - 20 * 24_200  # each charged exactly once


def test_a_write_is_answered_only_after_its_commit(store: Store) -> None:
    # At the moment each future resolves, an independent connection must already see its message.
    seen: list[tuple[str, int]] = []
    all_seen = threading.Event()
    _, release, _ = _hold_writer(store)
    futures = [store.submit(_send_job(store, f"durable {i}")) for i in range(5)]
    for f in futures:

        def check(done: Future[SendOutcome]) -> None:
            message_id = done.result().data["messages"][0]["message_id"]
            seen.append(
                (message_id, _count(store.path, f"SELECT COUNT(*) FROM messages WHERE message_id = '{message_id}'"))
            )
            if len(seen) == 5:
                all_seen.set()

        f.add_done_callback(check)
    assert _count(store.path) == 0  # queued, not committed, not answered
    release.set()
    for f in futures:
        f.result(10)
    all_seen.wait(HANG)  # callbacks run just after the result is set
    assert len(seen) == 5 and all(visible == 1 for _, visible in seen)


def test_the_commit_statement_runs_before_any_answer(tmp_path: Path) -> None:
    db = open_store(str(tmp_path / "trace.db"))
    futures: list[Future[Any]] = []
    at_commit: list[list[bool]] = []
    db._conn.set_trace_callback(
        lambda sql: at_commit.append([f.done() for f in futures]) if sql.strip().upper() == "COMMIT" else None
    )
    try:
        _, release, _ = _hold_writer(db)
        futures.extend(db.submit(_send_job(db, f"traced {i}")) for i in range(3))
        release.set()
        for f in futures:
            f.result(10)
        assert at_commit and at_commit[-1] == [False, False, False]
        assert all(f.done() for f in futures)
    finally:
        db._conn.set_trace_callback(None)
        db.close()


def test_a_failing_write_is_undone_alone(store: Store) -> None:
    def failing(tx: Tx) -> None:
        _send_job(store, "undone")(tx)  # writes a message and a charge...
        raise RuntimeError("then fails")  # ...which must vanish, alone

    _, release, _ = _hold_writer(store)
    ok_before = store.submit(_send_job(store, "kept 1"))
    bad = store.submit(failing)
    ok_after = store.submit(_send_job(store, "kept 2"))
    release.set()
    assert ok_before.result(10).messages and ok_after.result(10).messages
    with pytest.raises(RuntimeError, match="then fails"):
        bad.result(10)
    bodies = {m.body for m in store.messages(ACCOUNT.username)}
    assert bodies == {"kept 1", "kept 2"}
    assert store.balance(ACCOUNT.username) == OPENING_E4 - 2 * 24_200


def test_a_failed_commit_fails_every_write_of_the_batch(store: Store) -> None:
    # A deferred foreign key is checked at COMMIT: the whole batch is rolled back, and every caller hears of it.
    def tables(tx: Tx) -> None:
        tx.conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        tx.conn.execute("CREATE TABLE child (pid INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")

    store.write_sync(tables)
    store._conn.execute("PRAGMA foreign_keys = ON")

    def dangling(tx: Tx) -> None:
        tx.conn.execute("INSERT INTO child VALUES (42)")

    _, release, _ = _hold_writer(store)
    innocent = store.submit(_send_job(store, "innocent"))
    culprit = store.submit(dangling)
    release.set()
    for f in (innocent, culprit):
        with pytest.raises(sqlite3.IntegrityError):
            f.result(10)
    assert _count(store.path) == 0 and _count(store.path, "SELECT COUNT(*) FROM child") == 0
    assert store.balance(ACCOUNT.username) == OPENING_E4
    assert store.write_sync(_send_job(store, "after")).messages  # the writer carries on


def test_a_write_cancelled_before_it_runs_writes_nothing(store: Store) -> None:
    _, release, _ = _hold_writer(store)
    cancelled = store.submit(_send_job(store, "never"))
    kept = store.submit(_send_job(store, "kept"))
    assert cancelled.cancel()
    release.set()
    kept.result(10)
    assert _count(store.path) == 1


def test_concurrent_sends_from_a_thread_pool_land_exactly_once(store: Store) -> None:
    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(lambda i: store.write_sync(_send_job(store, f"pool {i}")), range(200)))
    ids = [o.data["messages"][0]["message_id"] for o in outcomes]
    assert len(set(ids)) == 200
    stored = [m.message_id for m in store.messages(ACCOUNT.username)]
    assert sorted(stored) == sorted(ids)
    assert store.balance(ACCOUNT.username) == OPENING_E4 - 200 * 24_200
    assert store.writer_stats.writes >= 200 and store.writer_stats.commits < store.writer_stats.writes


def test_concurrent_sends_never_spend_the_same_credit_twice(tmp_path: Path) -> None:
    poor = Account("poor", "poor-key", balance=Decimal("24.2"))  # exactly ten AU messages
    db = open_store(str(tmp_path / "poor.db"), poor)
    try:
        with ThreadPoolExecutor(16) as pool:
            outcomes = list(pool.map(lambda i: db.write_sync(_send_job(db, f"p{i}", account=poor)), range(40)))
        statuses = [o.data["messages"][0]["status"] for o in outcomes]
        assert statuses.count("SUCCESS") == 10 and statuses.count("INSUFFICIENT_CREDIT") == 30
        assert db.balance("poor") == 0
    finally:
        db.close()


def test_a_closed_store_refuses_writes_and_ends_its_writer(tmp_path: Path) -> None:
    db = open_store(str(tmp_path / "closed.db"))
    writer = db._writer.thread
    db.close()
    assert writer is not None and not writer.is_alive()
    with pytest.raises(StoreClosed):
        db.submit(_send_job(db, "late"))


# ---- reads ----


def test_readers_see_committed_state_while_a_batch_is_open(store: Store) -> None:
    store.write_sync(_send_job(store, "committed"))
    _, release, _ = _hold_writer(store)
    pending = store.submit(_send_job(store, "pending"))
    page = store.history(ACCOUNT.username, time.time(), Query(), 15, 0)  # not blocked by the writer
    assert page.total == 1 and [page.messages[seq].body for seq, _ in page.keys] == ["committed"]
    release.set()
    pending.result(10)
    assert store.history(ACCOUNT.username, time.time(), Query(), 15, 0).total == 2


def test_the_kept_count_matches_count_star(store: Store) -> None:
    for i in range(7):
        store.write_sync(_send_job(store, f"counted {i}"))
    store.write_sync(_send_job(store, "test number", "+61411111111"))
    kept = _count(store.path, "SELECT message_count FROM accounts WHERE username = 'sandbox'")
    assert kept == _count(store.path) == 8
    total = store.history(ACCOUNT.username, time.time(), Query(), 15, 0).total
    filtered = store.history(ACCOUNT.username, time.time(), Query(filters=[("to", "+61411111111")]), 15, 0).total
    assert (total, filtered) == (8, 1)


def test_an_older_database_gets_its_message_count(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE accounts (username TEXT PRIMARY KEY, balance_e4 INTEGER NOT NULL);
           CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE,
               username TEXT NOT NULL, user_id INTEGER NOT NULL, to_number TEXT NOT NULL, body TEXT NOT NULL,
               subject TEXT NOT NULL, from_sender TEXT NOT NULL, country TEXT NOT NULL, custom_string TEXT NOT NULL,
               from_email TEXT, list_id INTEGER, media_url TEXT NOT NULL, price_e4 INTEGER NOT NULL,
               parts INTEGER NOT NULL, date_added INTEGER NOT NULL, schedule INTEGER, sent_at REAL NOT NULL,
               receipt_at REAL, outcome TEXT NOT NULL, cancelled_at REAL, read_at REAL);
           INSERT INTO accounts VALUES ('sandbox', 100000000);"""
    )
    for i in range(3):
        old.execute(
            "INSERT INTO messages (message_id, username, user_id, to_number, body, subject, from_sender, country,"
            " custom_string, media_url, price_e4, parts, date_added, sent_at, outcome)"
            " VALUES (?, 'sandbox', 1, '+61437111222', 'b', 's', '', 'AU', '', ?, 24200, 1, 1, 1, 'delivered')",
            (f"ID{i}", MEDIA),
        )
    old.commit()
    old.close()
    db = Store(path)
    try:
        assert db.history("sandbox", time.time(), Query(), 15, 0).total == 3
    finally:
        db.close()


def test_rendered_records_follow_the_status(client: httpx.Client, state: SandboxState) -> None:
    send(client)
    assert history(client)["data"][0]["status"] == "Queued"
    assert len(state.records) == 1
    state.advance(60)
    first = history(client)["data"][0]
    assert (first["status"], first["status_code"], first["status_text"]) == ("Completed", "201", "Delivered")
    scheduled = send(client, message(schedule=int(state.clock.now()) + 3600))["messages"][0]["message_id"]
    assert history(client)["data"][0]["status"] == "Scheduled"
    assert client.put(f"/mms/{scheduled}/cancel").status_code == 200
    assert history(client)["data"][0]["status"] == "Cancelled"


def test_the_record_cache_is_bounded(client: httpx.Client, state: SandboxState) -> None:
    state.records.max_entries = 5
    send(client, *[message(body=f"m{i}") for i in range(12)])
    page = history(client, limit=15)
    assert len(page["data"]) == 12 and len(state.records) <= 5
    assert history(client, limit=15) == page  # rendered again, identically


def test_a_cached_page_equals_a_fresh_rendering(client: httpx.Client, state: SandboxState) -> None:
    send(client, message(list_id=7, from_email="a@example.com", custom_string="c", subject="Über", body="日本語"))
    cold = client.get("/mms/history").content
    warm = client.get("/mms/history").content
    assert cold == warm
    page = state.store.history("sandbox", state.clock.now(), Query(), 15, 0)
    fresh = [wire.record(page.messages[seq], status) for seq, status in page.keys]
    assert orjson.loads(warm)["data"]["data"] == fresh


@pytest.mark.parametrize("params", [{"q": "status:queued"}, {"order_by": "message_price:asc"}, {"page": 80}])
def test_history_outside_the_default_view_reads_in_a_thread(client: httpx.Client, params: dict[str, Any]) -> None:
    send(client, *[message(body=f"t{i}") for i in range(3)])
    page = history(client, **params)
    assert page["total"] == 3
    assert len(page["data"]) == (0 if "page" in params else 3)


# ---- wire helpers ----


@pytest.mark.parametrize("e4", [0, 1, 99, 24_200, 10_000, 123_456_789, 10**15 + 7, -5, -24_200])
def test_money_is_exact(e4: int) -> None:
    for decimals in (4, 6):
        assert money(e4, decimals) == f"{Decimal(e4) / 10000:.{decimals}f}"


def test_envelopes_fall_back_to_json_for_integers_beyond_64_bits(client: httpx.Client) -> None:
    big = 2**70
    assert envelope.dumps({"list_id": big}) == f'{{"list_id":{big}}}'.encode()  # orjson refuses it; json writes it
    assert envelope.dumps({"a": "é"}) == '{"a":"é"}'.encode()
    # No request carries one any more: the spec bounds list_id at PHP's integer (2^63 - 1), which the store holds.
    response = client.post("/mms/send", json={"media_file": MEDIA, "messages": [message(list_id=big)]})
    assert response.status_code == 400 and "messages.0.list_id" in response.json()["data"]


def test_access_log_is_off_unless_asked_for() -> None:
    parser = cli.build_parser()
    assert parser.parse_args([]).access_log is False
    assert parser.parse_args(["--no-access-log"]).access_log is False
    assert parser.parse_args(["--access-log"]).access_log is True


# ---- over a real socket ----


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[ServerThread]:
    settings = replace(sandbox_settings(), db_path=str(tmp_path / "served.db"), rate_limit=0)
    app = create_app(settings)
    with ServerThread(app) as running:
        yield running
    app.state.sandbox.store.close()


def test_concurrent_sends_and_reads_over_a_socket(file_server: ServerThread) -> None:
    hooks = {"response": [check_response]}
    with httpx.Client(base_url=file_server.url, auth=DEFAULT.basic_auth, event_hooks=hooks) as client:

        def one(i: int) -> tuple[str, int]:
            sent = client.post("/mms/send", json=_send_request(f"socket {i}"))
            assert sent.status_code == 200
            page = client.get("/mms/history").json()["data"]
            assert len(page["data"]) == min(15, page["total"])  # count and rows from one snapshot
            return sent.json()["data"]["messages"][0]["message_id"], page["total"]

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, range(96)))
        ids = {message_id for message_id, _ in results}
        assert len(ids) == 96
        assert all(total >= 1 for _, total in results)
        listed = client.get("/mms/history", params={"limit": 100}).json()["data"]
        assert listed["total"] == 96 and {r["message_id"] for r in listed["data"]} == ids
        account = client.get("/_sandbox/account").json()["data"]
        assert account["balance"] == balance_after(*["2.42"] * 96)


def test_in_memory_sandbox_serves_concurrent_sends(make_client: ClientFactory, state: SandboxState) -> None:
    client = make_client()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: send(client, message(body=f"mem {i}")), range(40)))
    assert history(client)["total"] == 40
    assert state.store.in_memory


# ---- request validation: refs inlined at start-up, same verdicts and messages as through the registry ----


def _bodies() -> list[Any]:
    from tests.sandbox.test_requests_auth import BAD_SENDS

    extra: list[Any] = [
        {"media_file": MEDIA, "messages": [message()]},
        {"media_file": MEDIA, "messages": [message(subject="x" * 21, body="y" * 1501, colour="red", schedule="s")]},
        {"media_file": 5, "messages": "no", "extra": True},
        {"media_file": MEDIA, "messages": [message(list_id=0), message(list_id=2.0), {"subject": 1}]},
        {"date_before": "x"},
        {"date_before": 1},
        {"content": 5},
        {},
        "text",
        7,
    ]
    return [body for _, body in BAD_SENDS] + extra


def test_inlined_validators_agree_with_the_registry() -> None:
    from clicksend_mms_sandbox.spec import Contract, field_errors, load_spec

    contract = Contract(load_spec())
    checked = 0
    for op_id, op in contract.operations.items():
        spec_op = contract.spec["paths"][op.path][op.method]
        if op.body_validator is not None:
            schema = contract._resolve(spec_op["requestBody"])["content"]["application/json"]["schema"]
            reference = contract.registry_validator(schema)
            assert "urn:probe" not in str(op.body_validator.schema), op_id  # really inlined
            for body in _bodies():
                assert field_errors(op.body_validator, body) == field_errors(reference, body), (op_id, body)
                checked += 1
        for raw, param in zip(spec_op.get("parameters", []), op.parameters, strict=True):
            reference = contract.registry_validator(contract._resolve(raw)["schema"])
            for value in (0, 1, 15, 100, 101, -3, "", "x" * 300, "status:queued", "date:asc", None, 2.5):
                assert field_errors(param.validator, value, prefix=param.name) == field_errors(
                    reference, value, prefix=param.name
                ), (op_id, param.name, value)
                checked += 1
    assert checked > 200
