"""SQLite state: messages, balances, exports, uploads. One connection behind a lock; every write is one
transaction, committed (WAL + synchronous=FULL) before the caller answers."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .settings import Account

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    balance_e4 INTEGER NOT NULL           -- money in 1/10000 of the currency unit: exact, like "2.4200"
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


@dataclass(frozen=True)
class Query:
    filters: Sequence[tuple[str, str]] = ()  # (field, value), already whitelisted
    order_field: str = "date_added"
    descending: bool = True
    date_from: int | None = None
    date_to: int | None = None


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        # One connection shared by the event loop and test threads, serialised by the lock; calls are short.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # an acknowledged send survives kill -9 / power loss
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: a request that fails half-way writes nothing."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _all(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._conn.execute(sql, params).fetchall()]

    def _one(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    # ---- accounts ----
    def ensure_accounts(self, accounts: Sequence[Account]) -> None:
        """Opening balances for new accounts; a persisted balance is kept across restarts."""
        with self.transaction() as conn:
            for account in accounts:
                conn.execute(
                    "INSERT OR IGNORE INTO accounts (username, balance_e4) VALUES (?, ?)",
                    (account.username, int(account.balance * 10000)),
                )

    @staticmethod
    def balance_in(conn: sqlite3.Connection, username: str) -> int:
        row = conn.execute("SELECT balance_e4 FROM accounts WHERE username = ?", (username,)).fetchone()
        return int(row[0]) if row else 0

    def balance(self, username: str) -> int:
        with self._lock:
            return self.balance_in(self._conn, username)

    # ---- messages ----
    @staticmethod
    def insert_messages(conn: sqlite3.Connection, rows: Sequence[dict[str, Any]], username: str, cost: int) -> None:
        conn.executemany(
            """INSERT INTO messages (message_id, username, user_id, to_number, body, subject, from_sender, country,
                   custom_string, from_email, list_id, media_url, price_e4, parts, date_added, schedule, sent_at,
                   receipt_at, outcome)
               VALUES (:message_id, :username, :user_id, :to_number, :body, :subject, :from_sender, :country,
                   :custom_string, :from_email, :list_id, :media_url, :price_e4, :parts, :date_added, :schedule,
                   :sent_at, :receipt_at, :outcome)""",
            rows,
        )
        if cost:
            conn.execute("UPDATE accounts SET balance_e4 = balance_e4 - ? WHERE username = ?", (cost, username))

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
        self, username: str, now: float, query: Query, limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        where, params = self._where(username, now, query)
        direction = "DESC" if query.descending else "ASC"
        order = f"{ORDER_FIELDS[query.order_field]} {direction}, seq {direction}"
        with self._lock:
            total = int(self._conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()[0])
            rows = self._all(
                f"SELECT *, {STATUS_SQL} AS status FROM messages WHERE {where} ORDER BY {order} "
                "LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
        return total, rows

    def all_messages(self, username: str, now: float) -> list[dict[str, Any]]:
        return self._all(
            f"SELECT *, {STATUS_SQL} AS status FROM messages WHERE username = :username ORDER BY seq",
            {"username": username, "now": now},
        )

    def message(self, username: str, message_id: str, now: float) -> dict[str, Any] | None:
        return self._one(
            f"SELECT *, {STATUS_SQL} AS status FROM messages WHERE username = :username AND message_id = :id",
            {"username": username, "id": message_id, "now": now},
        )

    def receipts(self, username: str, now: float, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        where = f"username = :username AND read_at IS NULL AND {_RECEIPT_VISIBLE}"
        params = {"username": username, "now": now}
        with self._lock:
            total = int(self._conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()[0])
            rows = self._all(
                f"SELECT * FROM messages WHERE {where} ORDER BY receipt_at DESC, seq DESC LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
        return total, rows

    def mark_read(self, username: str, now: float, before: int | None) -> int:
        sql = (
            f"UPDATE messages SET read_at = :now WHERE username = :username AND read_at IS NULL AND {_RECEIPT_VISIBLE}"
        )
        if before is not None:
            sql += " AND receipt_at < :before"
        with self.transaction() as conn:
            return conn.execute(sql, {"username": username, "now": now, "before": before}).rowcount

    def cancel(self, username: str, now: float, message_id: str | None) -> int:
        """Cancel one scheduled message (or all when message_id is None) and refund it. Returns the count."""
        where = f"username = :username AND {_SCHEDULED}"
        params: dict[str, Any] = {"username": username, "now": now}
        if message_id is not None:
            where += " AND message_id = :id"
            params["id"] = message_id
        with self.transaction() as conn:
            refund = int(
                conn.execute(f"SELECT COALESCE(SUM(price_e4), 0) FROM messages WHERE {where}", params).fetchone()[0]
            )
            count = conn.execute(f"UPDATE messages SET cancelled_at = :now WHERE {where}", params).rowcount
            if refund:
                conn.execute("UPDATE accounts SET balance_e4 = balance_e4 + ? WHERE username = ?", (refund, username))
        return count

    # ---- exports ----
    def add_export(self, token: str, username: str, filename: str, expires_at: float) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO exports VALUES (?, ?, ?, ?)", (token, username, filename, expires_at))

    def export(self, token: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM exports WHERE token = ?", (token,))

    # ---- uploads ----
    def add_upload(self, row: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO uploads VALUES (:upload_id, :username, :user_id, :file_name, :content_type, :content,
                       :date_added, :date_delete)""",
                row,
            )

    def upload(self, file_name: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM uploads WHERE file_name = ?", (file_name,))
