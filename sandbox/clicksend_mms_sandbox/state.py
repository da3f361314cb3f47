"""What a running sandbox holds (`app.state.sandbox`): the rules over the store, and beside them the clock, the
fault queue, the rate limiter and the account registry."""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import Account, Accounts
from .cache import RecordCache
from .clock import Clock
from .faults import FaultQueue, RateLimiter
from .pricing import money
from .rules import Rules
from .settings import Settings
from .spec import Contract
from .store import Store


@dataclass
class SandboxState:
    settings: Settings
    accounts: Accounts
    rules: Rules
    clock: Clock
    faults: FaultQueue
    rate_limiter: RateLimiter
    contract: Contract

    @property
    def store(self) -> Store:
        return self.rules.store

    @property
    def records(self) -> RecordCache:
        return self.rules.records

    def advance(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def balance(self, username: str) -> str:
        """An account's balance as ClickSend writes money ("10000.0000")."""
        return money(self.store.balance(username))

    def rate_limit(self, account: Account) -> int:
        """Requests per window for `account` (its own limit, else the sandbox's); 0: unlimited."""
        return self.rate_limiter.limit if account.rate_limit is None else account.rate_limit
