"""What became of each message of a send that did not finish: sent, may have been sent, not sent, by input index.

One account for every way a send ends early: a failed batch (``BulkSendError``), Ctrl-C / SIGTERM
(``SendInterrupted``, a ``KeyboardInterrupt``), task cancellation or the event loop shutting down
(``SendCancelled``, an ``asyncio.CancelledError``). A message is "may have been sent" from the moment its batch
may have left (its request was started) until an answer proves what happened: counting such a message as not sent
would invite the resend ClickSend cannot deduplicate.

Why two interruption classes that are not ``ClickSendError``: Ctrl-C must still stop a program whose code says
``except Exception`` (so ``SendInterrupted`` is a ``KeyboardInterrupt``), and a cancelled task must still look
cancelled to asyncio (``SendCancelled`` is a ``CancelledError``). Both carry ``.account``.
"""

from __future__ import annotations

import asyncio
import bisect
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._ops import Op


def runs(indexes: Iterable[int]) -> Iterator[tuple[int, int]]:
    """The indexes as half-open runs of consecutive numbers, in the order given: a batch is usually one run, so the
    account does one range operation per batch instead of one per message."""
    if isinstance(indexes, range) and indexes.step == 1:
        if indexes:
            yield indexes.start, indexes.stop
        return
    start = stop = -1  # no run yet (indexes are never negative)
    for index in indexes:
        if index == stop:
            stop += 1
            continue
        if stop > start:
            yield start, stop
        start, stop = index, index + 1
    if stop > start:
        yield start, stop


class IndexSet:
    """Input indexes as sorted, merged half-open ranges: a campaign's account stays small however long it is."""

    def __init__(self, indexes: Iterable[int] = ()) -> None:
        self._ranges: list[list[int]] = []
        for start, stop in runs(indexes):
            self.add_range(start, stop)

    def add(self, index: int) -> None:
        self.add_range(index, index + 1)

    def add_range(self, start: int, stop: int) -> None:
        if start >= stop:
            return
        ranges = self._ranges
        at = bisect.bisect_left(ranges, [start, start])
        if at > 0 and ranges[at - 1][1] >= start:  # touches the range before: grow that one
            at -= 1
            ranges[at][1] = max(ranges[at][1], stop)
        else:
            ranges.insert(at, [start, stop])
        while at + 1 < len(ranges) and ranges[at + 1][0] <= ranges[at][1]:  # swallow the ranges it now reaches
            ranges[at][1] = max(ranges[at][1], ranges.pop(at + 1)[1])

    def discard_range(self, start: int, stop: int) -> None:
        if start >= stop:
            return
        ranges = self._ranges
        first = max(bisect.bisect_right(ranges, [start, sys.maxsize]) - 1, 0)  # the range holding start, or after
        last = bisect.bisect_left(ranges, [stop, stop])  # the ranges from here on begin at or after stop
        pieces: list[list[int]] = []
        for low, high in ranges[first:last]:
            pieces.extend([s, e] for s, e in ((low, min(high, start)), (max(low, stop), high)) if s < e)
        ranges[first:last] = pieces

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        at = bisect.bisect_right(self._ranges, [index, sys.maxsize]) - 1
        return at >= 0 and self._ranges[at][0] <= index < self._ranges[at][1]

    def __len__(self) -> int:
        return sum(stop - start for start, stop in self._ranges)

    def __iter__(self) -> Iterator[int]:
        for start, stop in self._ranges:
            yield from range(start, stop)

    def ranges(self) -> list[tuple[int, int]]:
        return [(start, stop) for start, stop in self._ranges]

    def describe(self) -> str:
        """``0..9, 20, 30..31``: inclusive, as a person reads indexes."""
        return ", ".join(f"{s}" if e - s == 1 else f"{s}..{e - 1}" for s, e in self._ranges)

    def to_json(self) -> list[list[int]]:
        return [[start, stop] for start, stop in self._ranges]


class SendAccount:
    """Per input index: sent (ClickSend answered), may have been sent (in flight), not sent (never left, or refused).

    ``read`` counts the messages taken from the input so far; ``complete`` is False when the send stopped before the
    input ended (a stream), and then every message after ``read`` was not sent either.
    """

    def __init__(self) -> None:
        self.sent = IndexSet()
        self.may_have_been_sent = IndexSet()
        self.not_sent = IndexSet()
        self.read = 0
        self.complete = False
        self.reason: str | None = None  # what ended the send early, when something did

    def taken(self, indexes: Iterable[int]) -> None:
        """Messages read from the input (not sent until a batch leaves with them)."""
        for start, stop in runs(indexes):
            self.not_sent.add_range(start, stop)
            self.read = max(self.read, stop)

    def leaving(self, indexes: Iterable[int]) -> None:
        """The batch's request is about to start: from now on its messages may have been sent."""
        for start, stop in runs(indexes):
            self.not_sent.discard_range(start, stop)
            self.may_have_been_sent.add_range(start, stop)

    def answered(self, indexes: Iterable[int]) -> None:
        for start, stop in runs(indexes):
            self.may_have_been_sent.discard_range(start, stop)
            self.not_sent.discard_range(start, stop)
            self.sent.add_range(start, stop)

    def refused(self, indexes: Iterable[int]) -> None:
        """An answer proved the batch was not accepted (a 4xx, or a connection that never opened)."""
        for start, stop in runs(indexes):
            self.may_have_been_sent.discard_range(start, stop)
            self.sent.discard_range(start, stop)
            self.not_sent.add_range(start, stop)

    @property
    def finished(self) -> bool:
        return self.complete and not self.may_have_been_sent and not self.not_sent

    def summary(self) -> str:
        rest = "" if self.complete else " (and every message after the ones read, not read yet)"
        return (
            f"{len(self.sent)} sent, {len(self.may_have_been_sent)} may have been sent, "
            f"{len(self.not_sent)} not sent{rest}"
        )

    def describe(self) -> str:
        """The summary and, per state, which input indexes."""
        lines = [self.summary()]
        if self.may_have_been_sent:
            lines.append(
                f"May have been sent (input indexes {self.may_have_been_sent.describe()}): ClickSend has no "
                "idempotency key, so sending them again could send them twice. Resume with the send journal, or "
                "look for them in the MMS history (by custom_string) before sending any again."
            )
        if self.not_sent:
            lines.append(f"Not sent (input indexes {self.not_sent.describe()}): safe to send again.")
        if not self.complete:
            lines.append(f"Not read from the input: every message from index {self.read} on (safe to send).")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "sent": len(self.sent),
            "may_have_been_sent": len(self.may_have_been_sent),
            "not_sent": len(self.not_sent),
            "read": self.read,
            "input_complete": self.complete,
            "reason": self.reason,
            "ranges": {
                "sent": self.sent.to_json(),
                "may_have_been_sent": self.may_have_been_sent.to_json(),
                "not_sent": self.not_sent.to_json(),
            },
        }


def all_may_have_been_sent(op: Op[Any]) -> SendAccount:
    """The account of one send request cut short: every message of it may have been sent."""
    account = SendAccount()
    count = len(op.request["json"]["messages"])
    account.taken(range(count))
    account.leaving(range(count))
    account.complete = True
    return account


class Interrupted:
    """Mixed into the interruption exceptions: the account of the send that was cut short."""

    account: SendAccount
    journal: str | None = None

    def _describe(self, cause: str, account: SendAccount, journal: str | None) -> str:
        self.account = account
        self.journal = journal
        text = f"send interrupted by {cause}: {account.describe()}"
        if journal:
            text += f"\nThe send journal is {journal}: resume with it to send the rest exactly once."
        return text


class SendInterrupted(Interrupted, KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM stopped a send; ``.account`` says what became of each message.

    A ``KeyboardInterrupt``: the program still stops unless it catches this on purpose."""

    def __init__(self, signal_name: str, account: SendAccount, journal: str | None = None) -> None:
        self.signal_name = signal_name
        super().__init__(self._describe(signal_name, account, journal))


class SendCancelled(Interrupted, asyncio.CancelledError):
    """The task running a send was cancelled (or its event loop shut down); ``.account`` as ``SendInterrupted``."""

    def __init__(self, account: SendAccount, journal: str | None = None) -> None:
        super().__init__(self._describe("task cancellation", account, journal))
