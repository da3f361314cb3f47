"""Bulk send: N messages in ClickSend-sized batches, bounded concurrency, results in input order.

Every message is checked against the spec before the first batch goes out: one bad message anywhere in the
list raises ``InvalidRequestError`` (with its index) and nothing is sent.

Why batches are safe to run concurrently but never blindly resent: each batch is its own send, retried
only on errors proving it was not accepted (connect failures, 429). A batch that fails otherwise may or may
not have been sent; ``BulkSendError`` says which, so the caller can check history instead of resending.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any, TypeVar

from . import _ops
from ._ops import MessageLike
from .exceptions import ClickSendError, ConfigurationError, RateLimitedError, UnexpectedResponseError
from .journal import IN_FLIGHT, SENT, TAG_FIELD, Journal, JournalError
from .models import MmsMessageResult, SendMmsData
from .reconcile import ReconcilePolicy
from .retry import RetryPolicy
from .send_account import SendAccount, SendCancelled, SendInterrupted

T = TypeVar("T")

if TYPE_CHECKING:
    from rich.progress import Progress

    from .async_facade import AsyncClickSend

# A bulk job may meet many 429s; give it more room than a single call before giving up.
BULK_RETRY = RetryPolicy(attempts=50, timeout=600.0, wait_initial=0.5, wait_max=15.0, max_retry_after=120.0)


@dataclasses.dataclass(frozen=True)
class BatchFailure:
    start: int
    stop: int
    error: ClickSendError
    may_have_been_sent: bool
    indexes: tuple[int, ...] = ()  # the batch's input indexes (start..stop-1 unless it was a resumed, scattered one)


class BulkSendError(ClickSendError):
    """Some batches failed. ``results[i]`` is None for messages whose batch failed or was never tried (or was sent by
    an earlier run of a journaled job). ``account`` says, by input index, what was sent, may have been sent, not sent.
    """

    def __init__(
        self,
        results: list[MmsMessageResult | None],
        failures: list[BatchFailure],
        account: SendAccount | None = None,
        journal: str | None = None,
    ) -> None:
        self.results = results
        self.failures = failures
        if account is None:  # built by hand: the failures say it all
            account = SendAccount()
            account.taken(range(len(results)))
            account.complete = True
            account.answered(i for i, r in enumerate(results) if r is not None)
            for failure in failures:
                if failure.may_have_been_sent:
                    account.leaving(failure.indexes or range(failure.start, failure.stop))
        self.account = account
        self.journal = journal
        self.may_have_been_sent = bool(account.may_have_been_sent)
        first = failures[0].error if failures else None
        first_line = str(first).split("\n", 1)[0] if first is not None else None
        text = f"bulk send incomplete: {account.summary()}; first error: {first_line}"
        if account.may_have_been_sent:
            text += (
                f"\nMessages {account.may_have_been_sent.describe()} (input indexes): {_ops.SEND_MAY_HAVE_BEEN_SENT}"
            )
        if account.not_sent:
            text += f"\nMessages {account.not_sent.describe()} (input indexes) were not sent: send them again."
        if journal:
            text += f"\nThe send journal is {journal}: resume with it to send the rest exactly once."
        super().__init__(text)


class _RateGate:
    """One 429 pauses every batch, not just the one that got it: the limit is per account. ``per_second`` spaces
    the starts of requests (a rate the caller chose), so a campaign need not meet ClickSend's limit at all."""

    def __init__(self, per_second: float | None = None) -> None:
        self._until = 0.0
        self._spacing = 1.0 / per_second if per_second else 0.0
        self._next_start = 0.0

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, time.monotonic() + seconds)

    async def wait(self) -> None:
        delay = self._until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def start(self) -> None:
        if self._spacing:
            now = time.monotonic()
            at = max(now, self._next_start)
            self._next_start = at + self._spacing
            if at > now:
                await asyncio.sleep(at - now)
        await self.wait()


OnAnswer = Callable[[list[int], SendMmsData], None]


async def leave_then_send(
    journal: Journal | None,
    indexes: list[int],
    tags: list[str],
    send: Callable[[int | None], Awaitable[SendMmsData]],
) -> SendMmsData:
    """The one ordering the journal's promise rests on: the batch is durably in flight before its request starts.
    ``send`` gets the batch's number in the journal (None without one)."""
    number = await journal.leave_durably(indexes, tags) if journal is not None else None
    return await send(number)


class Sender:
    """Runs batches from an iterator, at most ``concurrency`` at a time, keeping ``account`` (and the journal) true
    at every instant: a batch counts as may-have-been-sent from just before its request starts."""

    def __init__(
        self,
        client: AsyncClickSend,
        media_file: str,
        *,
        batch_size: int,
        concurrency: int,
        account: SendAccount,
        journal: Journal | None = None,
        rate: float | None = None,
        on_answer: OnAnswer | None = None,
        on_change: Callable[[SendAccount], None] | None = None,
    ) -> None:
        self.client = client
        self.media_file = media_file
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.account = account
        self.journal = journal
        self.failures: list[BatchFailure] = []
        self._gate = _RateGate(rate)
        self._on_answer = on_answer
        self._on_change = on_change or (lambda _account: None)

    async def run(self, source: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        tasks: set[asyncio.Task[None]] = set()
        try:
            for chunk in _chunks(source, self.batch_size):
                while len(tasks) >= self.concurrency and not self.failures:
                    _done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                if self.failures:  # stop on the first hard failure: batches not started are not sent
                    break
                indexes = [index for index, _ in chunk]
                self.account.taken(indexes)
                tasks.add(asyncio.ensure_future(self._batch(indexes, [message for _, message in chunk])))
            else:
                self.account.complete = True
            if tasks:
                await asyncio.wait(tasks)
        except BaseException:
            # Cancelled (Ctrl-C, SIGTERM, task cancellation, loop shutdown): stop every request now. Their batches
            # stay may-have-been-sent, in the account and in the journal alike.
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            raise

    async def _batch(self, indexes: list[int], messages: list[Mapping[str, Any]]) -> None:
        await self._gate.start()
        tags = [str(message.get(TAG_FIELD) or "") for message in messages]
        op = _ops.send(_ops.batch_request(messages, self.media_file))
        left: list[int | None] = []  # the batch's number in the journal, once it is there

        async def send(number: int | None) -> SendMmsData:
            left.append(number)
            self.account.leaving(indexes)
            self._on_change(self.account)
            return await _send_honouring_429(self.client, op, self._gate)

        try:
            data = await leave_then_send(self.journal, indexes, tags, send)
            _check_count(indexes, data)
        except ClickSendError as exc:
            number = left[0] if left else None
            failure = BatchFailure(min(indexes), max(indexes) + 1, exc, exc.may_have_been_sent, tuple(indexes))
            self.failures.append(failure)
            if exc.may_have_been_sent:
                if self.journal is not None and number is not None:
                    self.journal.maybe(number, str(exc).split("\n", 1)[0])
            else:
                if self.journal is not None and number is not None:
                    self.journal.refused(number, str(exc).split("\n", 1)[0])
                self.account.refused(indexes)
            self._on_change(self.account)
            return
        number = left[0] if left else None
        if self.journal is not None and number is not None:
            self.journal.answered(
                number, [(i, m.message_id, m.status) for i, m in zip(indexes, data.messages, strict=True)]
            )
        self.account.answered(indexes)
        if self._on_answer is not None:
            self._on_answer(indexes, data)
        self._on_change(self.account)


def _chunks(
    source: Iterable[tuple[int, Mapping[str, Any]]], size: int
) -> Iterator[list[tuple[int, Mapping[str, Any]]]]:
    chunk: list[tuple[int, Mapping[str, Any]]] = []
    for item in source:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def send_bulk(
    client: AsyncClickSend,
    messages: Sequence[MessageLike],
    *,
    media_file: str,
    batch_size: int = _ops.MAX_BATCH,
    concurrency: int = 8,
    progress: bool | Callable[[int], None] = False,
    journal: str | os.PathLike[str] | None = None,
    reconcile: ReconcilePolicy | None = None,
    rate: float | None = None,
) -> list[MmsMessageResult]:
    if not 1 <= batch_size <= _ops.MAX_BATCH:
        raise ValueError(f"batch_size must be 1..{_ops.MAX_BATCH}")
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    bar = _Progress(progress, len(messages))  # before anything is sent: it may need rich
    wire = _ops.require_valid_bulk(messages, media_file)
    results: list[MmsMessageResult | None] = [None] * len(messages)

    def place(indexes: list[int], data: SendMmsData) -> None:
        for index, result in zip(indexes, data.messages, strict=True):
            results[index] = result

    async def send_all(
        account: SendAccount, job: Journal | None, items: Iterable[tuple[int, Mapping[str, Any]]]
    ) -> None:
        where = None if job is None else str(job.path)
        with bar as advance:
            sender = Sender(
                client,
                media_file,
                batch_size=batch_size,
                concurrency=concurrency,
                account=account,
                journal=job,
                rate=rate,
                on_answer=place,
                on_change=lambda a: advance(len(a.sent)),
            )
            await run_interruptible(sender.run(items), account, where)
        if sender.failures:
            raise BulkSendError(results, sorted(sender.failures, key=lambda f: f.start), account, where)

    if journal is None:
        account = SendAccount()
        account.taken(range(len(wire)))  # in memory: whatever no batch took was not sent
        account.complete = True
        await send_all(account, None, enumerate(wire))
    else:
        with open_job(journal, media_file, wire) as job:
            await reconcile_job(client, job, reconcile or ReconcilePolicy())
            await send_all(account_of(job), job, job.to_send())
    return [r for r in results if r is not None]


def open_job(path: str | os.PathLike[str], media_file: str, wire: Iterable[Mapping[str, Any]]) -> Journal:
    """The journal at ``path``: a new job written from ``wire``, or the existing one (which must be this job)."""
    job = Journal.open(path)
    try:
        if job.count is None:
            job.create(media_file, wire)
        elif job.media_file != media_file or (isinstance(wire, Sized) and len(wire) != job.count):
            raise JournalError(
                f"the send journal {path} holds another job ({job.count} messages with media_file {job.media_file}): "
                "resume it with the same messages and media_file, or give a new journal path"
            )
    except BaseException:
        job.close()
        raise
    return job


async def reconcile_job(client: AsyncClickSend, job: Journal, policy: ReconcilePolicy) -> None:
    from .reconcile import reconcile as run_reconcile

    await run_reconcile(client, job, policy)


_SAME_STATE = re.compile(rb"(.)\1*", re.DOTALL)


def account_of(job: Journal) -> SendAccount:
    """The account of a whole journaled job: earlier runs' sent messages count as sent."""
    account = SendAccount()
    sets = {SENT: account.sent, IN_FLIGHT: account.may_have_been_sent}  # pending and not sent: not_sent
    for run in _SAME_STATE.finditer(job.state):  # one range per run of equal states, not one call per message
        start, stop = run.span()
        sets.get(job.state[start], account.not_sent).add_range(start, stop)
    account.read = len(job.state)
    account.complete = True
    return account


async def run_interruptible(
    work: Awaitable[T], account: SendAccount | Callable[[], SendAccount], journal: str | None
) -> T:
    """Run ``work``; when SIGINT / SIGTERM / cancellation stops it, raise the account (send_account's exceptions).

    In the main thread the two signals are caught for the duration (then the previous handlers are back; the
    first signal restores them at once, so a second Ctrl-C acts as it did before) and turned into cancelling
    this task, so every request is stopped and counted before the program stops. ``account`` may be a callable
    giving the account as it is when the interruption comes (a resume's changes while it reconciles)."""
    current = account if callable(account) else (lambda: account)
    task = asyncio.current_task()
    caught: list[str] = []
    restore: dict[int, Any] = {}
    if task is not None and threading.current_thread() is threading.main_thread():
        loop = asyncio.get_running_loop()

        def on_signal(signum: int, _frame: object) -> None:
            caught.append(signal.Signals(signum).name)
            for number, previous in restore.items():
                signal.signal(number, previous)
            loop.call_soon_threadsafe(task.cancel)

        for sig in (signal.SIGINT, signal.SIGTERM):
            restore[sig] = signal.getsignal(sig)
            signal.signal(sig, on_signal)
    try:
        return await work
    except asyncio.CancelledError:
        final = current()
        final.reason = caught[0] if caught else "cancelled"
        if caught:
            if task is not None:
                task.uncancel()
            raise SendInterrupted(caught[0], final, journal) from None
        raise SendCancelled(final, journal) from None
    except KeyboardInterrupt as exc:  # raised in this thread by a handler of the caller's
        final = current()
        final.reason = str(exc) or "SIGINT"
        raise SendInterrupted(final.reason, final, journal) from None
    finally:
        for number, previous in restore.items():
            signal.signal(number, previous)


async def _send_honouring_429(client: AsyncClickSend, op: _ops.Op[SendMmsData], gate: _RateGate) -> SendMmsData:
    retries = client._retries(op, BULK_RETRY)
    while True:
        await gate.wait()
        try:
            return await client._once(op)
        except ClickSendError as exc:
            if isinstance(exc, RateLimitedError):
                gate.pause(exc.retry_after if exc.retry_after is not None else 1.0)
            wait = retries.wait_after(exc)
            if wait is None:
                raise
        await asyncio.sleep(wait)


def _check_count(indexes: list[int], data: SendMmsData) -> None:
    # ClickSend answers one result per message, in request order; anything else cannot be mapped back.
    if len(data.messages) != len(indexes):
        error = UnexpectedResponseError(
            f"batch of input indexes {min(indexes)}..{max(indexes)}: {len(data.messages)} results for "
            f"{len(indexes)} messages",
            http_code=200,
        )
        error.flag_may_have_been_sent(_ops.SEND_MAY_HAVE_BEEN_SENT)  # a 200: ClickSend had the batch
        raise error


# rich is the [cli] extra's, not the client's: a bar needs it, and its absence must show before anything is sent.
def rich_missing() -> str:
    from clicksend_mms_spec.distribution import pip_install

    return (
        f"progress=True draws a rich progress bar, and rich is not installed: {pip_install('cli')}, or pass "
        "progress=a callable that receives the number of messages done. Nothing was sent."
    )


class _Progress:
    """A rich progress bar (progress=True), a user callback, or nothing.

    rich is imported here, when the bar is asked for, so that ``send_bulk`` raises before the first batch goes
    out rather than after the last one came back (a send that looks failed invites a resend).
    """

    def __init__(self, progress: bool | Callable[[int], None], total: int) -> None:
        self._callback = progress if callable(progress) else None
        self._bar: Progress | None = None
        if self._callback is None and progress:
            try:
                from rich.progress import Progress
            except ImportError:
                raise ConfigurationError(rich_missing()) from None
            self._bar = Progress()
            self._task = self._bar.add_task("sending MMS", total=total)

    def __enter__(self) -> Callable[[int], None]:
        if self._callback is not None:
            return self._callback
        bar = self._bar
        if bar is None:
            return lambda _done: None
        bar.start()
        return lambda done: bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
