"""The sandbox's test accounts and recipients, as the reference shows them.

`sandbox_facts()` is the only place the docs read them from. They live in settings.py and rules.py today;
when they move to `clicksend_mms_sandbox.testing`, repoint this one function and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import rules
from ..settings import default_accounts

# What each account kind does (a test checks every kind in settings.AccountKind is here); the accounts
# themselves come from the sandbox's settings.
KIND_BEHAVIOUR: dict[str, str] = {
    "normal": "an ordinary account: sends are charged and delivered",
    "nocredit": "ClickSend's test account: every message `INSUFFICIENT_CREDIT` (send and price)",
    "notactive": 'ClickSend\'s test account: 401 "Authorization failed." (like wrong credentials)',
    "banned": "ClickSend's test account: 403 `FORBIDDEN` (account suspended)",
}

_OUTCOMES = {
    "delivered": "delivered: Queued → Sent → Completed, receipt `201`",
    "failed": "fails after sending: → Failed, receipt `301`",
    "none": "sent, never a receipt (stays `Sent`)",
}


@dataclass(frozen=True)
class AccountFact:
    username: str
    api_key: str
    kind: str
    balance: str
    behaviour: str


@dataclass(frozen=True)
class RecipientFact:
    number: str
    outcome: str


@dataclass(frozen=True)
class SandboxFacts:
    accounts: tuple[AccountFact, ...]
    test_recipients: tuple[str, ...]  # ClickSend's documented test numbers: free, never delivered
    magic_recipients: tuple[RecipientFact, ...]  # the sandbox's own numbers with a fixed outcome
    currency: str  # of the balances


def sandbox_facts() -> SandboxFacts:
    """The default accounts, ClickSend's test recipients and the sandbox's magic recipients."""
    accounts = tuple(
        AccountFact(a.username, a.api_key, a.kind, f"{a.balance:.4f}", KIND_BEHAVIOUR[a.kind])
        for a in default_accounts()
    )
    magic = tuple(
        RecipientFact(number, f"rejected at send: `{m.reject}`" if m.reject else _OUTCOMES[m.outcome])
        for number, m in sorted(rules.MAGIC_RECIPIENTS.items())
    )
    test_recipients = tuple(sorted(rules.CLICKSEND_TEST_RECIPIENTS))
    return SandboxFacts(accounts, test_recipients, magic, rules.CURRENCY["currency_name_short"])
