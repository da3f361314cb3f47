"""Start-up configuration: accounts, lifecycle delays, limits. Built from flags, environment or a JSON file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

AccountKind = Literal["normal", "nocredit", "notactive", "banned"]

# ClickSend's documented test accounts all share this API key (see sandbox/README.md).
CLICKSEND_TEST_API_KEY = "D83DED51-9E35-4D42-9BB9-0E34B7CA85AE"
DEFAULT_USERNAME = "sandbox"
DEFAULT_API_KEY = "sandbox-key"
DEFAULT_BALANCE = Decimal("10000.0000")


@dataclass(frozen=True)
class Account:
    username: str
    api_key: str
    kind: AccountKind = "normal"
    balance: Decimal = DEFAULT_BALANCE  # starting balance; the store keeps the running one
    user_id: int = 1

    def __repr__(self) -> str:  # the key never reaches a log or a traceback
        return f"Account(username={self.username!r}, kind={self.kind!r}, user_id={self.user_id})"


def default_accounts() -> tuple[Account, ...]:
    return (
        Account(DEFAULT_USERNAME, DEFAULT_API_KEY, user_id=1),
        Account("nocredit", CLICKSEND_TEST_API_KEY, kind="nocredit", balance=Decimal(0), user_id=2),
        Account("notactive", CLICKSEND_TEST_API_KEY, kind="notactive", user_id=3),
        Account("banned", CLICKSEND_TEST_API_KEY, kind="banned", user_id=4),
    )


@dataclass(frozen=True)
class Settings:
    accounts: tuple[Account, ...] = field(default_factory=default_accounts)
    db_path: str = ":memory:"
    send_delay: float = 2.0  # seconds from Queued to Sent
    receipt_delay: float = 5.0  # seconds from Sent to the delivery receipt
    rate_limit: int = 6000  # requests per account per window; 0 disables
    rate_window: int = 60
    max_body_bytes: int = 5 * 1024 * 1024
    export_ttl: int = 20 * 60  # ClickSend's pre-signed export links live 20 minutes (X-Amz-Expires=1200)
    upload_ttl: int = 30 * 24 * 3600
    max_schedule_ahead: int = 2 * 365 * 24 * 3600  # further ahead answers INVALID_SCHEDULE

    def account(self, username: str) -> Account | None:
        for account in self.accounts:
            if account.username == username:
                return account
        return None

    def with_accounts(self, extra: list[Account]) -> Settings:
        """Add or replace accounts by username; the ClickSend test accounts stay unless replaced."""
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
    """A JSON list of {"username", "api_key", "balance"?, "kind"?}."""
    raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError("the accounts file holds a JSON list of objects")
    accounts: list[Account] = []
    for item in raw:
        kind = item.get("kind", "normal")
        if kind not in ("normal", "nocredit", "notactive", "banned"):
            raise ValueError(f"unknown account kind {kind!r}")
        accounts.append(
            Account(
                str(item["username"]),
                str(item["api_key"]),
                kind=kind,
                balance=Decimal(str(item.get("balance", DEFAULT_BALANCE))),
            )
        )
    return accounts


def accounts_from_env(environ: dict[str, str] | None = None) -> list[Account]:
    """CLICKSEND_SANDBOX_ACCOUNTS="user:key[:balance],..." adds accounts."""
    value = (environ if environ is not None else dict(os.environ)).get("CLICKSEND_SANDBOX_ACCOUNTS", "")
    return [parse_account_spec(item.strip()) for item in value.split(",") if item.strip()]
