"""The domain on its own: a message's lifecycle in Python and in SQL agree; a stored message comes back equal; body
limits come from the spec."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from pathlib import Path

import pytest
from clicksend_mms_sandbox.gsm import GSM7_BASIC, GSM7_EXTENSION, BodyLimits, is_gsm7
from clicksend_mms_sandbox.message import CANCELLABLE_SQL, RECEIPT_VISIBLE_SQL, STATUS_SQL, STATUS_WHERE, Message
from clicksend_mms_sandbox.spec import load_spec
from clicksend_mms_sandbox.store import Store

BASE = Message(
    message_id="ID", username="sandbox", user_id=1, to="+61437111222", body="b", subject="s", sender="", country="AU",
    custom_string="", from_email=None, list_id=None, media_url="https://example.com/a.jpg", price_e4=24_200,
    parts=1, date_added=1000, schedule=None, sent_at=1002.0, receipt_at=1007.0, outcome="delivered",
)  # fmt: skip
VARIANTS = [
    BASE,
    dataclasses.replace(BASE, outcome="failed"),
    dataclasses.replace(BASE, outcome="none", receipt_at=None),
    dataclasses.replace(BASE, schedule=1100, sent_at=1102.0, receipt_at=1107.0),
    dataclasses.replace(BASE, schedule=1100, sent_at=1102.0, receipt_at=1107.0, cancelled_at=1050.0),
    dataclasses.replace(BASE, cancelled_at=1001.0),
]
TIMES = [999.0, 1000.0, 1001.9, 1002.0, 1006.9, 1007.0, 1099.0, 1100.0, 1102.0, 1107.0, 5000.0]


def test_the_lifecycle_in_sql_is_the_lifecycle_in_python() -> None:
    conn = sqlite3.connect(":memory:")
    columns = [f'"{f.name}"' for f in dataclasses.fields(Message)]  # quoted: "to" is an SQL keyword
    conn.execute(f"CREATE TABLE messages ({', '.join(columns)})")
    checked = 0
    for message, now in itertools.product(VARIANTS, TIMES):
        conn.execute("DELETE FROM messages")
        conn.execute(f"INSERT INTO messages VALUES ({', '.join('?' for _ in columns)})", dataclasses.astuple(message))
        status, visible, cancellable = conn.execute(
            f"SELECT {STATUS_SQL}, {RECEIPT_VISIBLE_SQL}, {CANCELLABLE_SQL} FROM messages", {"now": now}
        ).fetchone()
        matching = [name for name, where in STATUS_WHERE.items()
                    if conn.execute(f"SELECT 1 FROM messages WHERE {where}", {"now": now}).fetchone()]  # fmt: skip
        assert matching == [status], (message, now)  # each status's predicate picks exactly its rows
        assert (status, bool(visible), bool(cancellable)) == (
            message.status(now), message.receipt_visible(now), message.cancellable(now)
        ), (message, now)  # fmt: skip
        checked += 1
    assert checked == len(VARIANTS) * len(TIMES)
    assert {m.status(t) for m in VARIANTS for t in TIMES} == {
        "Scheduled", "Queued", "Sent", "Completed", "Failed", "Cancelled"
    }  # fmt: skip


def test_a_stored_message_comes_back_as_it_went_in(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.db"))
    try:
        store.write_sync(lambda tx: tx.open_accounts({"sandbox": 10**8}))
        odd = dataclasses.replace(BASE, message_id="ODD", from_email="a@b.c", list_id=429, schedule=1100, body="日本")
        store.write_sync(lambda tx: tx.add_messages([BASE, odd], "sandbox", 48_400))
        assert store.messages("sandbox") == [BASE, odd]
        assert store.message("sandbox", "ODD") == odd and store.message("other", "ODD") is None
        assert store.balance("sandbox") == 10**8 - 48_400
    finally:
        store.close()


def test_body_limits_come_from_the_spec() -> None:
    limits = load_spec()["components"]["schemas"]["MmsMessageInput"]["properties"]["body"]["x-clicksend-truncate"]
    assert BodyLimits.from_spec(load_spec()) == BodyLimits(gsm7=limits["gsm7"], unicode=limits["unicode"])
    spec = {"components": {"schemas": {"MmsMessageInput": {"properties": {"body": {
        "x-clicksend-truncate": {"gsm7": 10, "unicode": 4}}}}}}}  # fmt: skip
    assert BodyLimits.from_spec(spec).truncate("x" * 20) == "x" * 10
    assert BodyLimits.from_spec(spec).truncate("é英" * 10) == "é英é英"


@pytest.mark.parametrize(
    ("text", "gsm"),
    [(GSM7_BASIC, True), (GSM7_EXTENSION, True), ("", True), ("`", False), ("\t", False), ("英", False),
     ("😀", False), ("Ç€[]", True)],
)  # fmt: skip
def test_gsm7(text: str, gsm: bool) -> None:
    assert is_gsm7(text) is gsm
