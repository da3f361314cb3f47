"""The sandbox's test accounts and recipients, as the reference shows them.

`sandbox_facts()` is the only place the docs read them from, each from its one home: the accounts the sandbox
starts with (settings), ClickSend's test recipients and test accounts (the spec's `x-clicksend-testing`, through
`testing`), the sandbox's magic recipients (the spec's `x-clicksend-sandbox`, through numbers) and its
currency (pricing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import testing
from ..numbers import MAGIC_RECIPIENTS
from ..pricing import CURRENCY
from ..settings import default_accounts
from ..spec import load_spec

NORMAL_BEHAVIOUR = "a funded account: sends are charged, delivered and receipted on the sandbox clock"
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


def _behaviour(kind: str, described: dict[str, str]) -> str:
    # ClickSend's test accounts are named after their kind and behave as the spec documents them.
    return f"ClickSend's test account: {described[kind]}" if kind != "normal" else NORMAL_BEHAVIOUR


def sandbox_facts() -> SandboxFacts:
    """The default accounts, ClickSend's test recipients and the sandbox's magic recipients."""
    described: dict[str, str] = load_spec()["x-clicksend-testing"]["accounts"]
    accounts = tuple(
        AccountFact(a.username, a.api_key, a.kind, f"{a.balance:.4f}", _behaviour(a.kind, described))
        for a in default_accounts()
    )
    magic = tuple(
        RecipientFact(number, f"rejected at send: `{m.reject}`" if m.reject else _OUTCOMES[m.outcome])
        for number, m in sorted(MAGIC_RECIPIENTS.items())
    )
    return SandboxFacts(accounts, tuple(testing.TEST_RECIPIENTS), magic, CURRENCY["currency_name_short"])
