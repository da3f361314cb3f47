"""Start-up configuration: accounts, lifecycle delays, limits. Built from flags, environment or a JSON file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import testing
from .accounts import DEFAULT_BALANCE, Account, account_problems, kind_of
from .pricing import amount_e4

__all__ = [
    "Account",
    "ConfigError",
    "Settings",
    "accounts_from_env",
    "default_accounts",
    "load_accounts_file",
    "parse_account_spec",
    "public_url",
]
ENV_ACCOUNTS = "CLICKSEND_SANDBOX_ACCOUNTS"
ENV_ADMIN_KEY = "CLICKSEND_SANDBOX_ADMIN_KEY"
ENV_SEED = "CLICKSEND_SANDBOX_SEED"


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
    # Whole-sandbox operations (reset all, add accounts, move the shared clock): with an admin key, only a request
    # carrying it (X-Sandbox-Admin-Key); without one, any account when `open_admin` (the single-user local default:
    # the CLI sets it for a loopback bind), nobody otherwise.
    admin_key: str | None = field(default=None, repr=False)
    open_admin: bool = True
    # Where clients reach the sandbox (scheme://host[:port]): the export and file links start with it. None: the
    # address the server is bound to. Never the request's Host header (a client must not choose where links point).
    public_url: str | None = None
    header_timeout: float = 10.0  # seconds a client may take to send a request's headers
    body_timeout: float = 30.0  # seconds a client may take to send a request's body
    seed: int | None = None  # ids and tokens from a PRNG with this seed (ids.py); None: random

    def with_accounts(self, extra: list[Account]) -> Settings:
        """Add or replace accounts by username; the default ones stay unless replaced."""
        names = {a.username for a in extra}
        kept = [a for a in self.accounts if a.username not in names]
        merged = [*kept, *extra]
        # user ids must be unique: they scope uploads and show up in records.
        renumbered = [replace(a, user_id=i) for i, a in enumerate(merged, start=1)]
        return replace(self, accounts=tuple(renumbered))


class ConfigError(ValueError):
    """A start-up setting the sandbox cannot use. The text says, in one line, which one (flag, variable, file entry)
    and what is wrong with it; never an API key."""


ACCOUNT_FILE_KEYS = ("username", "api_key", "balance", "kind", "rate_limit")


def opening_balance(value: object) -> Decimal:
    """An account's opening balance from a flag or a file: a number or a decimal string, in the range the control
    endpoints accept for a balance. ValueError saying what is allowed otherwise."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f'balance {value!r}: a number or a decimal string such as "250.00"')
    else:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f'balance {value!r}: a number or a decimal string such as "250.00"') from None
    try:
        amount_e4(amount)
    except ValueError as exc:
        raise ValueError(f"balance {value!r}: {exc}") from None
    return amount


def parse_account_spec(spec: str, where: str = "--account") -> Account:
    """`USER:KEY` or `USER:KEY:BALANCE`; a ConfigError naming `where` and the user (never the key) otherwise."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise ConfigError(f"{where}: an account is USER:KEY or USER:KEY:BALANCE ({len(parts)} part(s) given)")
    label = f"{where} {parts[0]!r}" if parts[0] else where
    problems = account_problems(parts[0], parts[1])
    if problems:
        raise ConfigError(f"{label}: " + "; ".join(f"{name}: {text}" for name, text in problems.items()))
    try:
        balance = opening_balance(parts[2]) if len(parts) == 3 else DEFAULT_BALANCE
    except ValueError as exc:
        raise ConfigError(f"{label}: {exc}") from None
    return Account(parts[0], parts[1], balance=balance)


def load_accounts_file(path: str | Path) -> list[Account]:
    """A JSON list of {"username", "api_key", "balance"?, "kind"?, "rate_limit"?}; a ConfigError naming the file and
    the entry (by position and username) otherwise."""
    where = f"--accounts {path}"
    try:
        raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: holds a JSON list of account objects, not {_json_type(raw)}")
    accounts: list[Account] = []
    for position, item in enumerate(raw, start=1):
        accounts.append(_account_entry(item, f"{where}: entry {position}"))
    _no_duplicates(accounts, where)
    return accounts


def _account_entry(item: object, where: str) -> Account:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: an object with {', '.join(ACCOUNT_FILE_KEYS)}, not {_json_type(item)}")
    username = item.get("username")
    if isinstance(username, str) and username:
        where = f"{where} ({username!r})"
    problems = [f"unknown key {key!r}" for key in item if key not in ACCOUNT_FILE_KEYS]
    fields = account_problems(item.get("username"), item.get("api_key"), item.get("rate_limit"))
    problems += [f"{key}: {text}" if key in item else f"missing {key!r}" for key, text in fields.items()]
    try:
        kind = kind_of(item.get("kind", "normal"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        balance = opening_balance(item.get("balance", DEFAULT_BALANCE))
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return Account(item["username"], item["api_key"], kind=kind, balance=balance, rate_limit=item.get("rate_limit"))


def _json_type(value: object) -> str:
    # The type, never the value: an entry written as "user:key" must not print its key.
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _no_duplicates(accounts: list[Account], where: str) -> None:
    seen: set[str] = set()
    for position, account in enumerate(accounts, start=1):
        if account.username in seen:
            raise ConfigError(f"{where}: entry {position} ({account.username!r}): that username is given twice")
        seen.add(account.username)


def accounts_from_env(environ: dict[str, str] | None = None) -> list[Account]:
    """CLICKSEND_SANDBOX_ACCOUNTS="user:key[:balance],..." adds accounts."""
    value = (environ if environ is not None else dict(os.environ)).get(ENV_ACCOUNTS, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return [parse_account_spec(item, f"{ENV_ACCOUNTS} entry {n}") for n, item in enumerate(items, start=1)]


def public_url(text: str) -> str:
    """--public-url: an http(s) origin, optionally with a path prefix, without a trailing slash; a ConfigError
    otherwise."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"--public-url {text!r}: an http(s) URL such as https://sandbox.example.com")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
