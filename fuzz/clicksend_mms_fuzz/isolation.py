"""Isolation between accounts, with a second credential (the "peer").

Against the sandbox the runner always configures a second funded account; live, CLICKSEND_USERNAME_2 and
CLICKSEND_API_KEY_2 enable it (without them the plan says isolation is off). The peer owns one "canary": a
message scheduled a month ahead (live: to a ClickSend test recipient, free and never delivered, only with
CLICKSEND_ALLOW_SPEND=1, and cancelled again when the run ends).

``other_account_sees_nothing`` asserts:
- every id-taking operation the run sends is replayed as the peer and answers 403/404 with no data: receipt-by-id
  after the owner read it, cancel *before* the owner's own cancel of a scheduled message (a replay afterwards
  would 404 anyway); and each new message of a send is looked up by the peer by id and in its history;
- the owner never sees a message of the peer (history, receipt-by-id, receipts), nor cancels it, and a cancel or
  cancel-all of the owner leaves the peer's canary scheduled.
"""

from __future__ import annotations

import threading

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS
from schemathesis import CheckContext, Response

from . import runenv, wire
from .effects import RECORD_OPERATIONS, records_in, requester
from .model import Message
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id
from .runenv import Credentials

CANARY_AHEAD = 30 * 24 * 3600
CANARY_RECIPIENT = "+61491570009"  # Australia's range for fiction (0491 570 xxx)
DENIED = (403, 404)
# What this check looks at: answers that list or show messages, and the requests that create or cancel them.
_JUDGED = frozenset(
    {*RECORD_OPERATIONS, "get_mms_receipts", "cancel_mms", "send_mms", "cancel_all_mms", "mark_mms_receipts_read"}
)
UNREAD_SAMPLE = (5, 5)  # Model.sampled: the owner's receipts-reads after which the peer's receipts are listed
# Sends whose new message the peer looks up: the first ones, then one in SEND_PROBE_EVERY (budget).
SEND_PROBE_FIRST, SEND_PROBE_EVERY = 20, 5
_lock = threading.Lock()


def plant_canary(api: Api, peer: Credentials) -> None:
    """The peer's scheduled message the owner must never see, cancel or have cancelled by cancel-all."""
    body = {
        "media_file": "https://example.com/isolation-canary.jpg",
        "messages": [
            {
                # Sandbox: a priced number, so that a receipt for it would exist if scheduling were ignored
                # (rules.scheduled_not_delivered_early looks); live: a test recipient (free, never delivered).
                "to": TEST_RECIPIENTS[0] if runenv.current().live else CANARY_RECIPIENT,
                "subject": "isolation canary",
                "body": "Owned by the second account; the first must never see it.",
                "schedule": int(api.model.now()) + CANARY_AHEAD,
            }
        ],
    }
    response, _, _ = api.send(api.case("send_mms", body=body), peer)
    accepted = [m for m in wire.send_messages(response.content) if m.get("status") == "SUCCESS"]
    if response.status_code == 200 and accepted:
        api.model.canary_id = str(accepted[0]["message_id"])
    if runenv.current().sandbox:
        # A second canary, sent now: its receipt arrives and the peer never reads it, so it stays in the peer's
        # receipts list (unread only) whatever the owner marks read.
        now = {
            "media_file": body["media_file"],
            "messages": [{"to": CANARY_RECIPIENT, "subject": "isolation receipt", "body": "Read by nobody."}],
        }
        response, _, _ = api.send(api.case("send_mms", body=now), peer)
        accepted = [m for m in wire.send_messages(response.content) if m.get("status") == "SUCCESS"]
        if response.status_code == 200 and accepted:
            api.model.unread_canary_id = str(accepted[0]["message_id"])


def remove_canary(api: Api, peer: Credentials) -> None:
    message_id, api.model.canary_id = api.model.canary_id, None
    if message_id is not None:
        api.send(api.case("cancel_mms", path_parameters={"message_id": message_id}), peer)


def replay_cancel_first(api: Api, case: AnyCase) -> None:
    """Before the owner cancels one of its scheduled messages, the peer tries (recorded by the check later)."""
    run = runenv.current()
    message_id = str((case.path_parameters or {}).get("message_id", ""))
    if run.peer is None or not run.may_write() or run.account is None:
        return
    message = api.model.message(message_id)
    if message is None or message.owner != run.account.username or not message.pending_at(api.model.now()):
        return
    probe = api.case("cancel_mms", path_parameters={"message_id": message_id})
    response, _, _ = api.send(probe, run.peer)
    with _lock:
        api.model.stash[case.id] = (probe, response)


def _denied(response: Response) -> bool:
    data = wire.envelope_data(response.content)
    return response.status_code in DENIED and not (isinstance(data, dict) and data.get("message_id"))


def _peer_view(ctx: CheckContext, case: AnyCase, api: Api, peer: Credentials, message_id: str) -> Response:
    probe = api.case("get_mms_receipt", path_parameters={"message_id": message_id})
    return follow_up(ctx, case, api, probe, peer)


class other_account_sees_nothing:
    """Replays id-taking requests as the other account; the owner and the peer never see each other's messages."""

    def __init__(self) -> None:
        self.api: Api | None = None

    def after_response(self, ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        run = runenv.current()
        if run.peer is None or run.account is None or requester(response) != run.account.username:
            return SKIP
        operation = operation_id(case)
        if operation not in _JUDGED or (response.status_code != 200 and operation != "cancel_mms"):
            return SKIP
        api = self.api = Api.of(case, response)
        problems = self._owner_sees_peer(api, operation, response)
        if operation == "get_mms_receipt" and response.status_code == 200:
            message_id = str((case.path_parameters or {}).get("message_id", ""))
            answer = _peer_view(ctx, case, api, run.peer, message_id)
            if not _denied(answer):
                problems.append(f"the other account read {message_id} (receipt-by-id answered {answer.status_code})")
        elif operation == "cancel_mms":
            problems += self._cancel(ctx, case, response, api, run.peer)
        elif operation == "send_mms" and response.status_code == 200:
            problems += self._new_message(ctx, case, api, run.peer)
        elif operation == "mark_mms_receipts_read" and api.model.sampled("isolation:unread", *UNREAD_SAMPLE):
            problems += self._peer_receipt_unread(ctx, case, api, run.peer)
        elif operation == "cancel_all_mms" and response.status_code == 200 and self._cancelled_some(api, case):
            problems += self._canary_intact(ctx, case, api, run.peer, "the owner's cancel-all")
        if problems:
            raise AssertionError("Accounts are not isolated: " + "; ".join(problems[:3]))
        return PASSED

    def after_run(self, ctx: CheckContext) -> None:
        """Live: leave nothing behind (the canary is the peer's only trace)."""
        run = runenv.current()
        if run.live and run.peer is not None and self.api is not None:
            remove_canary(self.api, run.peer)

    @staticmethod
    def _cancelled_some(api: Api, case: AnyCase) -> bool:
        """A cancel-all that cancelled something (or, by sample, nothing) is followed by a look at the canary."""
        effect = api.model.effect(case.id)
        return bool(getattr(effect, "count", 0)) or api.model.sampled("isolation:cancel_all", 5, 10)

    @staticmethod
    def _owner_sees_peer(api: Api, operation: str, response: Response) -> list[str]:
        if response.status_code != 200:
            return []
        ids: list[str] = []
        if operation in RECORD_OPERATIONS:
            ids = [str(r.get("message_id")) for r in records_in(operation, response.content)]
        elif operation == "get_mms_receipts":
            ids = wire.row_ids(wire.page_of(response.content))
        run = runenv.current()
        assert run.account is not None
        foreign = [i for i in ids if api.model.owner_of.get(i) not in (None, run.account.username)]
        return [f"the owner sees {i}, a message of the other account" for i in foreign[:3]]

    @staticmethod
    def _cancel(ctx: CheckContext, case: AnyCase, response: Response, api: Api, peer: Credentials) -> list[str]:
        problems = []
        message_id = str((case.path_parameters or {}).get("message_id", ""))
        with _lock:
            stashed = api.model.stash.pop(case.id, None)
        if stashed is not None:
            probe, answer = stashed
            ctx.internals.record_case(parent_id=case.id, case=probe)
            ctx.internals.record_response(case_id=probe.id, response=answer)
            if not _denied(answer):
                problems.append(f"the other account cancelled {message_id} first (answered {answer.status_code})")
        if message_id == api.model.canary_id:
            if response.status_code not in DENIED:
                problems.append(
                    f"the owner's cancel of the other account's {message_id} answered {response.status_code}"
                )
            problems += other_account_sees_nothing._canary_intact(ctx, case, api, peer, "the owner's cancel")
        return problems

    @staticmethod
    def _new_message(ctx: CheckContext, case: AnyCase, api: Api, peer: Credentials) -> list[str]:
        accepted: list[Message] | None = api.model.effect(case.id)
        if not accepted or not api.model.sampled("isolation:send", SEND_PROBE_FIRST, SEND_PROBE_EVERY):
            return []
        message_id = accepted[0].message_id
        problems = []
        answer = _peer_view(ctx, case, api, peer, message_id)
        if not _denied(answer):
            problems.append(f"the other account read the new {message_id} (answered {answer.status_code})")
        history = follow_up(ctx, case, api, api.case("get_mms_history", query={"q": f"message_id:{message_id}"}), peer)
        if history.status_code == 200 and wire.row_ids(wire.page_of(history.content)):
            problems.append(f"the other account's history lists the new {message_id}")
        return problems

    @staticmethod
    def _peer_receipt_unread(ctx: CheckContext, case: AnyCase, api: Api, peer: Credentials) -> list[str]:
        """The peer's delivered canary (its record Completed: its receipt exists) stays in the peer's receipts
        list, which holds unread receipts only: the peer never reads, the owner's receipts-read marks only its own."""
        message_id = api.model.unread_canary_id
        if message_id is None:
            return []
        record = wire.envelope_data(_peer_view(ctx, case, api, peer, message_id).content)
        if not isinstance(record, dict) or record.get("status") != "Completed":
            return []  # not delivered yet
        page, last = 1, 1
        while page <= last:
            probe = api.case("get_mms_receipts", query={"page": page, "limit": wire.largest_page()})
            answer = wire.page_of(follow_up(ctx, case, api, probe, peer).content)
            if any(str(r.get("message_id")) == message_id for r in wire.rows_of(answer)):
                return []
            last = min(wire.count((answer or {}).get("last_page")) or 0, 5)
            page += 1
        return [f"after the owner's receipts-read, the other account's unread receipt for {message_id} is gone"]

    @staticmethod
    def _canary_intact(ctx: CheckContext, case: AnyCase, api: Api, peer: Credentials, what: str) -> list[str]:
        message_id = api.model.canary_id
        if message_id is None:
            return []
        answer = _peer_view(ctx, case, api, peer, message_id)
        data = wire.envelope_data(answer.content)
        status = data.get("status") if isinstance(data, dict) else None
        if answer.status_code != 200 or status != wire.CANCELLED:
            return []  # the peer could not read its own message: not an isolation question (other checks judge it)
        return [f"after {what}, the other account's scheduled {message_id} is Cancelled"]
