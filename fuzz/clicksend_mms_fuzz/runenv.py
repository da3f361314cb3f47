"""What the schemathesis process knows about the run, from the environment the runner (or a test) sets.

Credentials travel by environment only (never argv), so `ps` and schemathesis' reports never show a key.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .guard import ALLOW_SPEND_ENV, MODE_ENV

# Basic auth of the account under test; schemathesis.toml's [auth] reads the same two variables.
AUTH_USER_ENV = "CLICKSEND_FUZZ_AUTH_USER"
AUTH_KEY_ENV = "CLICKSEND_FUZZ_AUTH_KEY"
# The second account the isolation oracle replays requests with (unset: isolation off).
PEER_USER_ENV = "CLICKSEND_FUZZ_PEER_USER"
PEER_KEY_ENV = "CLICKSEND_FUZZ_PEER_KEY"
# A sandbox started with a low per-account limit, for the rate-limit burst (unset: no burst; never set live).
RATE_LIMIT_URL_ENV = "CLICKSEND_FUZZ_RATE_LIMIT_URL"


@dataclass(frozen=True)
class Credentials:
    username: str
    api_key: str

    def __repr__(self) -> str:  # the key never reaches a log, a report or a traceback
        return f"Credentials(username={self.username!r})"


@dataclass(frozen=True)
class RunEnv:
    live: bool
    allow_spend: bool
    account: Credentials | None
    peer: Credentials | None
    rate_limit_url: str | None

    @property
    def sandbox(self) -> bool:
        return not self.live

    def may_write(self) -> bool:
        """Whether an oracle may send a request that changes the account's state (cancel, send, burst)."""
        return self.sandbox or self.allow_spend

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RunEnv:
        env = os.environ if environ is None else environ

        def pair(user_var: str, key_var: str) -> Credentials | None:
            user, key = env.get(user_var, ""), env.get(key_var, "")
            return Credentials(user, key) if user and key else None

        live = env.get(MODE_ENV, "sandbox") == "live"
        return cls(
            live=live,
            allow_spend=env.get(ALLOW_SPEND_ENV, "") == "1",
            account=pair(AUTH_USER_ENV, AUTH_KEY_ENV),
            peer=pair(PEER_USER_ENV, PEER_KEY_ENV),
            rate_limit_url=None if live else (env.get(RATE_LIMIT_URL_ENV) or None),
        )


@functools.cache
def current() -> RunEnv:
    """The run's settings, read once per process (`current.cache_clear()` after changing the environment)."""
    return RunEnv.from_env()
