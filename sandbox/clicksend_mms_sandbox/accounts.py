"""Who may call the sandbox: accounts (key, behaviour, opening balance, rate limit) and the registry of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal, get_args

# How an account behaves: normally, or as one of ClickSend's test accounts of the same name.
AccountKind = Literal["normal", "nocredit", "notactive", "banned"]
KINDS: tuple[AccountKind, ...] = get_args(AccountKind)
# Enough for every README example, the 10,000-message bulk send included (24,200 AUD at 2.42), several times over.
DEFAULT_BALANCE = Decimal("100000.0000")


def kind_of(name: str) -> AccountKind:
    for kind in KINDS:
        if kind == name:
            return kind
    raise ValueError(f"unknown account kind {name!r} (one of {', '.join(KINDS)})")


def account_problems(username: object, api_key: object, rate_limit: object = None) -> dict[str, str]:
    """What is wrong with the fields of an account to add (from --accounts, --account or POST /_sandbox/accounts),
    per field; empty when nothing is."""
    problems = {}
    if not isinstance(username, str) or not 1 <= len(username) <= 64 or ":" in username or not username.isprintable():
        problems["username"] = "1 to 64 printable characters, no colon (HTTP Basic splits on it)"
    if not isinstance(api_key, str) or not 1 <= len(api_key) <= 128:
        problems["api_key"] = "1 to 128 characters"
    if rate_limit is not None and (not isinstance(rate_limit, int) or isinstance(rate_limit, bool) or rate_limit < 0):
        problems["rate_limit"] = "requests per window: a whole number, 0 (unlimited) or more"
    return problems


@dataclass(frozen=True)
class Account:
    username: str
    api_key: str
    kind: AccountKind = "normal"
    balance: Decimal = DEFAULT_BALANCE  # the opening balance; the store keeps the running one
    user_id: int = 1
    rate_limit: int | None = None  # requests per window for this account; None: the sandbox's --rate-limit

    def __repr__(self) -> str:  # the key never reaches a log or a traceback
        return f"Account(username={self.username!r}, kind={self.kind!r}, user_id={self.user_id})"


class AccountExists(ValueError):
    """An account of that username is already registered."""


class Accounts:
    """The accounts the sandbox knows: those it started with, plus any added at run time (POST /_sandbox/accounts).

    Lookups are one dict read (atomic under the GIL: the request path takes no lock); additions take a lock."""

    def __init__(self, initial: Sequence[Account]) -> None:
        self._initial = tuple(initial)
        self._lock = threading.Lock()
        self._by_name = {account.username: account for account in self._initial}

    def get(self, username: str) -> Account | None:
        return self._by_name.get(username)

    def add(self, account: Account) -> Account:
        """Register `account` under the next free user id (user ids scope uploads and show up in records)."""
        with self._lock:
            if account.username in self._by_name:
                raise AccountExists(f"an account named {account.username!r} exists")
            added = replace(account, user_id=max((a.user_id for a in self._by_name.values()), default=0) + 1)
            self._by_name = {**self._by_name, added.username: added}  # readers see the old or the new dict whole
        return added

    def restore(self, account: Account) -> Account | None:
        """Register an account kept from an earlier run under its own user id (the next free one if that is taken
        now); None, registering nothing, when a configured account of that name exists: the configuration wins."""
        with self._lock:
            if account.username in self._by_name:
                return None
            if any(a.user_id == account.user_id for a in self._by_name.values()):
                account = replace(account, user_id=max(a.user_id for a in self._by_name.values()) + 1)
            self._by_name = {**self._by_name, account.username: account}
        return account

    def remove(self, username: str) -> None:
        """Forget an account added at run time (an addition the store refused)."""
        with self._lock:
            self._by_name = {name: a for name, a in self._by_name.items() if name != username}

    def reset(self) -> tuple[Account, ...]:
        """Back to the accounts the sandbox started with; returns them."""
        with self._lock:
            self._by_name = {account.username: account for account in self._initial}
        return self._initial

    def __iter__(self) -> Iterator[Account]:
        return iter(tuple(self._by_name.values()))
