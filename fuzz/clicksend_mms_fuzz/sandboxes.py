"""The targets of a run and what the schemathesis process is told about them.

Without credentials: two fresh sandboxes on free ports, started one after the other (about 0.6 s each). The main
one has the run's account with a balance no run can spend (so INSUFFICIENT_CREDIT never depends on the order of
cases), the sandbox's second funded account for the isolation oracle, and an instant lifecycle; the other limits
every account to a few requests per short window, for the rate-limit burst. Live: the URL and credentials from
the environment, and no burst.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import config_file, ratelimit
from .plan import Plan
from .runenv import PEER_KEY_ENV, PEER_USER_ENV, RATE_LIMIT_URL_ENV
from .target import SANDBOX_API_KEY, SANDBOX_USERNAME, SECOND_ACCOUNT, sandbox_server

SANDBOX_BALANCE = "100000000"
_ACCOUNT = ("--account", f"{SANDBOX_USERNAME}:{SANDBOX_API_KEY}:{SANDBOX_BALANCE}")
# Sent and receipted the instant a message is due (instead of 2 + 5 s): every answer is then a function of the
# requests before it, never of how fast the machine ran them, so one seed gives one run (a wall-clock lifecycle of
# 0.5 + 1 s made every phase after the examples one differ between two runs of one clone: fuzz/README.md). The
# receipt oracles meet a receipt for every due message at once; the stages themselves (Queued, Sent without a
# receipt) are judged by lifecycle.py's stage probe on its own sandbox, with the clock driven, not waited for.
# lifecycle.py's magic-recipient probe reads these: the run's own configuration, not the sandbox's code.
SEND_DELAY = 0.0
RECEIPT_DELAY = 0.0
_LIFECYCLE = ("--send-delay", str(SEND_DELAY), "--receipt-delay", str(RECEIPT_DELAY))
# The lifecycle stage probe's own sandbox: stages a minute and two wide, so a read lands inside its stage however
# busy the machine (inside the run's 0.5 s and 1 s stages it would be a race with the machine's speed).
STAGE_SEND_DELAY = 60.0
STAGE_RECEIPT_DELAY = 120.0


def seed_flags() -> tuple[str, ...]:
    """The run's seed (schemathesis.toml) for the sandboxes too: the ids they assign (which the stateful phase
    follows) are then the same every run, and so are the cases."""
    seed = config_file.settings().get("seed")
    return () if seed is None else ("--seed", str(seed))


@contextlib.contextmanager
def targets(plan: Plan) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, environment for the schemathesis process) for the run's lifetime."""
    if plan.base_url is not None:
        env = {}
        if plan.peer is not None:
            env = {PEER_USER_ENV: plan.peer.username, PEER_KEY_ENV: plan.peer.api_key}
        yield plan.base_url, env
        return
    window = ("--rate-window", str(ratelimit.RATE_WINDOW))
    with (
        sandbox_server(*_ACCOUNT, *_LIFECYCLE, *seed_flags()) as url,
        sandbox_server(*window, *seed_flags(), rate_limit=ratelimit.RATE_LIMIT) as burst_url,
    ):
        yield (
            url,
            {
                PEER_USER_ENV: SECOND_ACCOUNT.username,
                PEER_KEY_ENV: SECOND_ACCOUNT.api_key,
                RATE_LIMIT_URL_ENV: burst_url,
            },
        )


@contextlib.contextmanager
def stage_sandbox() -> Iterator[str]:
    """A fresh sandbox with the run's account and the wide stages above (started after schemathesis is done)."""
    delays = ("--send-delay", str(STAGE_SEND_DELAY), "--receipt-delay", str(STAGE_RECEIPT_DELAY))
    with sandbox_server(*_ACCOUNT, *delays, *seed_flags()) as url:
        yield url
