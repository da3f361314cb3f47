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
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from . import _ops
from ._ops import MessageLike
from .exceptions import ClickSendError, ConfigurationError, RateLimitedError, UnexpectedResponseError
from .models import MmsMessageResult, SendMmsData
from .retry import RetryPolicy

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


class BulkSendError(ClickSendError):
    """Some batches failed. ``results[i]`` is None for messages whose batch failed or was never tried."""

    def __init__(self, results: list[MmsMessageResult | None], failures: list[BatchFailure]) -> None:
        self.results = results
        self.failures = failures
        maybe = sum(f.stop - f.start for f in failures if f.may_have_been_sent)
        unsent = sum(1 for r in results if r is None) - maybe
        self.may_have_been_sent = maybe > 0
        first = failures[0].error if failures else None
        first_line = str(first).split("\n", 1)[0] if first is not None else None
        text = (
            f"bulk send incomplete: {len(results) - maybe - unsent} sent, {maybe} may have been sent, {unsent} not "
            f"sent; first error: {first_line}"
        )
        if maybe:
            ranges = ", ".join(f"{f.start}..{f.stop - 1}" for f in failures if f.may_have_been_sent)
            text += f"\nMessages {ranges} (input indexes): {_ops.SEND_MAY_HAVE_BEEN_SENT}"
        if unsent:
            text += "\nMessages whose result is None and are not listed above were not sent: send them again."
        super().__init__(text)


class _RateGate:
    """One 429 pauses every batch, not just the one that got it: the limit is per account."""

    def __init__(self) -> None:
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, time.monotonic() + seconds)

    async def wait(self) -> None:
        delay = self._until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def send_bulk(
    client: AsyncClickSend,
    messages: Sequence[MessageLike],
    *,
    media_file: str,
    batch_size: int = _ops.MAX_BATCH,
    concurrency: int = 8,
    progress: bool | Callable[[int], None] = False,
) -> list[MmsMessageResult]:
    if not 1 <= batch_size <= _ops.MAX_BATCH:
        raise ValueError(f"batch_size must be 1..{_ops.MAX_BATCH}")
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    bar = _Progress(progress, len(messages))  # before anything is sent: it may need rich
    wire = _ops.require_valid_bulk(messages, media_file)
    results: list[MmsMessageResult | None] = [None] * len(messages)
    failures: list[BatchFailure] = []
    gate = _RateGate()
    semaphore = asyncio.Semaphore(concurrency)
    stop = asyncio.Event()  # set on the first hard failure: batches not yet started are not sent
    done = 0

    with bar as advance:

        async def one_batch(start: int) -> None:
            nonlocal done
            end = min(start + batch_size, len(messages))
            async with semaphore:
                if stop.is_set():
                    return
                op = _ops.send(_ops.batch_request(wire[start:end], media_file))
                try:
                    data = await _send_honouring_429(client, op, gate)
                    _place(results, start, end, data)
                except ClickSendError as exc:
                    stop.set()
                    # The facade flags errors after which the batch may have been sent (exceptions.reached_server).
                    failures.append(BatchFailure(start, end, exc, may_have_been_sent=exc.may_have_been_sent))
                    return
            done += end - start
            advance(done)

        await asyncio.gather(*(one_batch(start) for start in range(0, len(messages), batch_size)))

    if failures:
        raise BulkSendError(results, sorted(failures, key=lambda f: f.start))
    return [r for r in results if r is not None]


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


def _place(results: list[MmsMessageResult | None], start: int, end: int, data: SendMmsData) -> None:
    # ClickSend answers one result per message, in request order; anything else cannot be mapped back.
    if len(data.messages) != end - start:
        error = UnexpectedResponseError(
            f"batch {start}..{end}: {len(data.messages)} results for {end - start} messages", http_code=200
        )
        error.flag_may_have_been_sent(_ops.SEND_MAY_HAVE_BEEN_SENT)  # a 200: ClickSend had the batch
        raise error
    results[start:end] = data.messages


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
