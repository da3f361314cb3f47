"""SQLite state: messages, balances, exports, uploads.

Writes: one connection, driven by one writer thread with a queue (group commit). Concurrent writes that queue up
while a COMMIT is being fsynced share the next transaction; each runs inside its own SAVEPOINT (a failing write
is rolled back alone and writes nothing), and each caller is answered only once the COMMIT containing its write
has returned (WAL + synchronous=FULL), so an acknowledged write survives kill -9 and power loss.

Reads: with a database file, pooled read-only connections (WAL readers never wait for the writer, and each read
is one snapshot); in memory, the writer's connection under its lock (a private in-memory database is visible to
one connection only).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from .settings import Account

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    balance_e4 INTEGER NOT NULL,          -- money in 1/10000 of the currency unit: exact, like "2.4200"
    message_count INTEGER NOT NULL DEFAULT 0  -- COUNT(*) of the account's messages, kept with every insert
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    to_number TEXT NOT NULL,
    body TEXT NOT NULL,
    subject TEXT NOT NULL,
    from_sender TEXT NOT NULL,
    country TEXT NOT NULL,
    custom_string TEXT NOT NULL,
    from_email TEXT,
    list_id INTEGER,
    media_url TEXT NOT NULL,
    price_e4 INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    date_added INTEGER NOT NULL,
    schedule INTEGER,                     -- the requested send time; NULL for "now"
    sent_at REAL NOT NULL,                -- Queued -> Sent
    receipt_at REAL,                      -- Sent -> receipt; NULL: never (test recipients)
    outcome TEXT NOT NULL,                -- delivered | failed | none
    cancelled_at REAL,
    read_at REAL
);
CREATE INDEX IF NOT EXISTS messages_history ON messages (username, date_added, seq);
CREATE INDEX IF NOT EXISTS messages_receipts ON messages (username, receipt_at);
CREATE TABLE IF NOT EXISTS exports (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    filename TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    date_added INTEGER NOT NULL,
    date_delete INTEGER NOT NULL
);
"""

# The lifecycle as a pure function of the clock: statuses are computed when read, so no background worker is
# needed and a driven clock moves every message at once. Parameters: :now.
STATUS_SQL = """CASE
    WHEN cancelled_at IS NOT NULL THEN 'Cancelled'
    WHEN schedule IS NOT NULL AND :now < schedule THEN 'Scheduled'
    WHEN :now < sent_at THEN 'Queued'
    WHEN receipt_at IS NULL OR :now < receipt_at THEN 'Sent'
    WHEN outcome = 'failed' THEN 'Failed'
    ELSE 'Completed' END"""

_RECEIPT_VISIBLE = "receipt_at IS NOT NULL AND receipt_at <= :now AND cancelled_at IS NULL"
_SCHEDULED = "cancelled_at IS NULL AND schedule IS NOT NULL AND :now < schedule"

# q and order_by field names -> SQL expressions (a whitelist: user text never reaches SQL as identifiers).
FILTER_FIELDS: dict[str, str] = {
    "to": "to_number",
    "from": "from_sender",
    "subject": "subject",
    "body": "body",
    "custom_string": "custom_string",
    "country": "country",
    "message_id": "message_id",
    "list_id": "CAST(list_id AS TEXT)",
    "from_email": "from_email",
    "status": f"({STATUS_SQL})",
    "direction": "'out'",
}
ORDER_FIELDS: dict[str, str] = {
    **FILTER_FIELDS,
    "date_added": "date_added",
    "date": "date_added",
    "schedule": "COALESCE(schedule, date_added)",
    "message_price": "price_e4",
}


# A stored message as the history/receipt-by-id/export wire shape needs it (rules.record reads this order).
RECORD_COLUMNS = (
    "date_added", "to_number", "body", "subject", "from_sender", "schedule", "message_id", "parts", "price_e4",
    "from_email", "list_id", "custom_string", "user_id", "country", "media_url", "username", "status",
)  # fmt: skip
_RECORD_SELECT = ", ".join(RECORD_COLUMNS[:-1]) + f", {STATUS_SQL} AS status"

T = TypeVar("T")
WriteJob = Callable[[sqlite3.Connection], T]


@dataclass(frozen=True)
class Query:
    filters: Sequence[tuple[str, str]] = ()  # (field, value), already whitelisted
    order_field: str = "date_added"
    descending: bool = True
    date_from: int | None = None
    date_to: int | None = None

    @property
    def unfiltered(self) -> bool:
        return not self.filters and self.date_from is None and self.date_to is None


class StoreClosed(RuntimeError):
    """A write submitted after Store.close()."""


@dataclass
class WriterStats:
    """Counters of the writer thread (tests check group commit with them)."""

    commits: int = 0
    writes: int = 0
    largest_batch: int = 0


class _Write:
    __slots__ = ("future", "job")

    def __init__(self, job: WriteJob[Any], future: Future[Any]) -> None:
        self.job = job
        self.future = future


_STOP = None


class _Writer:
    """The writer thread: takes every write queued so far, runs each in a SAVEPOINT of one transaction, commits
    once, then answers them all. A write is answered only after the COMMIT that contains it has returned.

    It holds no reference to its Store (so an unclosed Store can still be garbage collected, which stops it)."""

    max_batch = 256

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock  # shared with readers of an in-memory database
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._state_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.stats = WriterStats()

    def submit(self, job: WriteJob[T]) -> Future[T]:
        future: Future[T] = Future()
        with self._state_lock:
            if self._closed:
                raise StoreClosed("the store is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="clicksend-mms-sandbox-writer", daemon=True)
                self._thread.start()
            self._queue.put(_Write(job, future))
        return future

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the queued writes, then end the thread (idempotent)."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put(_STOP)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stopping = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._commit(batch)
            except BaseException as exc:  # e.g. a broken connection: fail, never hang, the callers
                for write in batch:
                    if not write.future.done():
                        write.future.set_exception(exc)
            if stopping:
                return

    def _commit(self, batch: list[_Write]) -> None:
        conn = self._conn
        done: list[tuple[_Write, bool, Any]] = []  # (write, ok, result or exception)
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except BaseException as exc:  # handed to every waiting caller
                for write in batch:
                    if write.future.set_running_or_notify_cancel():
                        write.future.set_exception(exc)
                return
            for write in batch:
                if not write.future.set_running_or_notify_cancel():
                    continue  # its caller went away before it ran: nothing is written, nobody is answered
                conn.execute("SAVEPOINT write")
                try:
                    result = write.job(conn)
                except BaseException as exc:  # this write alone is undone; its caller gets exc
                    conn.execute("ROLLBACK TO write")
                    conn.execute("RELEASE write")
                    done.append((write, False, exc))
                else:
                    conn.execute("RELEASE write")
                    done.append((write, True, result))
            try:
                conn.execute("COMMIT")
            except BaseException as exc:  # nothing of the batch is committed: all of it fails
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                for write, ok, value in done:
                    write.future.set_exception(exc if ok else value)
                return
            self.stats.commits += 1
            self.stats.writes += len(done)
            self.stats.largest_batch = max(self.stats.largest_batch, len(done))
        # Answered only now: every result below is durable.
        for write, ok, value in done:
            if ok:
                write.future.set_result(value)
            else:
                write.future.set_exception(value)


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.in_memory = path in (":memory:", "")  # private to one connection: readers must share the writer's
        # The writer's connection: used by the writer thread, and by in-memory reads, behind the lock.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._readers: list[sqlite3.Connection] = []  # idle pooled read connections (database files only)
        self._all_readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        with self._lock:
            if not self.in_memory:
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # an acknowledged send survives kill -9 / power loss
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)
            self._migrate()
        self._writer = _Writer(self._conn, self._lock)
        weakref.finalize(self, self._writer.stop, None)  # an unclosed, forgotten store still ends its thread

    def _migrate(self) -> None:
        """Databases written by an older sandbox lack accounts.message_count: add and fill it."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(accounts)")}
        if "message_count" not in columns:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("ALTER TABLE accounts ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0")
                self._conn.execute(
                    "UPDATE accounts SET message_count = "
                    "(SELECT COUNT(*) FROM messages WHERE messages.username = accounts.username)"
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @property
    def writer_stats(self) -> WriterStats:
        return self._writer.stats

    def close(self) -> None:
        self._writer.stop()
        with self._lock:
            self._closed = True
            self._conn.close()
        with self._readers_lock:
            for conn in self._all_readers:
                conn.close()
            self._all_readers.clear()
            self._readers.clear()

    # ---- writing: every write is a job run by the writer thread ----

    def submit(self, job: WriteJob[T]) -> Future[T]:
        """Queue a write; the future resolves after the COMMIT that contains it (or with its exception)."""
        return self._writer.submit(job)

    async def write(self, job: WriteJob[T]) -> T:
        """Run a write from async code without blocking the event loop; returns once it is committed."""
        return await asyncio.wrap_future(self._writer.submit(job))

    def write_sync(self, job: WriteJob[T]) -> T:
        """Run a write and wait for its commit (any thread but the writer's)."""
        return self._writer.submit(job).result()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing, outside the writer thread (for one-off maintenance): a failure writes nothing."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # ---- reading ----

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads that see one consistent, committed state. Plain tuples as rows."""
        if self.in_memory:
            with self._lock:
                if self._closed:
                    raise StoreClosed("the store is closed")
                yield self._conn  # the writer thread holds this lock for a whole batch: no partial state
            return
        conn = self._take_reader()
        conn.execute("BEGIN")  # deferred: a WAL read snapshot, never a lock on the writer
        try:
            yield conn
        finally:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error:
                conn.close()  # leave a broken connection out of the pool
            else:
                self._give_back(conn)

    def _take_reader(self) -> sqlite3.Connection:
        with self._readers_lock:
            if self._closed:
                raise StoreClosed("the store is closed")
            if self._readers:
                return self._readers.pop()
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        with self._readers_lock:
            self._all_readers.append(conn)
        return conn

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._readers_lock:
            if not self._closed:
                self._readers.append(conn)

    def _dicts(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.snapshot() as conn:
            return _as_dicts(conn.execute(sql, params))

    def _dict(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._dicts(sql, params)
        return rows[0] if rows else None

    # ---- accounts ----
    def ensure_accounts(self, accounts: Sequence[Account]) -> None:
        """Opening balances for new accounts; a persisted balance is kept across restarts."""
        rows = [(account.username, int(account.balance * 10000)) for account in accounts]

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR IGNORE INTO accounts (username, balance_e4) VALUES (?, ?)", rows)

        self.write_sync(job)

    @staticmethod
    def balance_in(conn: sqlite3.Connection, username: str) -> int:
        row = conn.execute("SELECT balance_e4 FROM accounts WHERE username = ?", (username,)).fetchone()
        return int(row[0]) if row else 0

    def balance(self, username: str) -> int:
        with self.snapshot() as conn:
            return self.balance_in(conn, username)

    # ---- messages ----
    @staticmethod
    def insert_messages(conn: sqlite3.Connection, rows: Sequence[dict[str, Any]], username: str, cost: int) -> None:
        """Store messages and charge for them (call inside a write job: the count and balance move with them)."""
        conn.executemany(
            """INSERT INTO messages (message_id, username, user_id, to_number, body, subject, from_sender, country,
                   custom_string, from_email, list_id, media_url, price_e4, parts, date_added, schedule, sent_at,
                   receipt_at, outcome)
               VALUES (:message_id, :username, :user_id, :to_number, :body, :subject, :from_sender, :country,
                   :custom_string, :from_email, :list_id, :media_url, :price_e4, :parts, :date_added, :schedule,
                   :sent_at, :receipt_at, :outcome)""",
            rows,
        )
        conn.execute(
            "UPDATE accounts SET balance_e4 = balance_e4 - ?, message_count = message_count + ? WHERE username = ?",
            (cost, len(rows), username),
        )

    def _where(self, username: str, now: float, query: Query) -> tuple[str, dict[str, Any]]:
        clauses = ["username = :username"]
        params: dict[str, Any] = {"username": username, "now": now}
        for i, (name, value) in enumerate(query.filters):
            clauses.append(f"lower({FILTER_FIELDS[name]}) = lower(:f{i})")
            params[f"f{i}"] = value
        if query.date_from is not None:
            clauses.append("date_added >= :date_from")
            params["date_from"] = query.date_from
        if query.date_to is not None:
            clauses.append("date_added <= :date_to")
            params["date_to"] = query.date_to
        return " AND ".join(clauses), params

    def history(
        self,
        username: str,
        now: float,
        query: Query,
        limit: int,
        offset: int,
        cached: Callable[[int, str], bytes | None] | None = None,
    ) -> tuple[int, list[tuple[int, str, bytes | None, Any | None]]]:
        """(total, page) from one snapshot. Each page item is (seq, status, rendering, row): `rendering` is what
        `cached(seq, status)` returned, else None and `row` is the message as a tuple in RECORD_COLUMNS order.
        Only the rows not already rendered are read in full."""
        where, params = self._where(username, now, query)
        direction = "DESC" if query.descending else "ASC"
        order = f"{ORDER_FIELDS[query.order_field]} {direction}, seq {direction}"
        with self.snapshot() as conn:
            counted = None
            if query.unfiltered:  # the default page: a kept count instead of a scan of the account's messages
                counted = conn.execute("SELECT message_count FROM accounts WHERE username = ?", (username,)).fetchone()
            if counted is None:
                counted = conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()
            keys = conn.execute(
                f"SELECT seq, {STATUS_SQL} FROM messages WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            ).fetchall()
            renderings = [cached(seq, status) if cached is not None else None for seq, status in keys]
            missing = [seq for (seq, _), rendering in zip(keys, renderings, strict=True) if rendering is None]
            rows: dict[int, Any] = {}
            if missing:
                found = conn.execute(
                    f"SELECT seq, {_RECORD_SELECT} FROM messages WHERE seq IN (SELECT value FROM json_each(:seqs))",
                    {"seqs": orjson.dumps(missing).decode(), "now": now},
                )
                rows = {row[0]: row[1:] for row in found}
        page = [
            (seq, status, rendering, rows[seq] if rendering is None else None)
            for (seq, status), rendering in zip(keys, renderings, strict=True)
        ]
        return int(counted[0]), page

    def all_messages(self, username: str, now: float) -> list[Any]:
        """Every message of the account, oldest first, as tuples in RECORD_COLUMNS order."""
        with self.snapshot() as conn:
            return conn.execute(
                f"SELECT {_RECORD_SELECT} FROM messages WHERE username = :username ORDER BY seq",
                {"username": username, "now": now},
            ).fetchall()

    def message(self, username: str, message_id: str, now: float) -> Any | None:
        """One message of the account as a tuple in RECORD_COLUMNS order, or None."""
        with self.snapshot() as conn:
            row: Any | None = conn.execute(
                f"SELECT {_RECORD_SELECT} FROM messages WHERE username = :username AND message_id = :id",
                {"username": username, "id": message_id, "now": now},
            ).fetchone()
        return row

    def receipts(self, username: str, now: float, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        where = f"username = :username AND read_at IS NULL AND {_RECEIPT_VISIBLE}"
        params = {"username": username, "now": now}
        with self.snapshot() as conn:
            total = int(conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()[0])
            rows = _as_dicts(
                conn.execute(
                    f"SELECT * FROM messages WHERE {where} ORDER BY receipt_at DESC, seq DESC "
                    "LIMIT :limit OFFSET :offset",
                    {**params, "limit": limit, "offset": offset},
                )
            )
        return total, rows

    @staticmethod
    def mark_read_job(username: str, now: float, before: int | None) -> WriteJob[int]:
        sql = (
            f"UPDATE messages SET read_at = :now WHERE username = :username AND read_at IS NULL AND {_RECEIPT_VISIBLE}"
        )
        if before is not None:
            sql += " AND receipt_at < :before"
        params = {"username": username, "now": now, "before": before}

        def job(conn: sqlite3.Connection) -> int:
            return conn.execute(sql, params).rowcount

        return job

    def mark_read(self, username: str, now: float, before: int | None) -> int:
        return self.write_sync(self.mark_read_job(username, now, before))

    @staticmethod
    def cancel_job(username: str, now: float, message_id: str | None) -> WriteJob[int]:
        """Cancel one scheduled message (or all when message_id is None) and refund it. Returns the count."""
        where = f"username = :username AND {_SCHEDULED}"
        params: dict[str, Any] = {"username": username, "now": now}
        if message_id is not None:
            where += " AND message_id = :id"
            params["id"] = message_id

        def job(conn: sqlite3.Connection) -> int:
            refund = int(
                conn.execute(f"SELECT COALESCE(SUM(price_e4), 0) FROM messages WHERE {where}", params).fetchone()[0]
            )
            count: int = conn.execute(f"UPDATE messages SET cancelled_at = :now WHERE {where}", params).rowcount
            if refund:
                conn.execute("UPDATE accounts SET balance_e4 = balance_e4 + ? WHERE username = ?", (refund, username))
            return count

        return job

    def cancel(self, username: str, now: float, message_id: str | None) -> int:
        return self.write_sync(self.cancel_job(username, now, message_id))

    # ---- exports ----
    @staticmethod
    def add_export_job(token: str, username: str, filename: str, expires_at: float) -> WriteJob[None]:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO exports VALUES (?, ?, ?, ?)", (token, username, filename, expires_at))

        return job

    def add_export(self, token: str, username: str, filename: str, expires_at: float) -> None:
        self.write_sync(self.add_export_job(token, username, filename, expires_at))

    def export(self, token: str) -> dict[str, Any] | None:
        return self._dict("SELECT * FROM exports WHERE token = ?", (token,))

    # ---- uploads ----
    @staticmethod
    def add_upload_job(row: dict[str, Any]) -> WriteJob[None]:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                """INSERT INTO uploads VALUES (:upload_id, :username, :user_id, :file_name, :content_type, :content,
                       :date_added, :date_delete)""",
                row,
            )

        return job

    def add_upload(self, row: dict[str, Any]) -> None:
        self.write_sync(self.add_upload_job(row))

    def upload(self, file_name: str) -> dict[str, Any] | None:
        return self._dict("SELECT * FROM uploads WHERE file_name = ?", (file_name,))


def _as_dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
