"""What a fuzz run will do, decided from the environment alone and stated before anything is sent."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import clicksend_mms_spec

from .guard import ALLOW_SPEND_ENV, MAX_SENDS_ENV, SpendPolicy
from .runenv import Credentials

USERNAME_ENV = "CLICKSEND_USERNAME"
API_KEY_ENV = "CLICKSEND_API_KEY"
# A second account of the same user, for the isolation oracle (live; the sandbox always has one).
PEER_USERNAME_ENV = "CLICKSEND_USERNAME_2"
PEER_API_KEY_ENV = "CLICKSEND_API_KEY_2"
BASE_URL_ENV = "CLICKSEND_BASE_URL"
# The time cap (seconds): only a guard against a hang; the run's strength is its case budget (schemathesis.toml).
MAX_TIME_ENV = "CLICKSEND_FUZZ_MAX_TIME"
DEFAULT_CAP = 900  # measured: ~4 min on this 2-core machine under heavy load (load average 14), 1 min quiet
# A smaller (or larger) case budget: examples per operation per phase instead of the config's.
EXAMPLES_ENV = "CLICKSEND_FUZZ_EXAMPLES"
# Under --strict (default when CI=true, and in `make mutants`) a run under its floors or cut by the cap fails.
STRICT_ENV = "CLICKSEND_FUZZ_STRICT"
# Stop after this many failures (the mutation harness: the first catch is the answer).
MAX_FAILURES_ENV = "CLICKSEND_FUZZ_MAX_FAILURES"
LIVE_DEFAULT_URL = "https://rest.clicksend.com/v3"
# Rehearse a live run against a sandbox: treat the target as ClickSend even though it says it is a sandbox.
FORCE_LIVE_ENV = "CLICKSEND_FUZZ_LIVE"
SANDBOX_PROBE_TIMEOUT = 5.0
# Against a real account: fewer cases and a gentle pace, so a run stays well under ClickSend's rate limits.
LIVE_MAX_EXAMPLES = 20
LIVE_RATE_LIMIT = "5/s"
# An account whose limits allow more (or a rehearsal against a local target) may set its own pace: N/s or N/m.
LIVE_RATE_ENV = "CLICKSEND_FUZZ_LIVE_RATE"
_RATE = re.compile(r"^[1-9][0-9]*/[sm]$")
LIVE_MAX_TIME = 52  # live only: schemathesis' time budget (the sandbox run is a case budget, budget.py)


@dataclass(frozen=True)
class Plan:
    live: bool
    base_url: str | None  # None: start the embedded sandbox; set and not live: a sandbox of the user's
    username: str
    api_key: str = field(repr=False)
    policy: SpendPolicy
    max_time: int | None
    peer: Credentials | None = None
    max_failures: int | None = None
    examples: int | None = None
    strict: bool = False
    live_rate: str = LIVE_RATE_LIMIT

    @property
    def cap(self) -> int:
        return self.max_time if self.max_time is not None else DEFAULT_CAP

    def schemathesis_arguments(self) -> list[str]:
        """What the plan adds to `schemathesis run` besides the target (checks left out live, a failure cap)."""
        arguments: list[str] = []
        if self.policy.excluded_checks:
            arguments += ["--exclude-checks", ",".join(self.policy.excluded_checks)]
        if self.max_failures is not None:
            arguments += ["--max-failures", str(self.max_failures)]
        return arguments

    def describe(self) -> str:
        """The up-front statement of the run. Never includes an API key."""
        spec = clicksend_mms_spec.path()
        if not self.live and self.base_url is not None:
            from clicksend_mms_sandbox.testing import SANDBOX_HEADER  # a sandbox's plan: the sandbox is installed

            isolation = f"on, second account {self.peer.username!r}" if self.peer is not None else "off"
            return (
                f"Target: your sandbox at {self.base_url} as user {self.username!r} (it answers with "
                f"{SANDBOX_HEADER}: the full run, no spend guard, no pacing; {FORCE_LIVE_ENV}=1 rehearses a "
                "live run instead).\n"
                f"Runs: every operation in {spec}; phases examples, coverage, fuzzing, stateful.\n"
                "Rate-limit burst: off (it needs a sandbox of its own, limited to a few requests).\n"
                f"Isolation: {isolation}."
            )
        if not self.live:
            return (
                "Target: the embedded sandbox (fresh, in memory) on a free 127.0.0.1 port, account 'sandbox'.\n"
                f"Runs: every operation in {spec}; phases examples, coverage, fuzzing, stateful,\n"
                "and beside them a rate-limit burst against a second sandbox limited to a few requests per account.\n"
                "Isolation: on (the sandbox's second account replays every id-taking request)."
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
        lines.append(f"Pace: at most {self.live_rate} requests, {LIVE_MAX_EXAMPLES} examples per operation.")
        if self.peer is not None:
            lines.append(f"Isolation: on, second account {self.peer.username!r} ({PEER_API_KEY_ENV}, never shown).")
        else:
            lines.append(
                f"Isolation: off (set {PEER_USERNAME_ENV} and {PEER_API_KEY_ENV} to a second account to enable)."
            )
        lines.append("Rate-limit burst: off (never against a live account).")
        if self.policy.excluded_checks:
            lines.append("Checks left out live: " + ", ".join(self.policy.excluded_checks) + ".")
        return "\n".join(lines)


def says_sandbox(base_url: str) -> bool:
    """Whether the API at ``base_url`` answers as a clicksend-mms sandbox does (testing.SANDBOX_HEADER on every
    answer; ClickSend never sends it). One unauthenticated GET; any doubt (no answer, no sandbox package here to
    know the header) is "no": the live guard is the safe side."""
    import urllib.error
    import urllib.request

    try:
        from clicksend_mms_sandbox.testing import SANDBOX_HEADER
    except ImportError:
        return False
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/", timeout=SANDBOX_PROBE_TIMEOUT) as answer:
            headers = answer.headers
    except urllib.error.HTTPError as refused:  # a 404 for the bare base URL is the usual answer
        headers = refused.headers
    except (OSError, ValueError):
        return False
    return headers.get(SANDBOX_HEADER) is not None


def strict_from_env(env: Mapping[str, str], examples: int | None) -> bool:
    """--strict's default: on when CLICKSEND_FUZZ_STRICT=1; else on under CI=true (unless it is 0) for the designed
    budget only: a run given a smaller one (`--examples N`, a quick look) judges less by choice, and says so."""
    said = env.get(STRICT_ENV, "").strip().lower()
    if said in ("1", "true", "yes"):
        return True
    return env.get("CI", "").strip().lower() == "true" and said != "0" and examples is None


def plan_from_env(environ: Mapping[str, str] | None = None) -> Plan:
    env = os.environ if environ is None else environ
    username = env.get(USERNAME_ENV, "")
    api_key = env.get(API_KEY_ENV, "")
    live = bool(username and api_key)
    target = (env.get(BASE_URL_ENV) or LIVE_DEFAULT_URL).rstrip("/") if live else None
    if target is not None and target != LIVE_DEFAULT_URL and env.get(FORCE_LIVE_ENV) != "1" and says_sandbox(target):
        live = False  # a sandbox of the user's (a CI service, a teammate's): the full run against it
    raw_time = env.get(MAX_TIME_ENV, "").strip()
    raw_failures = env.get(MAX_FAILURES_ENV, "").strip()
    raw_examples = env.get(EXAMPLES_ENV, "").strip()
    examples = int(raw_examples) if raw_examples.isdigit() and int(raw_examples) > 0 else None
    strict = strict_from_env(env, examples)
    live_rate = env.get(LIVE_RATE_ENV, "").strip() or LIVE_RATE_LIMIT
    if not _RATE.match(live_rate):
        raise ValueError(f"{LIVE_RATE_ENV}={live_rate!r}: give requests per second or minute, e.g. 5/s or 240/m")
    policy = SpendPolicy.from_env({**env, "CLICKSEND_FUZZ_MODE": "live" if live else "sandbox"})
    peer_user, peer_key = env.get(PEER_USERNAME_ENV, ""), env.get(PEER_API_KEY_ENV, "")
    if target is not None and not live and not (peer_user and peer_key):
        from clicksend_mms_sandbox import testing  # it said it is a sandbox: the package that knows the header

        if username == testing.DEFAULT.username:  # its default account has the second one beside it
            peer_user, peer_key = testing.SECOND.username, testing.SECOND.api_key
    return Plan(
        live=live,
        base_url=target,
        username=username,
        api_key=api_key,
        policy=policy,
        max_time=int(raw_time) if raw_time.isdigit() else None,
        peer=Credentials(peer_user, peer_key) if target is not None and peer_user and peer_key else None,
        max_failures=int(raw_failures) if raw_failures.isdigit() else None,
        examples=examples,
        strict=strict,
        live_rate=live_rate,
    )
