"""SQLite state: messages, balances, export links, uploads. The store only persists: named rows in, named rows out,
no ClickSend rule (those are in rules.py; a message's lifecycle is in message.py).

Writes: jobs run by the group-commit writer thread (writer.py), each given a `Tx` (this store's operations inside
its transaction); an acknowledged write is committed (WAL + synchronous=FULL). Reads: with a database file, pooled
read-only connections (WAL readers never wait for the writer, and each read is one snapshot); in memory, the
writer's connection under its lock (a private in-memory database is visible to one connection only).
"""

from __future__ import annotations

import asyncio
import dataclasses
import operator
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from .message import CANCELLABLE_SQL, RECEIPT_VISIBLE_SQL, STATUS_PARTS, STATUS_SQL, STATUS_WHERE, Message, Status
from .writer import StoreClosed, Writer, WriterStats

__all__ = [
    "AddedAccount",
    "DatabaseUnavailable",
    "ExportLink",
    "HistoryPage",
    "Query",
    "Store",
    "StoreClosed",
    "Tx",
    "Upload",
    "WriterStats",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    balance_e4 INTEGER NOT NULL,          -- money in 1/10000 of the currency unit: exact, like "2.4200"
    message_count INTEGER NOT NULL DEFAULT 0,  -- COUNT(*) of the account's messages, kept with every insert
    unread_receipts INTEGER NOT NULL DEFAULT 0  -- of them, unread receipts, shown or ahead (_UNREAD_RECEIPT_SQL)
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
-- Unread, visible receipts (GET /mms/receipts, receipts-read): the unread ones only, newest receipt last.
CREATE INDEX IF NOT EXISTS messages_unread ON messages (username, receipt_at)
    WHERE read_at IS NULL AND cancelled_at IS NULL;
-- A status's rows as ranges (message.STATUS_WHERE): receipts in (Completed, Failed, Sent's outcome 'none', Cancelled),
-- schedules ahead (Scheduled), sends ahead (Queued).
-- Each also holds the columns its status's other terms read, so counting a status never visits the table.
CREATE INDEX IF NOT EXISTS messages_lifecycle ON messages (username, cancelled_at, outcome, receipt_at, sent_at);
CREATE INDEX IF NOT EXISTS messages_scheduled ON messages (username, cancelled_at, schedule);
CREATE INDEX IF NOT EXISTS messages_sending ON messages (username, cancelled_at, sent_at, schedule);
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
CREATE TABLE IF NOT EXISTS added_accounts (  -- accounts added at run time (POST /_sandbox/accounts): kept with --db
    username TEXT PRIMARY KEY,
    api_key TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    opening_e4 INTEGER NOT NULL,
    rate_limit INTEGER
);
CREATE TABLE IF NOT EXISTS clock (        -- one row: the sandbox clock's offset from real time, kept with the data
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds REAL NOT NULL
);
"""

# Message fields -> columns. Rows are selected in the dataclass's own field order, so `Message(*row)` cannot drift.
_COLUMN_OF = {"to": "to_number", "sender": "from_sender"}
_MESSAGE_COLUMNS = tuple(_COLUMN_OF.get(f.name, f.name) for f in dataclasses.fields(Message))
_MESSAGE_SELECT = ", ".join(_MESSAGE_COLUMNS)
_message_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Message)))  # a tuple, in that order
_MESSAGE_INSERT = f"INSERT INTO messages ({_MESSAGE_SELECT}) VALUES ({', '.join('?' for _ in _MESSAGE_COLUMNS)})"

# q and order_by field names -> SQL expressions (a whitelist: user text never reaches SQL as identifiers). Filters
# compare case-insensitively (`lower(expr) = lower(value)`) and orders sort case-insensitively, as ClickSend's
# MySQL collation does; each text field has one index, (username, lower(expr), date_added), that serves its filter
# (then newest first: the default order is the index's), its order (ties newest first), and its count.
_TEXT_FIELDS: dict[str, str] = {
    "to": "to_number",
    "from": "from_sender",
    "subject": "subject",
    "body": "body",
    "custom_string": "custom_string",
    "country": "country",
    "message_id": "message_id",
    "list_id": "CAST(list_id AS TEXT)",
    "from_email": "from_email",
}
FILTER_FIELDS: dict[str, str] = {
    **{name: f"lower({expr})" for name, expr in _TEXT_FIELDS.items()},
    "status": f"lower({STATUS_SQL})",  # matched through message.STATUS_WHERE, whose predicates indexes can serve
    "direction": "'out'",  # every message the sandbox keeps is outbound: a constant, decided without SQL
}
ORDER_FIELDS: dict[str, str] = {
    **FILTER_FIELDS,
    "status": f"({STATUS_SQL})",
    "date_added": "date_added",
    "date": "date_added",
    "schedule": "COALESCE(schedule, date_added)",
    "message_price": "price_e4",
}
CONSTANT_FIELDS = frozenset({"direction"})
_INDEXED_EXPRESSIONS = {
    **{f"lower_{name}": f"lower({expr})" for name, expr in _TEXT_FIELDS.items()},
    "schedule": ORDER_FIELDS["schedule"],
    "price": ORDER_FIELDS["message_price"],
}
_SCHEMA += "".join(
    f"CREATE INDEX IF NOT EXISTS messages_by_{name} ON messages (username, {expr}, date_added);\n"
    for name, expr in _INDEXED_EXPRESSIONS.items()
)
_DROPPED_INDEXES = ("messages_receipts",)  # replaced by messages_unread
# The unread receipts, shown or ahead: what accounts.unread_receipts counts (a range of messages_unread), kept with
# every insert, cancel and mark-read, so the receipts list counts only those still ahead of now, not them all.
_UNREAD_RECEIPT_SQL = "read_at IS NULL AND cancelled_at IS NULL AND receipt_at IS NOT NULL"
# Kept counts added to accounts after databases were written without them: (column, its COUNT over the messages).
_KEPT_COLUMNS = {
    "message_count": "COUNT(*)",
    "unread_receipts": f"COUNT(*) FILTER (WHERE {_UNREAD_RECEIPT_SQL})",
}
_STATUS_OF = {status.lower(): status for status in STATUS_WHERE}
_KEPT_COUNTS = 10_000  # filtered counts remembered (emptied when full)
# order_by=status sorts by the status's name; its pages are read a status at a time, in that order.
_STATUS_ORDER: tuple[Status, ...] = tuple(sorted(STATUS_WHERE))

T = TypeVar("T")


@dataclass(frozen=True)
class Query:
    """A history query: filters (already whitelisted field names), an order, a date range."""

    filters: Sequence[tuple[str, str]] = ()
    order_field: str = "date_added"
    descending: bool = True
    date_from: int | None = None
    date_to: int | None = None

    @property
    def unfiltered(self) -> bool:
        return not self.filters and self.date_from is None and self.date_to is None


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of history from one snapshot. Parallel lists (no object per row: this is the hottest read)."""

    total: int
    keys: list[tuple[int, Status]]  # (seq, status at `now`) of each row, in page order
    renderings: list[bytes | None]  # what the cache held for each key
    messages: dict[int, Message]  # by seq: the rows read in full (those the cache had no rendering of)


@dataclass(frozen=True)
class AddedAccount:
    """An account added at run time, as kept: found again when the sandbox restarts on the same database."""

    username: str
    api_key: str = dataclasses.field(repr=False)
    user_id: int
    opening_e4: int
    rate_limit: int | None


@dataclass(frozen=True)
class ExportLink:
    token: str  # the link's only credential, like a pre-signed S3 URL
    username: str
    filename: str
    expires_at: float


@dataclass(frozen=True)
class Upload:
    upload_id: str
    username: str
    user_id: int
    file_name: str
    content_type: str
    content: bytes
    date_added: int
    date_delete: int


def _message(row: Sequence[Any]) -> Message:
    return Message(*row)


def _columns(row_type: type) -> str:
    return ", ".join(f.name for f in dataclasses.fields(row_type))


def _insert(table: str, row_type: type) -> str:
    names = [f.name for f in dataclasses.fields(row_type)]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


class Tx:
    """The store's operations inside one write (run by the writer thread, in the write's own SAVEPOINT)."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def balance(self, username: str) -> int:
        row = self.conn.execute("SELECT balance_e4 FROM accounts WHERE username = ?", (username,)).fetchone()
        return int(row[0]) if row else 0

    def clock_offset(self) -> float:
        row = self.conn.execute("SELECT offset_seconds FROM clock WHERE id = 1").fetchone()
        return float(row[0]) if row else 0.0

    def set_clock_offset(self, seconds: float) -> None:
        self.conn.execute(
            "INSERT INTO clock (id, offset_seconds) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET offset_seconds = excluded.offset_seconds",
            (seconds,),
        )

    def add_messages(self, messages: Sequence[Message], username: str, cost_e4: int) -> None:
        """Store messages and charge for them: the balance and the kept counts move with them."""
        self.conn.executemany(_MESSAGE_INSERT, [_message_values(m) for m in messages])
        unread = sum(m.receipt_at is not None and m.read_at is None and m.cancelled_at is None for m in messages)
        self.conn.execute(
            "UPDATE accounts SET balance_e4 = balance_e4 - ?, message_count = message_count + ?, "
            "unread_receipts = unread_receipts + ? WHERE username = ?",
            (cost_e4, len(messages), unread, username),
        )

    def cancel(self, username: str, now: float, message_id: str | None) -> int:
        """Cancel one cancellable message (or all when message_id is None) and refund it. Returns the count."""
        where = f"username = :username AND {CANCELLABLE_SQL}"
        params: dict[str, Any] = {"username": username, "now": now}
        if message_id is not None:
            where += " AND message_id = :id"
            params["id"] = message_id
        refund, unread = self.conn.execute(
            f"SELECT COALESCE(SUM(price_e4), 0), COUNT(*) FILTER (WHERE {_UNREAD_RECEIPT_SQL}) FROM messages "
            f"WHERE {where}",
            params,
        ).fetchone()
        count: int = self.conn.execute(f"UPDATE messages SET cancelled_at = :now WHERE {where}", params).rowcount
        if refund:
            self.add_to_balance(username, int(refund))
        self._unread_receipts_read(username, int(unread))  # a cancelled message's receipt is never shown
        return count

    def _unread_receipts_read(self, username: str, count: int) -> None:
        if count:
            self.conn.execute(
                "UPDATE accounts SET unread_receipts = unread_receipts - ? WHERE username = ?", (count, username)
            )

    def mark_read(self, username: str, now: float, before: int | None) -> int:
        # Shown (receipt_at <= :now) and before `before`: one upper bound on receipt_at, the lower. SQLite searches
        # messages_unread up to one bound only, and `<= :now` would read every shown receipt to mark a few old ones.
        bound = "receipt_at <= :now" if before is None or before > now else "receipt_at < :before"
        sql = f"UPDATE messages SET read_at = :now WHERE username = :username AND {_UNREAD_RECEIPT_SQL} AND {bound}"
        count: int = self.conn.execute(sql, {"username": username, "now": now, "before": before}).rowcount
        self._unread_receipts_read(username, count)  # every row it marks was an unread receipt
        return count

    def add_export(self, link: ExportLink) -> None:
        self.conn.execute(_insert("exports", ExportLink), dataclasses.astuple(link))

    def add_upload(self, upload: Upload) -> None:
        self.conn.execute(_insert("uploads", Upload), dataclasses.astuple(upload))

    def open_accounts(self, balances: Mapping[str, int]) -> None:
        """Opening balances for accounts the store does not have yet; a persisted balance is kept."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO accounts (username, balance_e4) VALUES (?, ?)", list(balances.items())
        )

    def set_balance(self, username: str, balance_e4: int) -> int:
        self.conn.execute("UPDATE accounts SET balance_e4 = ? WHERE username = ?", (balance_e4, username))
        return self.balance(username)

    def add_to_balance(self, username: str, amount_e4: int) -> int:
        self.conn.execute("UPDATE accounts SET balance_e4 = balance_e4 + ? WHERE username = ?", (amount_e4, username))
        return self.balance(username)

    def add_account(self, account: AddedAccount) -> bool:
        """Keep an added account and open its balance; False (nothing written) when the name already has a row here:
        a configured account's, or one whose data outlived its configuration. Its rows are not anyone else's."""
        if self.conn.execute("SELECT 1 FROM accounts WHERE username = ?", (account.username,)).fetchone():
            return False
        self.conn.execute(_insert("added_accounts", AddedAccount), dataclasses.astuple(account))
        self.open_accounts({account.username: account.opening_e4})
        return True

    def clear_account(self, username: str, balance_e4: int) -> None:
        """Forget one account's messages, exports and uploads; its balance back to `balance_e4`."""
        for table in ("messages", "exports", "uploads"):
            self.conn.execute(f"DELETE FROM {table} WHERE username = ?", (username,))
        self.conn.execute(
            "UPDATE accounts SET balance_e4 = ?, message_count = 0, unread_receipts = 0 WHERE username = ?",
            (balance_e4, username),
        )

    def clear(self, balances: Mapping[str, int]) -> None:
        """Forget every message, export, upload and account; then open `balances`."""
        for table in ("messages", "exports", "uploads", "accounts", "added_accounts", "clock"):
            self.conn.execute(f"DELETE FROM {table}")
        self.open_accounts(balances)


TxJob = Callable[[Tx], T]


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened, read or written; the text says which file and why, in one line."""

    def __init__(self, path: str, exc: sqlite3.Error) -> None:
        target = Path(path)
        if target.is_dir():
            why = "it is a directory"
        elif not target.parent.is_dir():
            why = f"no directory {target.parent}"
        else:
            why = str(exc)  # SQLite's words: "file is not a database", "attempt to write a readonly database"...
        super().__init__(f"cannot use the database {path}: {why}")


def _open(path: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(path, exc) from exc


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.in_memory = path in (":memory:", "")  # private to one connection: readers must share the writer's
        # The writer's connection: used by the writer thread, and by in-memory reads, behind the lock.
        self._conn = _open(path)
        self._lock = threading.RLock()
        self._readers: list[sqlite3.Connection] = []  # idle pooled read connections (database files only)
        self._all_readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._counts: dict[tuple[Any, ...], int] = {}  # _kept_count's; a dict read or write is atomic under the GIL
        try:
            with self._lock:
                if not self.in_memory:
                    self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=FULL")  # an acknowledged send survives kill -9 / power loss
                self._conn.execute("PRAGMA busy_timeout=5000")
                self._conn.executescript(_SCHEMA)
                for index in _DROPPED_INDEXES:
                    self._conn.execute(f"DROP INDEX IF EXISTS {index}")
                self._migrate()
                self._conn.execute("BEGIN IMMEDIATE")  # can it be written? (a read-only file opens, then fails)
                self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            self._conn.close()
            raise DatabaseUnavailable(path, exc) from exc
        self._writer = Writer(self._conn, self._lock)
        weakref.finalize(self, self._writer.stop, None)  # an unclosed, forgotten store still ends its thread

    def _migrate(self) -> None:
        """Databases written by an older sandbox lack some of accounts' kept counts: add and fill them."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(accounts)")}
        for column, count in _KEPT_COLUMNS.items():
            if column in columns:
                continue
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(f"ALTER TABLE accounts ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
                self._conn.execute(
                    f"UPDATE accounts SET {column} = "
                    f"(SELECT {count} FROM messages WHERE messages.username = accounts.username)"
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

    def submit(self, job: TxJob[T]) -> Future[T]:
        """Queue a write; the future resolves after the COMMIT that contains it (or with its exception)."""
        return self._writer.submit(lambda conn: job(Tx(conn)))

    async def write(self, job: TxJob[T]) -> T:
        """Run a write from async code without blocking the event loop; returns once it is committed."""
        return await asyncio.wrap_future(self.submit(job))

    def write_sync(self, job: TxJob[T]) -> T:
        """Run a write and wait for its commit (any thread but the writer's)."""
        return self.submit(job).result()

    # ---- reading ----

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads that see one consistent, committed state."""
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

    def balance(self, username: str) -> int:
        with self.snapshot() as conn:
            return Tx(conn).balance(username)

    def clock_offset(self) -> float:
        """The clock offset last kept (0 for a new database)."""
        with self.snapshot() as conn:
            return Tx(conn).clock_offset()

    def keep_clock_offset(self, read: Callable[[], float]) -> Future[None]:
        """Store the clock's offset, as `read()` gives it when the write runs: writes run in order, so the last one
        stores the latest offset even when two advances race."""
        return self.submit(lambda tx: tx.set_clock_offset(read()))

    def added_accounts(self) -> list[AddedAccount]:
        """The accounts added at run time and kept here, in the order they were added."""
        with self.snapshot() as conn:
            rows = conn.execute(f"SELECT {_columns(AddedAccount)} FROM added_accounts ORDER BY rowid").fetchall()
        return [AddedAccount(*row) for row in rows]

    def _where(self, username: str, now: float, query: Query) -> tuple[str, dict[str, Any], list[Status] | None]:
        """(WHERE of every condition but status, its parameters, the statuses asked for: None when any)."""
        clauses = ["username = :username"]
        params: dict[str, Any] = {"username": username, "now": now}
        statuses: set[Status] | None = None
        for i, (name, value) in enumerate(query.filters):
            if name in CONSTANT_FIELDS:  # decided here: true drops out, false matches nothing
                if FILTER_FIELDS[name].strip("'") != value.lower():
                    clauses.append("0")
                continue
            if name == "status":  # several status filters: the rows in all of them (at most one status)
                asked = {_STATUS_OF[value.lower()]} if value.lower() in _STATUS_OF else set()
                statuses = asked if statuses is None else statuses & asked
                continue
            clauses.append(f"{FILTER_FIELDS[name]} = lower(:f{i})")
            params[f"f{i}"] = value
        if query.date_from is not None:
            clauses.append("date_added >= :date_from")
            params["date_from"] = query.date_from
        if query.date_to is not None:
            clauses.append("date_added <= :date_to")
            params["date_to"] = query.date_to
        return " AND ".join(clauses), params, (None if statuses is None else sorted(statuses))

    @staticmethod
    def _order(query: Query) -> str:
        direction = "DESC" if query.descending else "ASC"
        keys = [] if query.order_field in CONSTANT_FIELDS | {"status"} else [ORDER_FIELDS[query.order_field]]
        if query.order_field not in ("date_added", "date"):
            keys.append("date_added")  # ties newest first (or oldest, ascending): what the field's index holds
        return ", ".join(f"{key} {direction}" for key in [*keys, "seq"])

    def _kept_count(self, conn: sqlite3.Connection, username: str, of: int, where: str, params: dict[str, Any]) -> int:
        """COUNT(*) of `where` (no status in it: the fields it reads never change after an insert), remembered while
        the account's rows are the same: paging through a filtered view counts it once. The rows are the same while
        the account's kept count (`of`) and the table's newest seq are: an insert moves the seq (AUTOINCREMENT, never
        reused), a reset of the account moves its count, and neither comes back."""
        newest = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").fetchone()
        key = (
            username,
            of,
            newest[0] if newest else 0,
            where,
            tuple(sorted((k, v) for k, v in params.items() if k != "now")),
        )
        found = self._counts.get(key)
        if found is None:
            found = self._count(conn, where, params)
            if len(self._counts) >= _KEPT_COUNTS:
                self._counts.clear()
            self._counts[key] = found
        return found

    @staticmethod
    def _count(conn: sqlite3.Connection, where: str, params: dict[str, Any]) -> int:
        return int(conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()[0])

    def _status_counts(
        self, conn: sqlite3.Connection, where: str, params: dict[str, Any], total: int
    ) -> dict[str, int]:
        """How many of the rows `where` selects (`total`) are in each status: Completed, usually most of them, is
        what the others (each a short index range) leave."""
        counts: dict[str, int] = {
            status: sum(self._count(conn, f"{where} AND {part}", params) for part in parts)
            for status, parts in STATUS_PARTS.items()
            if status != "Completed"
        }
        return {**counts, "Completed": total - sum(counts.values())}

    def _keys(
        self, conn: sqlite3.Connection, where: str, params: dict[str, Any], order: str, limit: int, offset: int,
        source: str = "messages",
    ) -> list[tuple[int, Status]]:  # fmt: skip
        return conn.execute(
            f"SELECT seq, {STATUS_SQL} FROM {source} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset},
        ).fetchall()

    def history(
        self,
        username: str,
        now: float,
        query: Query,
        limit: int,
        offset: int,
        cached: Callable[[int, str], bytes | None] | None = None,
    ) -> HistoryPage:
        """A page, with each row's status at `now`. A row is read in full only when `cached(seq, status)` has no
        rendering of it."""
        where, params, statuses = self._where(username, now, query)
        order = self._order(query)
        with self.snapshot() as conn:
            kept = conn.execute("SELECT message_count FROM accounts WHERE username = ?", (username,)).fetchone()
            total = int(kept[0]) if kept else 0  # no condition: the kept count, not a scan of the account's rows
            if where != "username = :username":
                total = self._kept_count(conn, username, total, where, params)
            keys: list[tuple[int, Status]] = []
            if statuses is None and query.order_field != "status":
                if total > offset:
                    keys = self._keys(conn, where, params, order, limit, offset)
            else:
                counts = self._status_counts(conn, where, params, total)
                asked = statuses if statuses is not None else list(_STATUS_ORDER)
                total = sum(counts[s] for s in asked)
                if query.order_field == "status" and query.descending:
                    asked = asked[::-1]
                keys = self._status_pages(conn, where, params, order, asked, counts, limit, offset)
            renderings = [cached(seq, status) if cached is not None else None for seq, status in keys]
            missing = [seq for (seq, _), rendering in zip(keys, renderings, strict=True) if rendering is None]
            messages: dict[int, Message] = {}
            if missing:
                found = conn.execute(
                    f"SELECT seq, {_MESSAGE_SELECT} FROM messages WHERE seq IN (SELECT value FROM json_each(?))",
                    (orjson.dumps(missing).decode(),),
                )
                messages = {row[0]: _message(row[1:]) for row in found}
        return HistoryPage(total, keys, renderings, messages)

    def _status_pages(
        self, conn: sqlite3.Connection, where: str, params: dict[str, Any], order: str, statuses: Sequence[Status],
        counts: Mapping[str, int], limit: int, offset: int,
    ) -> list[tuple[int, Status]]:  # fmt: skip
        """A page of the rows in `statuses`, one status after another (order_by=status) or just one (q=status:X):
        whole statuses before the page are skipped by their counts. A status holding few of the rows is read
        through its own index and sorted; a common one by walking the order's index until the page is full."""
        keys: list[tuple[int, Status]] = []
        of = max(1, sum(counts.values()))
        for status in statuses:
            if len(keys) >= limit:
                break
            if offset >= counts[status]:
                offset -= counts[status]
                continue
            # Reading the status's rows and sorting them costs about their count; walking the order's index until
            # the page is full, about (offset + limit) rows per share of the rows the status holds: the cheaper wins.
            if counts[status] ** 2 <= (offset + limit) * of:
                parts = " UNION ALL ".join(
                    f"SELECT seq FROM messages WHERE {where} AND {p}" for p in STATUS_PARTS[status]
                )
                found = self._keys(conn, f"seq IN ({parts})", params, order, limit - len(keys), offset)
            else:
                found = self._keys(
                    conn, f"{where} AND ({STATUS_WHERE[status]})", params, order, limit - len(keys), offset,
                    self._walk(order),
                )  # fmt: skip
            keys += found
            offset = 0
        return keys

    @staticmethod
    def _walk(order: str) -> str:
        """The order's own index, walked (a common status: its rows come soon, in order)."""
        return "messages INDEXED BY messages_history" if order.startswith("date_added") else "messages"

    def messages(self, username: str) -> list[Message]:
        """Every message of the account, oldest first."""
        with self.snapshot() as conn:
            rows = conn.execute(f"SELECT {_MESSAGE_SELECT} FROM messages WHERE username = ? ORDER BY seq", (username,))
            return [_message(row) for row in rows]

    def last_seq(self, username: str) -> int:
        """The newest message's seq of the account (0 for none): where an export taken now ends."""
        with self.snapshot() as conn:
            # Newest first along the table's own order (`+username`: not through an index on username, in which
            # MAX(seq) is no range end and would read every row of the account).
            row = conn.execute(
                "SELECT seq FROM messages WHERE +username = ? ORDER BY seq DESC LIMIT 1", (username,)
            ).fetchone()
        return int(row[0]) if row else 0

    def messages_between(self, username: str, after: int, upto: int, limit: int) -> tuple[int, list[Message]]:
        """(the last seq read, up to `limit` messages of the account with after < seq <= upto, oldest first): one
        batch of an export, read by the seq index alone, so a million rows stream in constant memory."""
        with self.snapshot() as conn:
            rows = conn.execute(
                # `+username`: the seq range (the table's own order) must be what SQLite walks; an index on username
                # would read and sort the account's every row for each batch.
                f"SELECT seq, {_MESSAGE_SELECT} FROM messages WHERE seq > ? AND seq <= ? AND +username = ? "
                "ORDER BY seq LIMIT ?",
                (after, upto, username, limit),
            ).fetchall()
        return (rows[-1][0] if rows else upto), [_message(row[1:]) for row in rows]

    def message(self, username: str, message_id: str) -> Message | None:
        """One message of the account, or None (another account's included)."""
        with self.snapshot() as conn:
            row = conn.execute(
                f"SELECT {_MESSAGE_SELECT} FROM messages WHERE username = ? AND message_id = ?", (username, message_id)
            ).fetchone()
        return None if row is None else _message(row)

    def unread_receipts(self, username: str, now: float, limit: int, offset: int) -> tuple[int, list[Message]]:
        """(total, page) of the account's messages whose receipt is visible and unread, newest receipt first."""
        where = f"username = :username AND read_at IS NULL AND {RECEIPT_VISIBLE_SQL}"  # messages_unread's range
        params = {"username": username, "now": now}
        with self.snapshot() as conn:
            # The kept count less the receipts still ahead of now (the newest end of messages_unread: a few seconds'
            # sends and the schedules), not a count of every unread receipt (most of a big account's rows).
            kept = conn.execute("SELECT unread_receipts FROM accounts WHERE username = ?", (username,)).fetchone()
            ahead = conn.execute(
                f"SELECT COUNT(*) FROM messages WHERE username = :username AND {_UNREAD_RECEIPT_SQL} "
                "AND receipt_at > :now",
                params,
            ).fetchone()[0]
            total = (int(kept[0]) if kept else 0) - int(ahead)
            rows = conn.execute(
                f"SELECT {_MESSAGE_SELECT} FROM messages WHERE {where} ORDER BY receipt_at DESC, seq DESC "
                "LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            ).fetchall()
        return total, [_message(row) for row in rows]

    def export(self, token: str) -> ExportLink | None:
        with self.snapshot() as conn:
            row = conn.execute(f"SELECT {_columns(ExportLink)} FROM exports WHERE token = ?", (token,)).fetchone()
        return None if row is None else ExportLink(*row)

    def upload(self, file_name: str) -> Upload | None:
        with self.snapshot() as conn:
            row = conn.execute(f"SELECT {_columns(Upload)} FROM uploads WHERE file_name = ?", (file_name,)).fetchone()
        return None if row is None else Upload(*row)
