"""What a fuzz run will do, decided from the environment alone and stated before anything is sent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .guard import ALLOW_SPEND_ENV, MAX_SENDS_ENV, SpendPolicy

USERNAME_ENV = "CLICKSEND_USERNAME"
API_KEY_ENV = "CLICKSEND_API_KEY"
BASE_URL_ENV = "CLICKSEND_BASE_URL"
MAX_TIME_ENV = "CLICKSEND_FUZZ_MAX_TIME"
LIVE_DEFAULT_URL = "https://rest.clicksend.com/v3"
# Against a real account: fewer cases and a gentle pace, so a run stays well under ClickSend's rate limits.
LIVE_MAX_EXAMPLES = 20
LIVE_RATE_LIMIT = "5/s"


@dataclass(frozen=True)
class Plan:
    live: bool
    base_url: str | None  # None: start the embedded sandbox
    username: str
    api_key: str
    policy: SpendPolicy
    max_time: int | None

    def describe(self) -> str:
        """The up-front statement of the run. Never includes the API key."""
        if not self.live:
            return (
                "Target: the embedded sandbox (fresh, in memory) on a free 127.0.0.1 port, account 'sandbox'.\n"
                "Runs: every operation in spec/clicksend-mms.yaml; phases examples, coverage, fuzzing, stateful."
            )
        lines = [
            f"Target: LIVE API {self.base_url} as user {self.username!r} (API key from {API_KEY_ENV}, never shown).",
        ]
        if self.policy.allow_spend:
            lines.append(
                f"Spending ALLOWED ({ALLOW_SPEND_ENV}=1): every operation runs, cancel and cancel-all included; "
                f"at most {self.policy.max_sends} send request(s) keep their generated recipients ({MAX_SENDS_ENV}); "
                "every other send goes to ClickSend's free test recipients."
            )
        else:
            lines.append(
                "Free operations only: GET history/export/receipts, price, receipts-read, and send with every "
                "message rewritten to ClickSend's test recipients (+61411111111...; free, never delivered), "
                "list_id dropped."
            )
            lines.append(
                "Skipped: " + ", ".join(self.policy.excluded_operations) + f" (set {ALLOW_SPEND_ENV}=1 to include)."
            )
        lines.append(f"Pace: at most {LIVE_RATE_LIMIT} requests, {LIVE_MAX_EXAMPLES} examples per operation.")
        return "\n".join(lines)


def plan_from_env(environ: Mapping[str, str] | None = None) -> Plan:
    env = os.environ if environ is None else environ
    username = env.get(USERNAME_ENV, "")
    api_key = env.get(API_KEY_ENV, "")
    live = bool(username and api_key)
    raw_time = env.get(MAX_TIME_ENV, "").strip()
    policy = SpendPolicy.from_env({**env, "CLICKSEND_FUZZ_MODE": "live" if live else "sandbox"})
    return Plan(
        live=live,
        base_url=(env.get(BASE_URL_ENV) or LIVE_DEFAULT_URL).rstrip("/") if live else None,
        username=username,
        api_key=api_key,
        policy=policy,
        max_time=int(raw_time) if raw_time.isdigit() else None,
    )
