"""HTTP Basic against the configured accounts (username + API key), compared in constant time."""

from __future__ import annotations

import base64
import hmac
import logging
from dataclasses import dataclass

from .accounts import Account, Accounts

log = logging.getLogger("clicksend_mms_sandbox.auth")

# Compared against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_KEY = b"\x00" * 36


@dataclass(frozen=True)
class AuthResult:
    account: Account | None
    failure: str | None  # None, "unauthorized" or "forbidden"


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and a token with non-ASCII characters ("Basic ä")
        return None
    username, sep, key = decoded.partition(":")
    return (username, key) if sep else None


def authenticate(accounts: Accounts, header: str | None) -> AuthResult:
    credentials = parse_basic(header)
    if credentials is None:
        return AuthResult(None, "unauthorized")
    username, key = credentials
    account = accounts.get(username)
    expected = account.api_key.encode() if account else _DUMMY_KEY
    key_ok = hmac.compare_digest(expected, key.encode())
    if account is None or not key_ok:
        # Never the key, and no username that is not an account's: a key given in the username's place (the two
        # swapped) would otherwise land in the log.
        log.info("authorization failed: %s", f"wrong key for username={username!r}" if account else "unknown username")
        return AuthResult(None, "unauthorized")
    if account.kind == "notactive":
        # ClickSend answers an inactive account exactly like wrong credentials.
        return AuthResult(None, "unauthorized")
    if account.kind == "banned":
        return AuthResult(None, "forbidden")
    return AuthResult(account, None)
