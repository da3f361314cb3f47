"""Bulk send over a fake: batching, order, 429s, and what a failure reports."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from clicksend_mms import AsyncClickSend, BulkSendError, RetryPolicy

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope

MEDIA = "https://example.com/a.jpg"


def messages(n: int) -> list[dict[str, str]]:
    return [{"to": f"+6141{i:07d}", "subject": "s", "body": f"m{i}", "custom_string": str(i)} for i in range(n)]


def run_bulk(fake: FakeClickSend, n: int, **kwargs: object) -> list[str]:
    async def main() -> list[str]:
        async with AsyncClickSend("u", "k", transport=fake.transport(), retry=FAST) as client:
            results = await client.send_bulk(messages(n), media_file=MEDIA, **kwargs)  # type: ignore[arg-type]
            return [r.custom_string or "" for r in results]

    return asyncio.run(main())


def test_batches_and_order() -> None:
    fake = FakeClickSend()
    seen: list[int] = []
    order = run_bulk(fake, 2501, concurrency=3, progress=seen.append)
    assert order == [str(i) for i in range(2501)]
    sizes = sorted(len(json.loads(r.content)["messages"]) for r in fake.requests)
    assert sizes == [501, 1000, 1000]
    assert seen[-1] == 2501


def test_429_is_waited_out_and_resent_once() -> None:
    fake = FakeClickSend()
    fake.script.append(
        envelope(None, http_code=429, code="HTTP_TOO_MANY_REQUESTS", msg="slow", **{"Retry-After": "0.2"})
    )
    assert len(run_bulk(fake, 1500, batch_size=500)) == 1500
    assert len(fake.sent) == 1500  # the refused batch was resent exactly once


def test_failure_reports_what_may_have_been_sent() -> None:
    fake = FakeClickSend()

    def flaky(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["messages"][0]["custom_string"] == "1000":
            raise httpx.ReadTimeout("answer lost")
        return fake.serve(request)

    fake.script += [flaky] * 3
    with pytest.raises(BulkSendError) as info:
        run_bulk(fake, 3000, concurrency=1)
    exc = info.value
    assert [(f.start, f.stop, f.may_have_been_sent) for f in exc.failures] == [(1000, 2000, True)]
    assert all(r is not None for r in exc.results[:1000])
    assert all(r is None for r in exc.results[1000:])  # later batches were not started
    assert "1000 may have been sent" in str(exc) and exc.may_have_been_sent
    assert "Messages 1000..1999 (input indexes): The messages may have been sent" in str(exc)
    assert "custom_string" in str(exc) and "not sent: send them again" in str(exc)


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        run_bulk(FakeClickSend(), 1, batch_size=1001)


def test_a_refused_batch_is_not_may_have_been_sent() -> None:
    fake = FakeClickSend()
    fake.script.append(envelope({"messages.0.to": ["bad"]}, http_code=400, code="BAD_REQUEST", msg="Bad"))
    with pytest.raises(BulkSendError) as info:
        run_bulk(fake, 10, concurrency=1, batch_size=5)
    assert not info.value.may_have_been_sent and not info.value.failures[0].may_have_been_sent
    assert "0 may have been sent" in str(info.value) and "history" not in str(info.value)


def test_disabled_policy_still_bulk_sends() -> None:
    async def main() -> int:
        async with AsyncClickSend("u", "k", transport=FakeClickSend().transport(), retry=RetryPolicy.disabled()) as c:
            return len(await c.send_bulk(messages(10), media_file=MEDIA, batch_size=3))

    assert asyncio.run(main()) == 10
