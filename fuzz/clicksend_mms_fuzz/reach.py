"""Reach: make the operations that need a stored message actually meet one.

A generated `message_id` is a random string: receipt-by-id and cancel answer 404 to nearly all of them, so their
logic past the lookup is only reached through the stateful links. In the fuzzing and stateful phases a positive
case's random id is therefore replaced, in `before_call`, by one the run knows (deterministically in the
generated value, like `formats.future_schedules`): most often a message of the account (for cancel, a
scheduled one: 60%, any: 25%), sometimes the other account's canary (5-15%); 10% stay random (the 404 path).

Receipts-read's `date_before` is likewise moved between the times of the unread receipts, so that it marks some and
keeps some. And half the receipts lists that ask for a page past the first ask for the first: the unread receipts
are there, and only until the next receipts-read, so a random page (1..1,000,000) would almost never show them.

The fuzzing phase runs cancel-all before cancel (writes that take no id first), so by then nothing is scheduled:
a cancel that is to meet a scheduled message first gets one, sent like a stateful send -> cancel link would.

`count` records, per operation, how many cases met a stored message of their account (the issue's "reach").
"""

from __future__ import annotations

import zlib
from typing import Any

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

from . import history_model, runenv, wire
from .probes import Api
from .runenv import Credentials

# A scheduled message for a cancel to meet: a day ahead, to a test recipient (free) or, against the sandbox, a
# priced number too (so a cancel has something to refund). 0491 570 xxx is Australia's range for fiction.
_AHEAD = 24 * 3600
_SANDBOX_RECIPIENTS = (TEST_RECIPIENTS[1], "+61491570006", "+14155550123")

ID_OPERATIONS = ("get_mms_receipt", "cancel_mms")
_REWRITE_PHASES = ("fuzzing", "stateful")


def _pick(options: list[str], draw: int) -> str | None:
    return options[draw % len(options)] if options else None


def schedule_one(api: Api, account: Credentials, draw: int) -> None:
    """Send one message scheduled a day ahead (recorded in the model like any send of the run)."""
    body = {
        "media_file": "https://example.com/scheduled.jpg",
        "messages": [
            {
                "to": TEST_RECIPIENTS[1] if runenv.current().live else _SANDBOX_RECIPIENTS[draw % 3],
                "subject": "scheduled",
                "body": "A scheduled message for cancel to meet.",
                "schedule": int(api.model.now()) + _AHEAD + draw % 3600,
            }
        ],
    }
    api.send(api.case("send_mms", body=body), account)


def choose_id(api: Api, account: Credentials, operation: str, generated: str, now: float) -> str | None:
    """The id to send instead of `generated`, or None to keep it. Deterministic in `generated`."""
    state, username = api.model, account.username
    draw = zlib.crc32(generated.encode("utf-8", "surrogatepass"))
    bucket = draw % 100
    stored = state.stored_ids(username)
    if operation == "cancel_mms":
        if bucket < 60:
            if not state.pending_ids(username, now):
                schedule_one(api, account, draw)
            return _pick(state.pending_ids(username), draw) or _pick(stored, draw)
        if bucket < 85:
            return _pick(stored, draw)
    elif bucket < 75:
        return _pick(stored, draw)
    if bucket < 90:
        return state.canary_id
    return None


def date_before(case: Any, unread: list[dict[str, Any]] | None, phase: str, positive: bool) -> None:
    """Receipts-read's `date_before` moved between the unread receipts' times, so that it marks some and keeps
    some (a random 0..99999999999 marks all or none). When they all share one second, onto that second: it then
    keeps them all, which a receipts-read that ignores `date_before` does not. Deterministic in the generated value."""
    body = case.body
    if not unread or not positive or phase not in _REWRITE_PHASES or not isinstance(body, dict):
        return
    generated = body.get("date_before")
    times = sorted({int(t) for t in (wire.unix_seconds(r.get("timestamp")) for r in unread) if t is not None})
    if not isinstance(generated, int) or isinstance(generated, bool) or not times:
        return
    chosen = times[0] if len(times) == 1 else times[1 + generated % (len(times) - 1)]
    case.body = {**body, "date_before": chosen}


def receipts_page(case: Any, phase: str, positive: bool) -> None:
    """Half the positive receipts lists of the fuzzing and stateful phases that ask for a page past the first
    (those asking for an even page) ask for the first instead. Deterministic in the generated value."""
    query = case.query
    if not positive or phase not in _REWRITE_PHASES or not isinstance(query, dict):
        return
    page = query.get("page")
    if isinstance(page, int) and not isinstance(page, bool) and page > 1 and page % 2 == 0:
        case.query = {**query, "page": 1}


def rewrite(api: Api, account: Credentials | None, operation: str, case: Any, phase: str, positive: bool) -> None:
    """Point a positive case of an id-taking operation at a known message (see the module docstring)."""
    if operation not in ID_OPERATIONS or account is None or not isinstance(case.path_parameters, dict):
        return
    generated = case.path_parameters.get("message_id")
    if not isinstance(generated, str):
        return
    state, username = api.model, account.username
    # A random id, or one a stateful link took from a message send rejected (never stored): point it elsewhere.
    if positive and phase in _REWRITE_PHASES and state.message(generated) is None:
        chosen = choose_id(api, account, operation, generated, state.now())
        if chosen is not None:
            case.path_parameters = {**case.path_parameters, "message_id": chosen}
    state.reach_tried[operation] += 1
    message = state.message(str(case.path_parameters.get("message_id")))
    if message is not None and message.owner == username:
        state.reach[operation] += 1


def history_query(api: Api, account: Credentials | None, case: Any, phase: str, positive: bool) -> None:
    """History's query parameters pointed at what the run's data can show (history_model judges them): some
    `order_by` onto `date_added` (a random field name orders nothing), some `q` onto `message_id:` of a message
    of the account or of the peer's canary, some dates into the span of the run's messages (a random unix time
    is before or after all of them). A query given a `date_added` order keeps only it, on page 1. Deterministic
    in the generated values."""
    query = case.query
    if account is None or not positive or phase not in _REWRITE_PHASES or not isinstance(query, dict):
        return
    changed = dict(query)
    order_by = query.get("order_by")
    if isinstance(order_by, str) and ":" in order_by and zlib.crc32(order_by.encode()) % 2 == 0:
        # Alone on page 1: where a date_added order starts is what shows it (history_model.first_row_problems).
        # Half of them on another money or time field of the record (history_model.ordered_fields).
        fields = history_model.ordered_fields()
        draw = zlib.crc32(order_by.encode("utf-8", "surrogatepass")) // 2
        field = history_model.ORDERED_FIELD if draw % 2 == 0 or not fields else fields[draw // 2 % len(fields)]
        case.query = {"order_by": f"{field}:" + order_by.partition(":")[2], "page": 1}
        if "limit" in query:
            case.query["limit"] = query["limit"]
        return
    q = query.get("q")
    if isinstance(q, str):
        draw = zlib.crc32(q.encode("utf-8", "surrogatepass"))
        if draw % 100 < 40:
            chosen = _pick(api.model.stored_ids(account.username), draw)
            if chosen is not None:
                changed["q"] = f"message_id:{chosen}"
        elif draw % 100 < 55 and api.model.canary_id is not None:
            changed["q"] = f"message_id:{api.model.canary_id}"
    # The seconds the run's messages were added in: a bound just after one of them (or at one) splits the messages
    # where the model can tell which side each is on.
    seconds = sorted({int(m.accepted_at) for m in list(api.model.account(account.username).messages.values())})
    for name in ("date_from", "date_to"):
        value = query.get(name)
        if seconds and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            # The generator favours small numbers: counted from the newest second for date_from (so that messages
            # lie before it) and from the oldest for date_to (so that messages lie after it).
            index = value // 2 % len(seconds)
            second = seconds[len(seconds) - 1 - index] if name == "date_from" else seconds[index]
            changed[name] = second + (value // 2) % 3 - 1
    if {"date_from", "date_to"} <= set(changed) and changed["date_from"] > changed["date_to"]:
        changed["date_from"], changed["date_to"] = changed["date_to"], changed["date_from"]
    case.query = changed
