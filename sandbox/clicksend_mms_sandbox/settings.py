"""Start-up configuration: accounts, lifecycle delays, limits. Built from flags, environment or a JSON file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import testing
from .accounts import DEFAULT_BALANCE, Account, kind_of

__all__ = ["Account", "Settings", "accounts_from_env", "default_accounts", "load_accounts_file", "parse_account_spec"]


def default_accounts() -> tuple[Account, ...]:
    """`sandbox` and `sandbox2` (funded), then ClickSend's test accounts, which behave as their names say."""
    funded = [Account(c.username, c.api_key) for c in (testing.DEFAULT, testing.SECOND)]
    clicksend_tests = [
        Account(c.username, c.api_key, kind=kind_of(c.username), balance=Decimal(0))
        for c in testing.CLICKSEND_TEST_ACCOUNTS
    ]
    return tuple(replace(a, user_id=i) for i, a in enumerate([*funded, *clicksend_tests], start=1))


@dataclass(frozen=True)
class Settings:
    accounts: tuple[Account, ...] = field(default_factory=default_accounts)
    db_path: str = ":memory:"
    send_delay: float = 2.0  # seconds from Queued to Sent
    receipt_delay: float = 5.0  # seconds from Sent to the delivery receipt
    rate_limit: int = 6000  # requests per account per window (an account's own rate_limit wins); 0 disables
    rate_window: int = 60
    max_body_bytes: int = 5 * 1024 * 1024
    export_ttl: int = 20 * 60  # ClickSend's pre-signed export links live 20 minutes (X-Amz-Expires=1200)
    upload_ttl: int = 30 * 24 * 3600
    max_schedule_ahead: int = 2 * 365 * 24 * 3600  # further ahead answers INVALID_SCHEDULE

    def with_accounts(self, extra: list[Account]) -> Settings:
        """Add or replace accounts by username; the default ones stay unless replaced."""
        names = {a.username for a in extra}
        kept = [a for a in self.accounts if a.username not in names]
        merged = [*kept, *extra]
        # user ids must be unique: they scope uploads and show up in records.
        renumbered = [replace(a, user_id=i) for i, a in enumerate(merged, start=1)]
        return replace(self, accounts=tuple(renumbered))


def parse_account_spec(spec: str) -> Account:
    """`USER:KEY` or `USER:KEY:BALANCE`."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError("an account is USER:KEY or USER:KEY:BALANCE")
    balance = Decimal(parts[2]) if len(parts) == 3 else DEFAULT_BALANCE
    return Account(parts[0], parts[1], balance=balance)


def load_accounts_file(path: str | Path) -> list[Account]:
    """A JSON list of {"username", "api_key", "balance"?, "kind"?, "rate_limit"?}."""
    raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError("the accounts file holds a JSON list of objects")
    accounts: list[Account] = []
    for item in raw:
        rate_limit = item.get("rate_limit")
        if rate_limit is not None and (
            not isinstance(rate_limit, int) or isinstance(rate_limit, bool) or rate_limit < 0
        ):
            raise ValueError(f"rate_limit must be a whole number of requests per window, not {rate_limit!r}")
        accounts.append(
            Account(
                str(item["username"]),
                str(item["api_key"]),
                kind=kind_of(item.get("kind", "normal")),
                balance=Decimal(str(item.get("balance", DEFAULT_BALANCE))),
                rate_limit=rate_limit,
            )
        )
    return accounts


def accounts_from_env(environ: dict[str, str] | None = None) -> list[Account]:
    """CLICKSEND_SANDBOX_ACCOUNTS="user:key[:balance],..." adds accounts."""
    value = (environ if environ is not None else dict(os.environ)).get("CLICKSEND_SANDBOX_ACCOUNTS", "")
    return [parse_account_spec(item.strip()) for item in value.split(",") if item.strip()]
