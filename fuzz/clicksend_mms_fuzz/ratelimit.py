"""The rate-limit phase: a bounded burst against a sandbox started with a low per-account limit.

Runs once, beside the other phases, and is judged after them (a class check's `after_run`); only when the runner
started such a sandbox (CLICKSEND_FUZZ_RATE_LIMIT_URL; never in live mode: a burst against a real account is not
the fuzzer's to make).
``rate_limit_burst`` asserts: exactly `RATE_LIMIT` requests pass, counted down by `x-ratelimit-remaining`; the
next one is a 429 that conforms to the spec's 429 (status, body, and the headers it declares: `Retry-After` is
required); the other account is not limited by it; and after waiting `Retry-After` seconds requests pass again.
"""

from __future__ import annotations

import threading
import time

from schemathesis import CheckContext, Response

from . import runenv, wire
from .probes import SKIP, AnyCase, Api

RATE_LIMIT = 5  # requests per account per window on the burst sandbox
RATE_WINDOW = 2  # seconds; Retry-After can never exceed it
MAX_BURST = 3 * RATE_LIMIT  # per burst, never more, whatever the server does (two bursts)
BURST_TIMEOUT = 30.0
BURST_OPERATION = "get_mms_history"

COUNTS: dict[str, int] = {"requests": 0, "429": 0}
"""What the phase sent, for the run's summary."""
_lock = threading.Lock()


def _conformance_problems(case: AnyCase, response: Response) -> list[str]:
    """The spec's own verdict on a response: its status, body schema and declared (required) headers."""
    from schemathesis.core.failures import Failure, FailureGroup
    from schemathesis.specs.openapi.checks import (
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    try:
        case.validate_response(
            response, checks=[status_code_conformance, response_schema_conformance, response_headers_conformance]
        )
    except FailureGroup as group:  # a BaseExceptionGroup: one failure per broken rule
        return [f"the 429 does not conform to the spec: {f.title}: {f.message}" for f in group.exceptions]
    except Failure as failure:
        return [f"the 429 does not conform to the spec: {failure.title}: {failure.message}"]
    return []


class rate_limit_burst:
    """A bounded burst under a low per-account limit: 429s with the declared headers, then recovery.

    It starts with the run's first answer, in a thread of its own against its own sandbox (mostly it waits out
    Retry-After, which would otherwise add to the run's time), and is judged once all phases are done."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._problems: list[str] = []

    def after_response(self, ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        run = runenv.current()
        with _lock:
            if self._thread is not None or run.rate_limit_url is None or run.account is None:
                return SKIP
            api = Api(case.operation.schema, run.rate_limit_url, app=None)  # the spec its 429s are judged by
            account, peer = run.account, run.peer
            self._thread = threading.Thread(
                target=lambda: self._problems.extend(burst(api, account, peer)), name="rate-limit-burst", daemon=True
            )
            self._thread.start()
        return SKIP

    def after_run(self, ctx: CheckContext) -> None:
        if self._thread is None:
            return
        self._thread.join(timeout=BURST_TIMEOUT)
        if self._thread.is_alive():
            raise AssertionError(f"Rate limit: the burst did not finish within {BURST_TIMEOUT:.0f}s")
        if self._problems:
            raise AssertionError("Rate limit: " + "; ".join(self._problems))


def _call(api: Api, account: runenv.Credentials) -> tuple[AnyCase, Response]:
    case = api.case(BURST_OPERATION)
    response, _, _ = api.send(case, account)
    with _lock:
        COUNTS["requests"] += 1
        COUNTS["429"] += response.status_code == 429
    return case, response


def _until_limited(api: Api, account: runenv.Credentials) -> tuple[list[Response], tuple[AnyCase, Response] | None]:
    passed: list[Response] = []
    for _ in range(MAX_BURST):
        case, response = _call(api, account)
        if response.status_code != 200:
            return passed, (case, response)
        passed.append(response)
    return passed, None


def _countdown(passed: list[Response]) -> list[int | None]:
    return [wire.count(wire.header(r.headers, "x-ratelimit-remaining")) for r in passed]


def burst(api: Api, account: runenv.Credentials, peer: runenv.Credentials | None) -> list[str]:
    """Burst until limited; check the 429; the peer is not limited; wait Retry-After; burst again.

    The first burst may straddle a window boundary (the limiter's windows are the server's business), so it is
    only bounded; the second starts right after one (Retry-After is the time to the boundary), so exactly
    `RATE_LIMIT` requests must pass in it.
    """
    passed, limited = _until_limited(api, account)
    if limited is None:
        return [f"{MAX_BURST} requests in a burst, none answered 429 (limit {RATE_LIMIT} per {RATE_WINDOW}s)"]
    case, response = limited
    if response.status_code != 429:
        return [f"the burst got {response.status_code} before any 429"]
    problems = _conformance_problems(case, response)
    countdown = _countdown(passed)
    if not passed or countdown[-1] != 0:
        problems.append(f"429 after x-ratelimit-remaining {countdown[-1:] or 'none'}, not after 0")
    retry_after = wire.count(wire.header(response.headers, "Retry-After"))
    reset = wire.count(wire.header(response.headers, "ratelimit-reset"))
    if retry_after is None:
        return [*problems, "the 429 has no usable Retry-After"]
    if not 0 <= retry_after <= RATE_WINDOW:
        problems.append(f"Retry-After is {retry_after}s, the window is {RATE_WINDOW}s")
        retry_after = RATE_WINDOW
    if reset is not None and reset != retry_after:
        problems.append(f"ratelimit-reset is {reset}, Retry-After {retry_after}")
    if peer is not None:
        _, other = _call(api, peer)
        if other.status_code != 200:
            problems.append(f"the other account was limited too ({other.status_code}): the limit is per account")
    time.sleep(retry_after + 0.1)
    passed, limited = _until_limited(api, account)
    if not passed:
        status = limited[1].status_code if limited else None
        return [*problems, f"still {status} after waiting Retry-After ({retry_after}s)"]
    expected = list(range(RATE_LIMIT - 1, -1, -1))
    if limited is None or limited[1].status_code != 429 or _countdown(passed) != expected:
        problems.append(
            f"after Retry-After, {len(passed)} request(s) passed (x-ratelimit-remaining {_countdown(passed)}) "
            f"before {limited[1].status_code if limited else 'no'} 429; the limit is {RATE_LIMIT} per window"
        )
    return problems
