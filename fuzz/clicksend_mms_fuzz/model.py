"""What the run knows it did to each account: the messages its sends created, what it cancelled, what it was
charged and refunded. The write-effect, isolation and rules oracles compare the API's answers with it.

Every request that can change state goes through `case.call` (so the `after_call` hook records it) or through
`probes.Api` (which records it too). Against a sandbox the run starts from a baseline read at first contact, so
the model is complete: a record the run did not create is itself a finding. Live, only what the run created is
compared; the account's other messages are left alone.

Times are the server's: the local clock plus an offset learnt at first contact (a sandbox's own clock, which a
test may have advanced, or the Date header), so a schedule is judged as the server judges it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import wire

# A schedule this close to "now" may or may not have passed when the server looked at it.
CLOCK_SLACK = 3.0
_MAX_EFFECTS = 2048


@dataclass
class Message:
    """A message a send of this run accepted (status SUCCESS), as send answered it."""

    message_id: str
    owner: str
    to: str | None
    subject: str | None
    body: str | None
    custom_string: str | None
    price: Decimal | None
    parts: int | None
    schedule: float | None  # unix seconds when send answered a schedule, else None (sent at once)
    accepted_at: float
    country: str | None = None
    cancelled_at: float | None = None
    requested_at: float | None = None  # when the send went out (server clock): the record was added in between

    @property
    def test_recipient(self) -> bool:
        return wire.is_test_recipient(self.to)

    def pending_at(self, moment: float) -> bool | None:
        """Scheduled and not yet due at `moment`: True / False, None when too close to tell."""
        if self.cancelled_at is not None or self.schedule is None:
            return False
        if self.schedule > moment + CLOCK_SLACK:
            return True
        return None if self.schedule > moment - CLOCK_SLACK else False


@dataclass
class Baseline:
    """An account as the run found it (sandbox only): what was there before the run's first request."""

    balance: Decimal | None
    history_total: int
    scheduled: int  # pending at first contact; the first cancel-all takes them
    cancelled: int


@dataclass
class AccountState:
    username: str
    messages: dict[str, Message] = field(default_factory=dict)
    rejected: set[str] = field(default_factory=set)  # ids send assigned to messages it did not accept
    baseline: Baseline | None = None
    charged: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    cancelled: int = 0  # messages cancelled by this run (its own, and the baseline's scheduled ones)
    baseline_scheduled_left: int = 0

    @property
    def complete(self) -> bool:
        """Every message of the account is one the run created (a fresh sandbox account)."""
        return self.baseline is not None and self.baseline.history_total == 0

    def expected_balance(self) -> Decimal | None:
        if self.baseline is None or self.baseline.balance is None:
            return None
        return self.baseline.balance - self.charged + self.refunded

    def expected_history_total(self) -> int | None:
        return None if self.baseline is None else self.baseline.history_total + len(self.messages)

    def expected_cancelled_total(self) -> int | None:
        return None if self.baseline is None else self.baseline.cancelled + self.cancelled


@dataclass(frozen=True)
class CancelEffect:
    message: Message | None  # the run's message the request named, if it is this account's
    pending: bool | None  # was it scheduled and not yet due (None: too close to its time to tell)
    foreign: bool  # the id is another account's message


@dataclass(frozen=True)
class CancelAllEffect:
    pending: tuple[Message, ...]  # certainly scheduled and not due when cancel-all ran
    uncertain: tuple[Message, ...]  # due within the clock slack: may or may not have been cancelled
    baseline_pending: int
    count: int | None


class Model:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.accounts: dict[str, AccountState] = {}
        self.owner_of: dict[str, str] = {}  # message id -> username, for every id this run was given
        self._effects: OrderedDict[str, Any] = OrderedDict()
        self.started: dict[str, float] = {}  # case id -> when its request went out
        # Cases of the id-taking operations that named a stored message of their own account (the "reach").
        self.reach: Counter[str] = Counter()
        self.reach_tried: Counter[str] = Counter()
        # Run-scoped state of the oracles against this target.
        self.contacted = False  # baselines taken (baseline.first_contact)
        self.canary_id: str | None = None  # the peer's scheduled message (isolation)
        self.unread_canary_id: str | None = None  # the peer's delivered message it never reads (isolation, sandbox)
        self.stash: dict[str, Any] = {}  # case id -> the peer's replay made before the case (isolation)
        self.followed: set[tuple[Any, ...]] = set()  # last pages already fetched (pagination)
        self.turns: Counter[str] = Counter()  # occurrences per sampling key (see `sampled`)
        self.pinned: Any = None
        self.offset = 0.0  # the server's clock minus the local one (baseline.first_contact learns it)

    def now(self) -> float:
        """The server's time now."""
        return time.time() + self.offset

    def account(self, username: str) -> AccountState:
        with self._lock:
            state = self.accounts.get(username)
            if state is None:
                state = self.accounts[username] = AccountState(username)
            return state

    def sampled(self, key: str, first: int, every: int) -> bool:
        """Deterministic sampling for the costlier follow-ups: the first `first` occurrences, then one in `every`.

        A planted bug shows on every send, so it is caught early either way; what is saved is the budget for cases.
        """
        with self._lock:
            turn = self.turns[key]
            self.turns[key] += 1
        return turn < first or turn % every == 0

    # ---- effects: what a request did, kept for the checks that run on its response ----

    def put_effect(self, case_id: str, effect: Any) -> None:
        with self._lock:
            self._effects[case_id] = effect
            while len(self._effects) > _MAX_EFFECTS:
                self._effects.popitem(last=False)

    def effect(self, case_id: str) -> Any:
        with self._lock:
            return self._effects.get(case_id)

    # ---- recording ----

    def observe(
        self, username: str | None, operation: str, case: Any, response: Any, started: float, answered: float
    ) -> Any:
        """Record what a request did (only a 200 changes anything); keep the effect for the checks of `case`.
        `started` and `answered` are local times (time.time())."""
        if username is None:
            return None
        started, answered = started + self.offset, answered + self.offset  # local times: to the server's clock
        status = response.status_code
        effect: Any = None
        if operation == "send_mms" and status == 200:
            effect = self.record_send(username, response.content, answered, started)
        elif operation == "cancel_mms" and status in (200, 404):
            message_id = str((case.path_parameters or {}).get("message_id", ""))
            effect = self.record_cancel(username, message_id, started, answered, ok=status == 200)
        elif operation == "cancel_all_mms" and status == 200:
            data = wire.envelope_data(response.content)
            count = wire.count(data.get("count")) if isinstance(data, dict) else None
            effect = self.record_cancel_all(username, started, answered, count)
        if effect is not None:
            self.put_effect(case.id, effect)
        return effect

    def set_baseline(self, username: str, baseline: Baseline) -> None:
        with self._lock:
            state = self.account(username)
            if state.baseline is None:
                state.baseline = baseline
                state.baseline_scheduled_left = baseline.scheduled

    def record_send(self, username: str, payload: bytes, now: float, requested: float | None = None) -> list[Message]:
        """The messages a send's 200 answer accepted; rejected ids are remembered as never stored."""
        data = wire.envelope_data(payload)
        accepted: list[Message] = []
        with self._lock:
            state = self.account(username)
            for item in wire.send_messages(payload):
                message_id = str(item.get("message_id", ""))
                if not message_id:
                    continue
                self.owner_of.setdefault(message_id, username)
                if item.get("status") != "SUCCESS":
                    state.rejected.add(message_id)
                    continue
                message = Message(
                    message_id=message_id,
                    owner=username,
                    to=_text(item.get("to")),
                    subject=_text(item.get("subject")),
                    body=_text(item.get("body")),
                    custom_string=_text(item.get("custom_string")),
                    price=wire.money(item.get("message_price")),
                    parts=wire.count(item.get("message_parts")),
                    schedule=wire.unix_seconds(item.get("schedule")),
                    accepted_at=now,
                    country=_text(item.get("country")),
                    requested_at=requested,
                )
                state.messages[message_id] = message
                accepted.append(message)
            total = wire.money(data.get("total_price")) if isinstance(data, dict) else None
            state.charged += total or Decimal(0)
        return accepted

    def record_cancel(self, username: str, message_id: str, started: float, answered: float, ok: bool) -> CancelEffect:
        with self._lock:
            owner = self.owner_of.get(message_id)
            message = self.account(username).messages.get(message_id)
            before = message.pending_at(started) if message is not None else None
            after = message.pending_at(answered) if message is not None else None
            pending = before if before == after else None
            effect = CancelEffect(message, pending, foreign=owner is not None and owner != username)
            if ok and message is not None and message.cancelled_at is None:
                self._cancel(self.account(username), message, answered)
            return effect

    def record_cancel_all(self, username: str, started: float, answered: float, count: int | None) -> CancelAllEffect:
        with self._lock:
            state = self.account(username)
            pending, uncertain = [], []
            for message in state.messages.values():
                before, after = message.pending_at(started), message.pending_at(answered)
                if before and after:
                    pending.append(message)
                elif before is not False or after is not False:
                    uncertain.append(message)
            effect = CancelAllEffect(tuple(pending), tuple(uncertain), state.baseline_scheduled_left, count)
            if count is not None:
                for message in pending:
                    self._cancel(state, message, answered)
                state.cancelled += state.baseline_scheduled_left
                state.baseline_scheduled_left = 0
            return effect

    def resolve(self, message_id: str, cancelled: bool, moment: float) -> None:
        """Settle a message a cancel could not be judged on (due within the clock slack), as the API shows it."""
        with self._lock:
            message = self.message(message_id)
            if message is not None and cancelled and message.cancelled_at is None:
                self._cancel(self.account(message.owner), message, moment)

    def _cancel(self, state: AccountState, message: Message, moment: float) -> None:
        message.cancelled_at = moment
        state.cancelled += 1
        state.refunded += message.price or Decimal(0)

    # ---- queries ----

    def message(self, message_id: str) -> Message | None:
        with self._lock:
            owner = self.owner_of.get(message_id)
            return self.accounts[owner].messages.get(message_id) if owner in self.accounts else None

    def stored_ids(self, username: str) -> list[str]:
        with self._lock:
            return list(self.account(username).messages)

    def pending_ids(self, username: str, moment: float | None = None) -> list[str]:
        moment = self.now() if moment is None else moment
        with self._lock:
            return [m.message_id for m in self.account(username).messages.values() if m.pending_at(moment)]


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


_MODELS: dict[tuple[str, int], Model] = {}
_MODELS_LOCK = threading.Lock()


def of(case: Any) -> Model:
    """The model of the target `case` goes to: one per base URL and in-process app (the pytest integration runs
    several sandboxes in one process; a `make fuzz` run has one)."""
    key = (str(case.operation.schema.get_base_url()), id(case.operation.app))
    with _MODELS_LOCK:
        found = _MODELS.get(key)
        if found is None:
            found = _MODELS[key] = Model()
            found.pinned = case.operation.app  # keeps the app alive, so its id is never reused for another
        return found


def all_models() -> list[Model]:
    with _MODELS_LOCK:
        return list(_MODELS.values())
