"""Walking every page: sync and async, filters forwarded, stopping at last_page / last_page 0 / empty pages."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from clicksend_mms import AsyncClickSend, ClickSend

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope, page, record


@pytest.mark.parametrize("rows", [0, 1, 99, 100, 101, 250])
def test_every_row_once_sync(rows: int) -> None:
    fake = FakeClickSend(rows)
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    ids = [r.message_id for r in client.iter_history(limit=100)]
    assert ids == [f"ID-{i:05d}" for i in range(rows)]
    assert len(fake.requests) == max(1, (rows + 99) // 100)
    assert [r.message_id for r in client.iter_receipts(limit=100)] == ids


@pytest.mark.parametrize("rows", [0, 250])
def test_every_row_once_async(rows: int) -> None:
    fake = FakeClickSend(rows)

    async def main() -> tuple[list[str], list[str]]:
        async with AsyncClickSend("u", "k", transport=fake.transport(), retry=FAST) as client:
            history = [r.message_id async for r in client.iter_history(limit=15)]
            receipts = [r.message_id async for r in client.iter_receipts(limit=15)]
            return history, receipts

    history, receipts = asyncio.run(main())
    assert history == receipts == [f"ID-{i:05d}" for i in range(rows)]


def test_filters_are_forwarded_to_every_page() -> None:
    fake = FakeClickSend(40)
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    rows = list(client.iter_history(q="status:Sent", order_by="date:asc", date_from=10, date_to=20, limit=15))
    assert len(rows) == 40
    for i, request in enumerate(fake.requests, start=1):
        assert dict(request.url.params) == {
            "q": "status:Sent",
            "order_by": "date:asc",
            "date_from": "10",
            "date_to": "20",
            "page": str(i),
            "limit": "15",
        }


def test_last_page_zero_stops() -> None:
    fake = FakeClickSend()
    fake.script.append(lambda r: envelope(page([record(1)], 1, 15, last_page=0)))
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    assert [r.message_id for r in client.iter_history()] == ["ID-00001"]
    assert len(fake.requests) == 1


def test_empty_page_before_last_page_stops() -> None:
    fake = FakeClickSend()
    fake.script += [
        lambda r: envelope(page([record(1)], 1, 15, last_page=5)),
        lambda r: envelope(page([], 2, 15, last_page=5)),
    ]
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    assert len(list(client.iter_history())) == 1
    assert len(fake.requests) == 2


def test_server_ignoring_page_does_not_loop_or_repeat() -> None:
    fake = FakeClickSend()
    stuck = envelope(page([record(1), record(2)], 1, 2, last_page=3))
    fake.script += [lambda r: stuck] * 5
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    assert [r.message_id for r in client.iter_history()] == ["ID-00001", "ID-00002"]
    assert len(fake.requests) == 2


def test_rows_shifting_across_pages_are_not_repeated() -> None:
    # A new message arrives between page 1 and page 2 (newest first): page 2 starts with page 1's last row.
    fake = FakeClickSend()
    first = [record(i) for i in range(0, 15)]
    second = [record(14), *[record(i) for i in range(15, 20)]]
    fake.script += [
        lambda r: envelope(page(first, 1, 15, last_page=2)),
        lambda r: envelope({**page(second, 1, 15), "current_page": 2, "last_page": 2}),
    ]
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    assert [r.message_id for r in client.iter_history()] == [f"ID-{i:05d}" for i in range(20)]


def test_history_pages_yield_pages() -> None:
    fake = FakeClickSend(31)
    client = ClickSend("u", "k", transport=fake.transport(), retry=FAST)
    assert [len(p.data) for p in client.history_pages(limit=15)] == [15, 15, 1]
    assert client.history(page=3, limit=15).current_page == 3
    assert isinstance(fake.requests[0], httpx.Request)
