"""The targets of a run and what the schemathesis process is told about them.

Without credentials: two fresh sandboxes on free ports, started one after the other (about 0.6 s each). The main
one has the run's account with a balance no run can spend (so INSUFFICIENT_CREDIT never depends on the order of
cases), a second funded account for the isolation oracle, and a quick lifecycle; the other has a low per-account
rate limit for the rate-limit burst. Live: the URL and credentials from the environment, and no burst.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import ratelimit
from .plan import Plan
from .runenv import PEER_KEY_ENV, PEER_USER_ENV, RATE_LIMIT_URL_ENV, Credentials
from .target import SANDBOX_API_KEY, SANDBOX_USERNAME, sandbox_server

SANDBOX_BALANCE = "100000000"
# Queued -> Sent -> receipt in 0.5 + 1 s instead of 2 + 5: receipts exist within the seconds a run gives each
# operation, so the receipt oracles (and receipts-read) have something to judge.
_LIFECYCLE = ("--send-delay", "0.5", "--receipt-delay", "1")
# The sandbox's second account (local only, like the first one's documented key: not a secret).
SANDBOX_PEER = Credentials("sandbox-peer", "sandbox-peer-key")
_ACCOUNTS = (
    "--account",
    f"{SANDBOX_USERNAME}:{SANDBOX_API_KEY}:{SANDBOX_BALANCE}",
    "--account",
    f"{SANDBOX_PEER.username}:{SANDBOX_PEER.api_key}",
)


@contextlib.contextmanager
def targets(plan: Plan) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, environment for the schemathesis process) for the run's lifetime."""
    if plan.base_url is not None:
        env = {}
        if plan.peer is not None:
            env = {PEER_USER_ENV: plan.peer.username, PEER_KEY_ENV: plan.peer.api_key}
        yield plan.base_url, env
        return
    limited = ("--rate-limit", str(ratelimit.RATE_LIMIT), "--rate-window", str(ratelimit.RATE_WINDOW))
    with sandbox_server(*_ACCOUNTS, *_LIFECYCLE) as url, sandbox_server(*_ACCOUNTS, *limited) as burst_url:
        yield (
            url,
            {
                PEER_USER_ENV: SANDBOX_PEER.username,
                PEER_KEY_ENV: SANDBOX_PEER.api_key,
                RATE_LIMIT_URL_ENV: burst_url,
            },
        )
