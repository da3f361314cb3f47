"""The planted bugs the interruption guarantees are proven against: each one breaks exactly one guarantee.

Applied with pytest's ``monkeypatch`` (tests here) or by name (``python -m tests.interrupt.trials --mutant NAME``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from clicksend_mms import bulk, journal, reconcile, send_account


async def _journal_after_send(
    job: journal.Journal | None, indexes: list[int], tags: list[str], send: Callable[[int | None], Awaitable[Any]]
) -> Any:
    left: list[int] = []

    async def numbered(_none: int | None) -> Any:
        data = await send(None)  # the bug: the batch is recorded only once its answer is back
        if job is not None:
            left.append(job.leave(indexes, tags))
        return data

    data = await numbered(None)
    if left and job is not None:  # what the journal would then hold: the batch, answered
        job.answered(left[0], [(i, None, None) for i in indexes])
    return data


async def _ignore_in_flight(*_args: object, **_kwargs: object) -> None:
    return None


def _leaving_stays_not_sent(self: send_account.SendAccount, indexes: Any) -> None:
    return None  # the bug: a batch whose request started still counts as not sent


def _always_settled(*_args: object) -> bool:
    return True  # the bug: history that does not show a message yet is taken as proof it was not sent


# name -> [(object, attribute, replacement)]
MUTANTS: dict[str, list[tuple[object, str, object]]] = {
    "journal-after-send": [(bulk, "leave_then_send", _journal_after_send)],
    "resume-ignores-in-flight": [
        (bulk, "reconcile_job", _ignore_in_flight),
        (journal, "RESENDABLE", frozenset({journal.PENDING, journal.NOT_SENT, journal.IN_FLIGHT})),
    ],
    "account-in-flight-as-not-sent": [(send_account.SendAccount, "leaving", _leaving_stays_not_sent)],
    "reconcile-resends-unknown": [(reconcile, "_settled", _always_settled)],
}


def apply(name: str, setattr_: Callable[[object, str, object], None] = setattr) -> None:
    for target, attribute, replacement in MUTANTS[name]:
        setattr_(target, attribute, replacement)
