"""The live-mode spend guard: what a fuzz run against a real ClickSend account may do.

Default (no opt-in): only operations that cost nothing run — GETs, price, receipts-read — plus sends whose
every message goes to one of ClickSend's documented test recipients (free, never delivered). Cancel, cancel-all
and uploads are left out (they act on the account's real messages and files).

With CLICKSEND_ALLOW_SPEND=1 every operation runs, and at most CLICKSEND_MAX_SENDS send requests keep their
generated (possibly real, billable) recipients; every send after that is rewritten to test recipients too.

The rewrite happens in a `before_call` hook, i.e. on the request actually sent, whatever phase generated it
(examples, coverage, fuzzing, stateful); schemathesis' own probes (ignored_auth, unsupported_method...) carry
no valid credentials or no valid route, so they cannot send anything.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MODE_ENV = "CLICKSEND_FUZZ_MODE"  # set by the runner: "sandbox" or "live"
ALLOW_SPEND_ENV = "CLICKSEND_ALLOW_SPEND"
MAX_SENDS_ENV = "CLICKSEND_MAX_SENDS"
DEFAULT_MAX_SENDS = 3

# Operations that may change what the account owns or pays for; excluded live unless spending is allowed.
SPENDING_OPERATIONS = ("cancel_mms", "cancel_all_mms", "upload_media")
SEND_OPERATION = "send_mms"

# What each custom check (checks.CHECKS) needs against live ClickSend. "free": it only reads, or calls price
# (free), after what the run did anyway: always runs. "spend": it verifies cancels, which only a spending run
# makes: runs with CLICKSEND_ALLOW_SPEND=1. "sandbox": it needs what only the sandbox shows (its balance, a
# low-limit twin to burst): never runs live. The runner leaves the others out with --exclude-checks.
CHECKS_LIVE: dict[str, str] = {
    "paginator_arithmetic": "free",
    "next_page_continues": "free",
    "send_is_recorded": "free",
    "records_match_sends": "free",
    "receipts_read_takes_effect": "free",
    "invalid_recipient_not_success": "free",
    "price_matches_send": "free",
    "scheduled_not_delivered_early": "free",
    "receipts_only_for_sent": "free",
    "history_obeys_query": "free",  # live: per-row checks and q=message_id: of the run's own messages
    "links_lead_to_own_data": "free",  # a GET of the link export/upload answered
    "credentials_refused": "free",  # reads and price only, with credentials that must fail
    "spec_rules_hold": "free",  # judges the case's own answer: no request of its own
    "other_account_sees_nothing": "free",  # reads as the peer; its cancel replay and canary need spend
    "cancel_is_final": "spend",
    "cancel_takes_effect": "spend",
    "cancel_all_takes_effect": "spend",
    "balance_matches_charges": "sandbox",
    "rate_limit_burst": "sandbox",
}


@dataclass(frozen=True)
class SpendPolicy:
    live: bool
    allow_spend: bool
    max_sends: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SpendPolicy:
        env = os.environ if environ is None else environ
        raw_max = env.get(MAX_SENDS_ENV, "").strip()
        return cls(
            live=env.get(MODE_ENV, "sandbox") == "live",
            allow_spend=env.get(ALLOW_SPEND_ENV, "") == "1",
            max_sends=int(raw_max) if raw_max.isdigit() else DEFAULT_MAX_SENDS,
        )

    @property
    def excluded_operations(self) -> tuple[str, ...]:
        return SPENDING_OPERATIONS if self.live and not self.allow_spend else ()

    @property
    def excluded_checks(self) -> tuple[str, ...]:
        if not self.live:
            return ()
        allowed = {"free", "spend"} if self.allow_spend else {"free"}
        return tuple(name for name, where in CHECKS_LIVE.items() if where not in allowed)


class SendBudget:
    """Counts sends that keep their generated recipients; thread-safe (schemathesis runs workers as threads)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._used >= self._limit:
                return False
            self._used += 1
            return True

    @property
    def used(self) -> int:
        return self._used


_recipients: Iterator[str] | None = None
_recipients_lock = threading.Lock()


def _test_recipient() -> str:
    global _recipients
    with _recipients_lock:
        if _recipients is None:
            # Read on first use, not at import: `python -m clicksend_mms_fuzz --help` imports this module, and a plain
            # client install has no sandbox (whose testing module reads the list from the spec) to name the extra.
            from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

            _recipients = itertools.cycle(TEST_RECIPIENTS)
        return next(_recipients)


def to_test_recipients(body: Any) -> Any:
    """The send body with every message addressed to a test recipient and no list_id (a list is real contacts)."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        # A malformed (negative) body: ClickSend rejects it with a 400 before sending anything.
        return body
    messages = []
    for message in body["messages"]:
        if isinstance(message, dict):
            message = {k: v for k, v in message.items() if k != "list_id"}
            message["to"] = _test_recipient()
        messages.append(message)
    return {**body, "messages": messages}


class Guard:
    def __init__(self, policy: SpendPolicy) -> None:
        self.policy = policy
        self.budget = SendBudget(policy.max_sends if policy.allow_spend else 0)

    def guard_body(self, operation_id: str, body: Any) -> Any:
        if not self.policy.live or operation_id != SEND_OPERATION:
            return body
        if self.budget.take():
            return body
        return to_test_recipients(body)


GUARD = Guard(SpendPolicy.from_env())
