"""``history_obeys_query``: history answers what its query parameters ask, predicted from the run's model.

Every history page, whatever it asked:
- ``date_from`` / ``date_to`` (spec: records added at or after / at or before): every row's own ``date_added``
  is within them (exact: both are the server's);
- ``order_by`` on a money or time field of the record (spec: ``field:asc|desc``): the rows are in that order;
- ``q=message_id:X``: every row is message X.
Against a fresh sandbox, where the model knows every message of the account (model.py), also the ``total``:
- ``q=message_id:X``: 1 when X is a message of this account, else 0 (another account's id included);
- a date range (no other filter): the messages the run sent inside it (one sent within a second of a bound may
  count either way, so the total is held to a range).
Sampled pages' first row is asked for again (``probe_queries``): with its own second as both bounds (the spec's
"at or after"/"at or before": total 1), and with a second `q` filter no record meets, before and after its id
(every filter applies: total 0).
Live, only the per-row checks and `q=message_id:` of the run's own messages (the model holds only what it made).
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

import clicksend_mms_spec
from schemathesis import CheckContext, Response

from . import model, runenv, wire
from .model import CLOCK_SLACK, Message
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id

OPERATION = "get_mms_history"
MESSAGE_ID_FILTER = "message_id"
ORDERED_FIELD = "date_added"


@functools.cache
def ordered_fields() -> tuple[str, ...]:
    """The history record's fields whose schema is the spec's Money or UnixTime: ordered as numbers."""
    record = clicksend_mms_spec.load()["components"]["schemas"]["MmsMessageRecord"]["properties"]
    numeric = ("#/components/schemas/Money", "#/components/schemas/UnixTime")
    return tuple(name for name, schema in record.items() if schema.get("$ref") in numeric)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _filters(q: object) -> dict[str, str]:
    """`field:value[,field:value]` (spec), field names lower-cased; {} for none."""
    if not isinstance(q, str) or not q:
        return {}
    found: dict[str, str] = {}
    for part in q.split(","):
        name, sep, value = part.partition(":")
        if sep:
            found[name.strip().lower()] = value
    return found


def _int(raw: object) -> int | None:
    return (
        raw
        if isinstance(raw, int) and not isinstance(raw, bool)
        else (int(raw) if isinstance(raw, str) and raw.isdigit() else None)
    )


def row_problems(query: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """What any page's rows show against its own query (no model needed)."""
    problems: list[str] = []
    date_from, date_to = _int(query.get("date_from")), _int(query.get("date_to"))
    for row in rows:
        added = wire.unix_seconds(row.get("date_added"))
        if added is None:
            continue
        if date_from is not None and added < date_from:
            problems.append(f"row {row.get('message_id')} was added at {added:.0f}, before date_from={date_from}")
            break
        if date_to is not None and added > date_to:
            problems.append(f"row {row.get('message_id')} was added at {added:.0f}, after date_to={date_to}")
            break
    wanted = _filters(query.get("q")).get(MESSAGE_ID_FILTER)
    if wanted is not None:
        other = [r.get("message_id") for r in rows if str(r.get("message_id", "")).lower() != wanted.lower()]
        if other:
            problems.append(f"q=message_id:{wanted} answered message {other[0]}")
    order_by = query.get("order_by")
    # Only the record's money and time fields (ordered_fields): numbers, whose order is unambiguous; how a server
    # orders text (byte-wise, case-folded, by locale) is its own choice.
    if isinstance(order_by, str) and order_by.partition(":")[0].lower() in ordered_fields():
        field, _, direction = order_by.partition(":")
        field = field.lower()
        values = [_number(row.get(field)) for row in rows if field in row]
        if len(values) == len(rows) and None not in values:
            descending = direction.lower() == "desc"
            ordered = sorted(values, reverse=descending)  # type: ignore[type-var]
            if values != ordered:
                problems.append(f"order_by={order_by} but the rows' {field} are {[str(v) for v in values[:6]]}")
    return problems


# Against a sandbox the model's clock is the sandbox's own (it reports it at first contact): a record is added
# between the send's request and its answer, in whole seconds, so one second covers the rounding.
SANDBOX_SLACK = 1.0


def _certainly_in(message: Message, date_from: int | None, date_to: int | None) -> bool | None:
    """Whether the message's record was added within the range: None when it may be either side."""
    early = (message.requested_at if message.requested_at is not None else message.accepted_at) - SANDBOX_SLACK
    late = message.accepted_at + SANDBOX_SLACK
    after_from = True if date_from is None or early >= date_from else (False if late < date_from else None)
    before_to = True if date_to is None or late <= date_to else (False if early > date_to else None)
    if after_from is False or before_to is False:
        return False
    if after_from is None or before_to is None:
        return None
    return True


def total_problems(query: dict[str, Any], total: int | None, known: model.Model, user: str) -> list[str]:
    """The page's `total` against the model's prediction (None where it cannot predict)."""
    if total is None:
        return []
    account = known.account(user)
    filters = _filters(query.get("q"))
    wanted = filters.get(MESSAGE_ID_FILTER)
    sandbox = runenv.current().sandbox and account.complete
    if wanted is not None and len(filters) == 1 and not ({"date_from", "date_to"} & set(query)):
        own = any(message_id.lower() == wanted.lower() for message_id in account.messages)
        if own and total != 1:
            return [f"q=message_id:{wanted} (a message of this account) answered total {total}, expected 1"]
        if sandbox and not own and total != 0:
            return [f"q=message_id:{wanted} (no message of this account) answered total {total}, expected 0"]
        return []
    if filters or not sandbox:
        return []
    date_from, date_to = _int(query.get("date_from")), _int(query.get("date_to"))
    verdicts = [_certainly_in(message, date_from, date_to) for message in list(account.messages.values())]
    # Messages sent within the clock's slack of a bound may be counted either way: the total has a range.
    least = sum(1 for v in verdicts if v)
    most = least + sum(1 for v in verdicts if v is None)
    if not least <= total <= most:
        bounds = f"date_from={date_from}, date_to={date_to}"
        expected = str(least) if least == most else f"{least} to {most}"
        return [f"history ({bounds}) answered total {total}; the run sent {expected} message(s) in that range"]
    return []


def first_row_problems(query: dict[str, Any], rows: list[dict[str, Any]], known: model.Model, user: str) -> list[str]:
    """Page 1 of an unfiltered history in `date_added` order starts at the run's oldest (asc) or newest (desc)
    message (fresh sandbox: the model knows them all). Most pages hold one send's messages, all added in the same
    second, so the order within a page alone rarely shows an order_by that is ignored; the page's start does."""
    account = known.account(user)
    order_by = query.get("order_by")
    if not isinstance(order_by, str) or order_by.partition(":")[0].lower() != ORDERED_FIELD or not rows:
        return []
    if query.get("page", 1) != 1 or _filters(query.get("q")) or {"date_from", "date_to"} & set(query):
        return []
    if not (runenv.current().sandbox and account.complete):
        return []
    messages = list(account.messages.values())
    first = wire.unix_seconds(rows[0].get("date_added"))
    if not messages or first is None:
        return []
    if order_by.partition(":")[2].lower() == "asc":
        oldest = min(m.accepted_at for m in messages)
        if first > oldest + CLOCK_SLACK + 1:
            return [f"order_by={order_by}: page 1 starts at a record added at {first:.0f}, after the run's oldest "
                    f"message ({oldest:.0f})"]  # fmt: skip
    else:
        newest = max(m.requested_at if m.requested_at is not None else m.accepted_at for m in messages)
        if first < newest - CLOCK_SLACK - 1:
            return [f"order_by={order_by}: page 1 starts at a record added at {first:.0f}, before the run's newest "
                    f"message ({newest:.0f})"]  # fmt: skip
    return []


BOUNDS_SAMPLE = (6, 12)  # Model.sampled: pages whose first row is asked for again with exact bounds and filters


def probe_queries(row: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """(query, expected total) that single out `row` from what it shows, derived from the spec's words:
    its own second as both bounds ("at or after", "at or before": 1), and every filter of a `q` applied ("a
    filter that no record meets, before or after the row's id": 0)."""
    message_id, added, to = row.get("message_id"), wire.unix_seconds(row.get("date_added")), row.get("to")
    if not isinstance(message_id, str) or not message_id or added is None or added != int(added):
        return []
    queries: list[tuple[dict[str, Any], int]] = [
        ({"q": f"{MESSAGE_ID_FILTER}:{message_id}", "date_from": int(added), "date_to": int(added)}, 1),
    ]
    if isinstance(to, str) and to and "," not in to:
        queries.append(({"q": f"{MESSAGE_ID_FILTER}:{message_id},to:{to}~"}, 0))
        queries.append(({"q": f"to:{to}~,{MESSAGE_ID_FILTER}:{message_id}"}, 0))
    return queries


ORDER_SAMPLE = (2, 40)  # Model.sampled: pages after which every ordered field is asked for, both ways


def _probe_problems(ctx: CheckContext, case: AnyCase, response: Response, rows: list[dict[str, Any]]) -> list[str]:
    run = runenv.current()
    known = model.of(case)
    if not rows or run.account is None:
        return []
    api = Api.of(case, response)
    problems = []
    if known.sampled("history_obeys_query:probe", *BOUNDS_SAMPLE):
        for query, expected in probe_queries(rows[0]):
            answer = follow_up(ctx, case, api, api.case(OPERATION, query=query), run.account)
            total = wire.count((wire.page_of(answer.content) or {}).get("total"))
            if answer.status_code != 200 or total != expected:
                problems.append(f"history {query} answered {answer.status_code}, total {total}, expected {expected}")
    # Generated order_by values rarely name a field the records have; each ordered field is asked for here, on a
    # page long enough to hold records of different values.
    if len(rows) > 1 and known.sampled("history_obeys_query:order", *ORDER_SAMPLE):
        for field in ordered_fields():
            for direction in ("asc", "desc"):
                query = {"order_by": f"{field}:{direction}", "limit": wire.largest_page()}
                answer = follow_up(ctx, case, api, api.case(OPERATION, query=query), run.account)
                problems += row_problems(query, wire.rows_of(wire.page_of(answer.content)))
    return problems


def history_obeys_query(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    run = runenv.current()
    if operation_id(case) != OPERATION or response.status_code != 200 or run.account is None:
        return SKIP
    authorization = response.request.headers.get("Authorization")
    user = wire.basic_user(authorization if isinstance(authorization, str) else None)
    if user != run.account.username:
        return SKIP
    page = wire.page_of(response.content)
    if page is None:
        return SKIP
    query = dict(case.query or {})
    problems = row_problems(query, wire.rows_of(page))
    problems += total_problems(query, wire.count(page.get("total")), model.of(case), user)
    problems += first_row_problems(query, wire.rows_of(page), model.of(case), user)
    problems += _probe_problems(ctx, case, response, wire.rows_of(page))
    if problems:
        raise AssertionError("History did not answer what its query asked: " + "; ".join(problems))
    return PASSED
