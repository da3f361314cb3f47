"""Write-effect oracles: after send, cancel, cancel-all and receipts-read, read the state back and compare it
with what the answer said and with the run's model (model.py).

- ``send_is_recorded``: a send's answer adds up, and history then holds exactly the messages it accepted, with the
  status, price, parts and schedule it answered (against a sandbox: history's total grows by `queued_count`);
- ``records_match_sends``: every record any answer shows of a message this run sent agrees with that send and with
  what the run did to it since (cancelled or not); against a fresh sandbox, no record the run did not create;
- ``cancel_takes_effect``: cancel answers 200 exactly for this account's scheduled messages, 404 for the others;
- ``cancel_all_takes_effect``: cancel-all's `count` is the number of messages the run had scheduled, and history
  then shows that many more `Cancelled` and none `Scheduled`;
- ``receipts_read_takes_effect``: after receipts-read no receipt from before it (or before `date_before`) is
  still unread, and receipts newer than `date_before` still are;
- ``balance_matches_charges`` (sandbox: its balance is observable): the balance is the opening balance minus
  every charge plus every refund; price charges nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemathesis import CheckContext, Response

from . import model, records, runenv, send_model, wire
from .model import CLOCK_SLACK, CancelAllEffect, CancelEffect, Message
from .probes import PASSED, SANDBOX_ACCOUNT_PATH, SKIP, AnyCase, Api, follow_up, operation_id

RECORD_OPERATIONS = ("get_mms_history", "get_mms_receipt")
# A read-back page: up to the widest the spec allows, so one request covers a typical send.
READ_BACK_LIMIT = 100
# Sampling of the follow-ups a send costs (model.Model.sampled): the first N sends, then one in K.
READ_BACK_SAMPLE = (30, 3)
BALANCE_SAMPLE = (10, 5)
EMPTY_CANCEL_ALL_SAMPLE = (5, 10)
RECEIPTS_READ_SAMPLE = (20, 4)
# A receipts-read with `date_before` is the only one that can show receipts marked that should not be (the rarer
# bug): sampled on its own, more often.
RECEIPTS_READ_BEFORE_SAMPLE = (40, 2)


def requester(response: Response) -> str | None:
    """The username a request was sent as (from its Basic credentials)."""
    authorization = response.request.headers.get("Authorization")
    return wire.basic_user(authorization if isinstance(authorization, str) else None)


def _own_case(case: AnyCase, response: Response, operation: str, status: int = 200) -> str | None:
    """The run's account when `case` is `operation` sent as that account and answered `status`."""
    run = runenv.current()
    user = requester(response)
    if operation_id(case) != operation or response.status_code != status or run.account is None:
        return None
    return user if user == run.account.username else None


def records_in(operation: str, payload: bytes) -> list[dict[str, Any]]:
    """The message records an answer holds: history rows, or receipt-by-id's record."""
    if operation == "get_mms_history":
        return wire.rows_of(wire.page_of(payload))
    data = wire.envelope_data(payload)
    return [data] if isinstance(data, dict) and "message_id" in data else []


def _history(ctx: CheckContext, case: AnyCase, api: Api, query: dict[str, Any]) -> dict[str, Any] | None:
    run = runenv.current()
    assert run.account is not None
    answer = follow_up(ctx, case, api, api.case("get_mms_history", query=query), run.account)
    return wire.page_of(answer.content) if answer.status_code == 200 else None


def send_is_recorded(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    user = _own_case(case, response, "send_mms")
    accepted: list[Message] | None = known.effect(case.id)
    if user is None or accepted is None:
        return SKIP
    run = runenv.current()
    problems = _answer_arithmetic(case.body, response.content)
    problems += send_model.problems(case.body, wire.send_messages(response.content), exact_text=run.sandbox)
    if run.sandbox and known.sampled("send_is_recorded:limits", *send_model.LIMIT_PROBE_SAMPLE):
        problems += _limit_probe(ctx, case, response)
    if run.sandbox:  # live, ClickSend may normalise text it echoes; the read-back still compares it with the echo
        problems += records.echo_problems(case.body, wire.send_messages(response.content))
    if not known.sampled("send_is_recorded", *READ_BACK_SAMPLE):
        pass  # the answer's own arithmetic is still checked; records_match_sends compares every later read
    elif run.sandbox:
        problems += _read_back_newest(ctx, case, Api.of(case, response), user, accepted)
    elif accepted:
        problems += _read_back_one(ctx, case, Api.of(case, response), accepted[0])
    if problems:
        raise AssertionError("What send answered is not what history holds: " + "; ".join(problems))
    return PASSED


def _limit_probe(ctx: CheckContext, case: AnyCase, response: Response) -> list[str]:
    body = send_model.limit_probe_body(case.body, wire.send_messages(response.content))
    account = runenv.current().account
    if body is None or account is None:
        return []
    api = Api.of(case, response)
    answer = follow_up(ctx, case, api, api.case("price_mms", body=body), account)
    return [f"price at the body limits: {p}" for p in send_model.problems(body, wire.send_messages(answer.content))]


def _answer_arithmetic(body: Any, payload: bytes) -> list[str]:
    data = wire.envelope_data(payload)
    if not isinstance(data, dict):
        return []
    results = wire.send_messages(payload)
    sent = wire.request_messages(body)
    problems = []
    total, queued = wire.count(data.get("total_count")), wire.count(data.get("queued_count"))
    if sent and not any("list_id" in m for m in sent) and total != len(sent):  # a list expands to its contacts
        problems.append(f"total_count is {total} for {len(sent)} message(s) sent")
    if total is not None and len(results) != total:
        problems.append(f"total_count is {total} but {len(results)} message(s) came back")
    accepted = sum(1 for m in results if m.get("status") == "SUCCESS")
    if queued != accepted:
        problems.append(f"queued_count is {queued} but {accepted} message(s) have status SUCCESS")
    prices = [wire.money(m.get("message_price")) for m in results]
    total_price = wire.money(data.get("total_price"))
    if total_price is not None and None not in prices and total_price != sum(p or Decimal(0) for p in prices):
        problems.append(f"total_price is {data.get('total_price')} but the messages cost {sum(p or 0 for p in prices)}")
    return problems


def _read_back_newest(ctx: CheckContext, case: AnyCase, api: Api, user: str, accepted: list[Message]) -> list[str]:
    """Sandbox (one writer: this run): the newest rows of history are exactly this send's accepted messages."""
    known = model.of(case)
    page = _history(ctx, case, api, {"limit": max(15, min(READ_BACK_LIMIT, len(accepted)))})
    if page is None:
        return ["history could not be read back"]
    problems = []
    expected_total = known.account(user).expected_history_total()
    total = wire.count(page.get("total"))
    if expected_total is not None and total != expected_total:
        problems.append(f"history total is {total}, the run's sends stored {expected_total}")
    # Newest first, ties by insertion order: this send's rows lead (the last READ_BACK_LIMIT of a bigger send).
    newest = wire.rows_of(page)[: min(len(accepted), READ_BACK_LIMIT)]
    wanted = {m.message_id: m for m in accepted}
    found = {str(row.get("message_id")): row for row in newest}
    missing = sorted(set(wanted) - set(found)) if len(accepted) <= READ_BACK_LIMIT else []
    if missing:
        problems.append(f"{len(missing)} accepted message(s) are not the newest in history: {', '.join(missing[:3])}")
    strangers = sorted(set(found) - set(wanted))
    if strangers:
        rejected = known.account(user).rejected & set(strangers)
        what = "rejected by send" if rejected else "not accepted by this send"
        problems.append(f"history's newest rows include {len(strangers)} {what}: {', '.join(strangers[:3])}")
    for message_id, row in found.items():
        if message_id in wanted:
            problems += [f"{message_id}: {p}" for p in records.field_problems(row, wanted[message_id])]
            problems += [
                f"{message_id}: {p}"
                for p in records.status_problems(row, wanted[message_id], known.now(), runenv.current().sandbox)
            ]
    return problems


def _read_back_one(ctx: CheckContext, case: AnyCase, api: Api, message: Message) -> list[str]:
    """Live: the account has other traffic, so look the message up by id."""
    page = _history(ctx, case, api, {"q": f"message_id:{message.message_id}"})
    rows = wire.rows_of(page)
    if len(rows) != 1:
        return [f"history q=message_id:{message.message_id} holds {len(rows)} rows, 1 expected"]
    return records.field_problems(rows[0], message) + records.status_problems(rows[0], message, api.model.now(), False)


def records_match_sends(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    operation = operation_id(case)
    user = requester(response)
    run = runenv.current()
    if operation not in RECORD_OPERATIONS or response.status_code != 200 or run.account is None:
        return SKIP
    if user != run.account.username:
        return SKIP
    complete = known.account(user).complete
    problems = []
    for record in records_in(operation, response.content):
        message_id = str(record.get("message_id"))
        message = known.message(message_id)
        if message is None:
            if complete and known.owner_of.get(message_id) is None:
                problems.append(f"{message_id}: a record this run never created (the account started empty)")
            elif message_id in known.account(user).rejected:
                problems.append(f"{message_id}: send rejected it, yet it is stored")
            continue
        if message.owner != user:
            continue  # another account's record: other_account_sees_nothing reports it
        problems += [f"{message_id}: {p}" for p in records.field_problems(record, message)]
        problems += [f"{message_id}: {p}" for p in records.status_problems(record, message, known.now(), run.sandbox)]
    if problems:
        raise AssertionError("Records disagree with the sends that created them: " + "; ".join(problems[:5]))
    return PASSED


def cancel_takes_effect(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    effect: CancelEffect | None = known.effect(case.id)
    user = requester(response)
    run = runenv.current()
    if operation_id(case) != "cancel_mms" or effect is None or run.account is None or user != run.account.username:
        return SKIP
    message_id = (case.path_parameters or {}).get("message_id")
    message, pending = effect.message, effect.pending
    if response.status_code == 200:
        if message is None and not effect.foreign and known.account(user).complete:
            raise AssertionError(f"Cancel of {message_id} answered 200, but the account has no such message")
        if message is not None and pending is False:
            why = "already cancelled" if message.cancelled_at is not None else "not scheduled (already sent)"
            # The model cancels it on this 200; the record's status is what records_match_sends then compares.
            raise AssertionError(f"Cancel of {message_id} answered 200, but it was {why}: only a scheduled MMS cancels")
    elif response.status_code == 404 and message is not None and pending is True:
        raise AssertionError(
            f"Cancel of {message_id} answered 404, but it is this account's MMS scheduled for "
            f"{message.schedule or 0:.0f} ({(message.schedule or 0) - known.now():.0f}s from now)"
        )
    return PASSED


def cancel_all_takes_effect(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    user = _own_case(case, response, "cancel_all_mms")
    effect: CancelAllEffect | None = known.effect(case.id)
    if user is None or effect is None:
        return SKIP
    run = runenv.current()
    assert run.account is not None
    api = Api.of(case, response)
    for message in effect.uncertain:  # due within the clock slack of the request: ask, then settle the model
        probe = api.case("get_mms_receipt", path_parameters={"message_id": message.message_id})
        answer = follow_up(ctx, case, api, probe, run.account)
        data = wire.envelope_data(answer.content)
        if isinstance(data, dict):
            known.resolve(message.message_id, data.get("status") == wire.CANCELLED, known.now())
    certain, uncertain = len(effect.pending) + effect.baseline_pending, len(effect.uncertain)
    problems = []
    state = known.account(user)
    if effect.count is None:
        problems.append("count is missing")
    elif run.sandbox and state.baseline is not None and not certain <= effect.count <= certain + uncertain:
        problems.append(f"count is {effect.count}, but {certain} message(s) were scheduled")
    elif effect.count < len(effect.pending):
        problems.append(f"count is {effect.count}, but this run alone had {len(effect.pending)} scheduled")
    # A cancel-all that cancelled something is always read back; one that had nothing to cancel, by sample.
    read_back = bool(effect.count) or known.sampled("cancel_all:empty", *EMPTY_CANCEL_ALL_SAMPLE)
    if run.sandbox and state.baseline is not None and read_back:
        cancelled = _history(ctx, case, api, {"q": "status:Cancelled"})
        expected = state.expected_cancelled_total()
        if cancelled is not None and wire.count(cancelled.get("total")) != expected:
            problems.append(f"history shows {cancelled.get('total')} Cancelled, the run cancelled {expected}")
        scheduled = _history(ctx, case, api, {"q": "status:Scheduled"})
        if scheduled is not None and wire.count(scheduled.get("total")):
            problems.append(
                f"history still shows {scheduled.get('total')} Scheduled: {', '.join(wire.row_ids(scheduled)[:3])}"
            )
    if problems:
        raise AssertionError("Cancel-all did not do what it said: " + "; ".join(problems))
    return PASSED


def receipts_read_takes_effect(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    user = _own_case(case, response, "mark_mms_receipts_read")
    snapshot: list[dict[str, Any]] | None = known.effect(case.id)  # None: not sampled (see `snapshot_receipts`)
    local_start = known.started.get(case.id)
    if user is None or local_start is None or snapshot is None:
        return SKIP
    started = local_start + known.offset
    run = runenv.current()
    assert run.account is not None
    raw = case.body.get("date_before") if isinstance(case.body, dict) else None
    # JSON Schema's integer admits 9063.0: the server reads it as 9063.
    before = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    api = Api.of(case, response)
    answer = follow_up(ctx, case, api, api.case("get_mms_receipts", query={"limit": READ_BACK_LIMIT}), run.account)
    page = wire.page_of(answer.content) if answer.status_code == 200 else None
    if page is None:
        return SKIP
    rows = wire.rows_of(page)
    last = wire.count(page.get("last_page")) or 1
    if last > 1:  # newest first: the oldest, which must be gone, are on the last page
        tail = follow_up(
            ctx, case, api, api.case("get_mms_receipts", query={"limit": READ_BACK_LIMIT, "page": last}), run.account
        )
        rows += wire.rows_of(wire.page_of(tail.content))
    problems = []

    def time_of(row: dict[str, Any]) -> float:
        return wire.unix_seconds(row.get("timestamp")) or 0

    # A receipt's `timestamp` is whole seconds: one at t arrived in [t, t + 1). Marked: those that had arrived when
    # the request came (t well before it) and, with date_before, arrived before it (t + 1 <= date_before).
    stale = [r for r in rows if time_of(r) < started - CLOCK_SLACK and (before is None or time_of(r) + 1 <= before)]
    if stale:
        what = f"before date_before {before:.0f}" if before is not None else f"before the request ({started:.0f})"
        problems.append(
            f"{len(stale)} receipt(s) from {what} are still unread: "
            + ", ".join(str(r.get("message_id")) for r in stale[:3])
        )
    if before is not None and snapshot:
        unread = {str(r.get("message_id")) for r in rows}
        kept = [r for r in snapshot if time_of(r) >= before]  # arrived at or after date_before: not to be marked
        gone = [str(r.get("message_id")) for r in kept if str(r.get("message_id")) not in unread]
        if gone and wire.count(page.get("total")) == len(rows):  # every unread receipt was read back
            problems.append(
                f"{len(gone)} receipt(s) newer than date_before {before} were marked read: {', '.join(gone[:3])}"
            )
    if problems:
        raise AssertionError("Receipts-read did not mark what it should: " + "; ".join(problems))
    return PASSED


def snapshot_receipts(api: Api, case: AnyCase, account: runenv.Credentials) -> list[dict[str, Any]] | None:
    """Before a sampled receipts-read: the unread receipts (with `date_before`, those newer must stay unread).
    None when this receipts-read is not checked."""
    with_before = isinstance(case.body, dict) and "date_before" in case.body
    if with_before:
        if not api.model.sampled("receipts_read_before", *RECEIPTS_READ_BEFORE_SAMPLE):
            return None
    elif not api.model.sampled("receipts_read", *RECEIPTS_READ_SAMPLE):
        return None
    rows: list[dict[str, Any]] = []
    if with_before:
        response, _, _ = api.send(api.case("get_mms_receipts", query={"limit": READ_BACK_LIMIT}), account)
        rows = wire.rows_of(wire.page_of(response.content)) if response.status_code == 200 else []
    api.model.put_effect(case.id, rows)
    return rows


BALANCE_OPERATIONS = ("send_mms", "price_mms", "cancel_mms", "cancel_all_mms")


def balance_matches_charges(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    known = model.of(case)
    run = runenv.current()
    operation = operation_id(case)
    if not run.sandbox or operation not in BALANCE_OPERATIONS or response.status_code != 200 or run.account is None:
        return SKIP
    user = requester(response)
    state = known.account(user or "")
    expected = state.expected_balance()
    if user != run.account.username or expected is None:
        return SKIP
    # Charges accumulate, so a sample of sends (and of prices, which must charge nothing) finds any drift; every
    # refund is checked, and a cancel-all that cancelled nothing changed nothing.
    if operation in ("send_mms", "price_mms") and not known.sampled(f"balance:{operation}", *BALANCE_SAMPLE):
        return SKIP
    effect = known.effect(case.id)
    if operation == "cancel_all_mms" and isinstance(effect, CancelAllEffect) and not effect.count:
        return SKIP
    data = Api.of(case, response).control(SANDBOX_ACCOUNT_PATH, run.account)
    actual = wire.money(data.get("balance")) if isinstance(data, dict) else None
    if actual is None or actual == expected:
        return SKIP if actual is None else PASSED
    assert state.baseline is not None
    state.baseline.balance = (state.baseline.balance or Decimal(0)) + actual - expected  # report once, not ever after
    answer = wire.envelope_data(response.content)
    what = {
        "send_mms": f"after a send charging {answer.get('total_price') if isinstance(answer, dict) else '?'}",
        "price_mms": "after a price (which must charge nothing)",
        "cancel_mms": "after a cancel (which refunds the message's price)",
        "cancel_all_mms": "after a cancel-all (which refunds every cancelled message)",
    }[operation]
    raise AssertionError(
        f"Balance is {actual} {what}; the opening balance, the run's charges and its refunds make {expected}"
    )
