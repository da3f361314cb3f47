"""An export streams the account's messages in batches: every row once, oldest first, one header, only the
account's own, and none sent after the link was opened (the batches never read past where it began)."""

from __future__ import annotations

import csv
import dataclasses
import io

import httpx
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.rules import EXPORT_BATCH
from clicksend_mms_sandbox.testing import DEFAULT, SECOND

from tests.sandbox.conftest import send
from tests.sandbox.test_domain import BASE


def test_an_export_of_several_batches_is_whole_and_in_order(client: httpx.Client, state: SandboxState) -> None:
    rows = 2 * EXPORT_BATCH + 1
    mine = [dataclasses.replace(BASE, message_id=f"M{i:06d}", username=DEFAULT.username) for i in range(rows)]
    for i in range(0, rows, 500):  # interleaved with another account's rows
        batch = mine[i : i + 500]
        other = dataclasses.replace(BASE, message_id=f"T{i:06d}", username=SECOND.username)
        state.store.write_sync(lambda tx, b=batch: tx.add_messages(b, DEFAULT.username, 0))  # type: ignore[misc]
        state.store.write_sync(lambda tx, o=other: tx.add_messages([o], SECOND.username, 0))  # type: ignore[misc]
    url = client.get("/mms/history/export", params={"filename": "all"}).json()["data"]["url"]
    with client.stream("GET", url.removeprefix("http://sandbox.local")) as response:
        assert response.status_code == 200
        send(client)  # sent while the file is being read: not in it
        text = response.read().decode("utf-8")
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["message_id"] for r in records] == [m.message_id for m in mine]
    assert text.count("message_id,") == 1
