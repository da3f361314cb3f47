"""Each guarantee of an interrupted send, proven by the planted bug it catches (tests/interrupt/mutants.py).

In-process sandbox, no timing: the send is interrupted while a chosen batch is in flight (delivered and committed,
its answer never coming), then resumed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms.journal import Journal
from clicksend_mms.reconcile import ReconcilePolicy, UnknownFateError
from clicksend_mms.send_account import SendCancelled
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import AsyncSandboxTransport

from tests.interrupt import mutants
from tests.interrupt.inprocess import MEDIA, HangOnSend, LaggingHistory, client, messages, stored_tags

COUNT, BATCH = 30, 10  # batches 0..9, 10..19 (in flight when interrupted), 20..29 (never left)
SETTLED = ReconcilePolicy(history_lag=0.0, timeout=0.0, poll_interval=0.0)  # the sandbox lists a send at once


def interrupt_in_flight(app: Any, journal: Path | None) -> SendCancelled:
    async def main() -> SendCancelled:
        hang = HangOnSend(AsyncSandboxTransport(app), hang_at=1)
        async with client(hang) as c:
            task = asyncio.ensure_future(
                c.send_bulk(messages(COUNT), media_file=MEDIA, batch_size=BATCH, concurrency=1, journal=journal)
            )
            await hang.reached.wait()
            task.cancel()
            with pytest.raises(SendCancelled) as info:
                await task
            return info.value

    return asyncio.run(main())


def resume(app: Any, journal: Path, policy: ReconcilePolicy = SETTLED, lagging: bool = False) -> None:
    async def main() -> None:
        transport: Any = AsyncSandboxTransport(app)
        async with client(LaggingHistory(transport) if lagging else transport) as c:
            await c.send_bulk(messages(COUNT), media_file=MEDIA, batch_size=BATCH, journal=journal, reconcile=policy)

    asyncio.run(main())


def stored(app: Any) -> dict[str, int]:
    return dict(asyncio.run(stored_tags(app)))


@pytest.fixture(params=[None, *mutants.MUTANTS])
def mutant(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    name: str | None = request.param
    if name is not None:
        mutants.apply(name, monkeypatch.setattr)
    return name


def test_the_account_counts_the_batch_in_flight_as_may_have_been_sent(mutant: str | None, tmp_path: Path) -> None:
    app = create_app()
    account = interrupt_in_flight(app, tmp_path / "job.journal").account
    on_server = {int(tag.rsplit("-", 1)[1]) for tag in stored(app)}
    agrees = set(account.sent) <= on_server and not on_server & set(account.not_sent)
    if mutant == "account-in-flight-as-not-sent":
        assert not agrees  # caught: messages reported not sent are stored
        return
    assert agrees and list(account.may_have_been_sent) == list(range(10, 20))
    assert list(account.sent) == list(range(10)) and list(account.not_sent) == list(range(20, 30))


def test_resume_sends_every_message_exactly_once(mutant: str | None, tmp_path: Path) -> None:
    app = create_app()
    journal = tmp_path / "job.journal"
    interrupt_in_flight(app, journal)
    with Journal.open(journal) as job:
        in_flight = sorted(i for batch in job.in_flight.values() for i in batch.indexes)
    resume(app, journal)
    counts = stored(app)
    exactly_once = sorted(counts.values()) == [1] * COUNT
    if mutant in ("journal-after-send", "resume-ignores-in-flight"):
        assert not exactly_once  # caught: the batch in flight was sent twice
        return
    assert in_flight == list(range(10, 20))
    assert exactly_once, counts


def test_reconcile_never_resends_what_history_does_not_show_yet(mutant: str | None, tmp_path: Path) -> None:
    app = create_app()
    journal = tmp_path / "job.journal"
    interrupt_in_flight(app, journal)
    lagging = ReconcilePolicy(history_lag=3600.0, timeout=0.0, poll_interval=0.0)
    if mutant == "reconcile-resends-unknown":
        resume(app, journal, lagging, lagging=True)
        assert max(stored(app).values()) == 2  # caught: a message history did not show yet was sent again
        return
    if mutant in ("resume-ignores-in-flight", "journal-after-send"):
        return  # these resend before reconcile is asked anything: the test above catches them
    with pytest.raises(UnknownFateError) as info:
        resume(app, journal, lagging, lagging=True)
    assert list(info.value.indexes) == list(range(10, 20)) and "10..19" in str(info.value)
    assert sorted(stored(app).values()) == [1] * 20  # nothing more was sent
    forced = ReconcilePolicy(history_lag=3600.0, timeout=0.0, poll_interval=0.0, force=True)
    resume(app, journal, forced, lagging=True)  # the user's choice: may send twice, and here does
    assert sorted(stored(app).values()) == [1] * 20 + [2] * 10


def test_a_second_process_cannot_resume_the_same_job(tmp_path: Path) -> None:
    from clicksend_mms.journal import JournalLockedError

    journal = tmp_path / "job.journal"
    with Journal.open(journal), pytest.raises(JournalLockedError, match="in use by another process"):
        Journal.open(journal)  # flock is per open file description: a second open in one process conflicts too


def test_a_failed_batch_is_recorded_as_itself_while_others_are_in_flight(tmp_path: Path) -> None:
    """Batch 0 is refused only after batch 1 has left: the refusal must land on batch 0, not the latest batch."""
    import httpx

    app = create_app()

    class RefuseFirstLate(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = AsyncSandboxTransport(app)
            self.second = asyncio.Event()
            self.sends = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/mms/send"):
                self.sends += 1
                # Batch 0 by its content, not by arrival: which batch's request starts first is the scheduler's.
                if json.loads(request.content)["messages"][0]["custom_string"] == "t-0":
                    await self.second.wait()
                    body = {"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": "no", "data": {}}
                    return httpx.Response(400, json=body, request=request)
                self.second.set()
            return await self.inner.handle_async_request(request)

    journal = tmp_path / "job.journal"

    async def main() -> None:
        async with client(RefuseFirstLate()) as c:
            await c.send_bulk(messages(20), media_file=MEDIA, batch_size=10, concurrency=2, journal=journal)

    from clicksend_mms import BulkSendError
    from clicksend_mms.journal import NOT_SENT, SENT

    with pytest.raises(BulkSendError) as info:
        asyncio.run(main())
    assert list(info.value.account.not_sent) == list(range(10)) and list(info.value.account.sent) == list(range(10, 20))
    with Journal.open(journal) as job:
        assert list(job.state) == [NOT_SENT] * 10 + [SENT] * 10
