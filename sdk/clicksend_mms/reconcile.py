"""Resume's first step: find out, from ClickSend's MMS history, what became of the batches a journal has in flight.

Each in-flight message is looked for by its tag (``custom_string``) in the history of the job's time window: with
``q=custom_string:<tag>`` when few are missing (one small request each), else by walking the window's pages oldest
first (``date_from`` = when the first of them left, ``order_by=date_added:asc``, the spec's largest ``limit``), so
messages arriving meanwhile land after the pages already read. Found: sent. Absent once ClickSend has had
``history_lag`` seconds to show it: not sent, safe to send again. Absent sooner: its fate is unknown; reconcile
polls for at most ``timeout`` seconds and then refuses to resend it (``UnknownFateError``, naming the messages)
unless ``force=True``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .exceptions import ClickSendError
from .journal import TAG_FIELD, Journal, LeftBatch
from .request_check import parameter_rule
from .send_account import IndexSet

if TYPE_CHECKING:
    from .async_facade import AsyncClickSend

PAGE_LIMIT: int = parameter_rule("get_mms_history", "limit", "maximum")
Q_MAX_LENGTH: int = parameter_rule("get_mms_history", "q", "maxLength")
Q_SEPARATOR = ","  # q is field:value[,field:value]: a tag holding a comma cannot be asked for by q
BY_TAG_AT_MOST = 20  # above this many missing messages, one walk of the window costs fewer requests


@dataclasses.dataclass(frozen=True)
class ReconcilePolicy:
    """How resume decides what an in-flight batch did.

    ``history_lag``: seconds within which ClickSend's history shows an accepted message (absent after that: not
    sent). ``timeout``: how long to poll history for messages still absent. ``poll_interval``: seconds between
    polls. ``clock_skew``: slack on the window's start for this machine's clock against ClickSend's. ``force``:
    resend messages whose fate is still unknown after ``timeout`` (they may be sent twice)."""

    history_lag: float = 60.0
    timeout: float = 90.0
    poll_interval: float = 2.0
    clock_skew: float = 300.0
    force: bool = False


class UnknownFateError(ClickSendError):
    """Resume stopped before sending anything new: history does not show these messages yet, and ClickSend may still
    list them (history lags a just-accepted send). ``indexes`` are their input indexes."""

    may_have_been_sent = True

    def __init__(self, indexes: IndexSet, policy: ReconcilePolicy) -> None:
        self.indexes = indexes
        super().__init__(
            f"{len(indexes)} message(s) may have been sent (input indexes {indexes.describe()}): their batch left "
            f"less than {policy.history_lag:g} s before the last look at the MMS history, which may not list a "
            f"just-accepted message yet, and they were not there within {policy.timeout:g} s of polling. Nothing "
            "more was sent. Resume again later, when history has caught up; or force it (force=True, "
            "`--force`) to send them again knowing each may then be sent twice."
        )


def _settled(batch: LeftBatch, now: float, policy: ReconcilePolicy) -> bool:
    """History has had time to show the batch: a message of it still absent was not sent."""
    return now >= batch.at + policy.history_lag


def _q_usable(tag: str) -> bool:
    text = f"{TAG_FIELD}:{tag}"
    return Q_SEPARATOR not in tag and len(text) <= Q_MAX_LENGTH


async def _found_by_tag(client: AsyncClickSend, tags: set[str], since: int) -> set[str]:
    found: set[str] = set()
    if len(tags) <= BY_TAG_AT_MOST and all(_q_usable(tag) for tag in tags):
        for tag in tags:
            page = await client.history(q=f"{TAG_FIELD}:{tag}", date_from=since, limit=PAGE_LIMIT)
            if any(row.custom_string == tag for row in page.data):
                found.add(tag)
        return found
    async for row in client.iter_history(date_from=since, order_by="date_added:asc", limit=PAGE_LIMIT):
        if row.custom_string in tags:
            found.add(str(row.custom_string))
    return found


async def reconcile(
    client: AsyncClickSend,
    journal: Journal,
    policy: ReconcilePolicy,
    *,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Resolve every in-flight batch of ``journal`` (recorded in it); ``UnknownFateError`` for what stays unknown."""
    batches = list(journal.in_flight.values())
    if not batches:
        return
    since = int(min(batch.at for batch in batches) - policy.clock_skew)
    missing = {tag for batch in batches for tag in batch.tags}
    deadline = now() + policy.timeout
    while True:
        missing -= await _found_by_tag(client, missing, since)
        moment = now()
        open_batches = [b for b in batches if not _settled(b, moment, policy) and missing.intersection(b.tags)]
        if not missing or not open_batches or moment >= deadline:
            break
        await sleep(min(policy.poll_interval, max(0.0, deadline - moment)))
    unknown = IndexSet()
    moment = now()
    for batch in batches:
        sent = [i for i, tag in zip(batch.indexes, batch.tags, strict=True) if tag not in missing]
        absent = [i for i, tag in zip(batch.indexes, batch.tags, strict=True) if tag in missing]
        if not absent or _settled(batch, moment, policy):
            journal.reconciled(batch.number, sent, absent, [])
        elif policy.force:
            journal.reconciled(batch.number, sent, [], absent)
        else:
            for index in absent:
                unknown.add(index)
    if unknown:
        raise UnknownFateError(unknown, policy)
