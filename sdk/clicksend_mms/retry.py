"""When a call is retried (capped exponential backoff with jitter), and why a send almost never is.

ClickSend has no idempotency key, so a send that may have reached the server must not be repeated: a
lost answer is not a lost message, and repeating it sends (and bills) the MMS twice.

| Failure                                         | GET, price, receipts-read, cancel(-all) | send, upload         |
|-------------------------------------------------|-----------------------------------------|----------------------|
| connect refused / DNS / connect or pool timeout | retried                                 | retried (not sent)   |
| read/write timeout, connection dropped mid-call | retried                                 | never (may be sent)  |
| 429 rate limited                                | retried after Retry-After (capped)      | retried after it (*) |
| 502 / 503 / 504                                 | retried                                 | never                |
| 500                                             | GETs retried; the others never (**)     | never                |
| other 5xx (501, 505...)                         | never                                   | never                |
| 400 / 401 / 403 / 404 / 413                     | never                                   | never                |

(**) a GET changes nothing, so repeating one after a 500 is always safe (as openai-python and stripe-python do);
a PUT or POST that answered 500 may have done its work (a cancel that did cancel answers 404 when repeated).

(*) a 429 is ClickSend's rate limiter refusing the request before it is processed: it proves the batch was
not accepted. A Retry-After longer than ``RetryPolicy.max_retry_after`` is not waited for: the
RateLimitedError is raised at once. Retries stop after ``attempts`` tries or ``timeout`` seconds, whichever
comes first; the last error is raised. ``RetryPolicy.disabled()`` turns retrying off.

"Nothing sent" is decided from the exception, not guessed: httpx's ConnectError / ConnectTimeout /
PoolTimeout come before the first byte is written. httpx-aiohttp maps *every* aiohttp connection error
(including "server disconnected" after the request was written) to httpx.ConnectTimeout, so for that
transport the aiohttp cause is inspected instead.

Each retry is logged on the ``clicksend_mms.retry`` logger (WARNING: operation, attempt, wait, cause; the record
carries them as ``operation``, ``attempt``, ``attempts``, ``wait`` and ``error``). The package's logger has a
NullHandler, so nothing is printed unless the application configures logging.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time

import httpx

from .exceptions import RateLimitedError, ServerError, TransportError

_RETRYABLE_5XX = frozenset({502, 503, 504})
_RETRYABLE_5XX_READ = _RETRYABLE_5XX | {500}  # a read repeated changes nothing
log = logging.getLogger("clicksend_mms.retry")


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; the table in this module's docstring says *what* is retried."""

    attempts: int = 5
    timeout: float = 60.0
    wait_initial: float = 0.25
    wait_max: float = 8.0
    wait_jitter: float = 0.5
    max_retry_after: float = 60.0

    @classmethod
    def disabled(cls) -> RetryPolicy:
        return cls(attempts=1)


def proves_not_sent(exc: httpx.TransportError) -> bool:
    """True only if ``exc`` shows the request never left this process (so repeating it cannot duplicate)."""
    if isinstance(exc, httpx.PoolTimeout):
        return True
    if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return False
    cause = exc.__cause__
    module = type(cause).__module__ if cause is not None else ""
    if module.startswith("aiohttp"):
        import aiohttp  # only reachable when the aiohttp transport raised, so it is installed

        return isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    return True


def decide(policy: RetryPolicy, exc: Exception, *, idempotent: bool, read_only: bool = False) -> bool | float:
    """The table above: False = raise now, True = back off exponentially, a float = wait that long.
    ``read_only``: the call changes nothing (a GET), so even a 500 may be repeated."""
    if isinstance(exc, RateLimitedError):
        if exc.retry_after is None:
            return True
        return exc.retry_after if exc.retry_after <= policy.max_retry_after else False
    if isinstance(exc, TransportError):
        return idempotent or not exc.request_sent
    if isinstance(exc, ServerError):
        if read_only:
            return exc.http_code in _RETRYABLE_5XX_READ
        return idempotent and exc.http_code in _RETRYABLE_5XX
    return False


class Retries:
    """The retry state of one call: after each failure, whether and how long to wait (and a log record of it)."""

    def __init__(self, policy: RetryPolicy, *, idempotent: bool, operation: str, read_only: bool = False) -> None:
        self.policy = policy
        self.idempotent = idempotent
        self.read_only = read_only
        self.operation = operation
        self.attempt = 1
        self._started = time.monotonic()

    def wait_after(self, exc: Exception) -> float | None:
        """Seconds to wait before the next attempt, or None: give up and raise ``exc``."""
        p = self.policy
        decision = decide(p, exc, idempotent=self.idempotent, read_only=self.read_only)
        if decision is False or self.attempt >= p.attempts:
            return None
        if decision is True:
            backoff = min(p.wait_max, p.wait_initial * 2.0 ** (self.attempt - 1))
            wait = backoff + random.uniform(0, p.wait_jitter)
        else:
            wait = float(decision)
        if time.monotonic() - self._started + wait > p.timeout:
            return None
        self.attempt += 1
        cause = str(exc).split("\n", 1)[0]
        log.warning(
            "retrying %s in %.1fs (attempt %d of %d) after %s: %s",
            self.operation,
            wait,
            self.attempt,
            p.attempts,
            type(exc).__name__,
            cause,
            extra={
                "operation": self.operation,
                "attempt": self.attempt,
                "attempts": p.attempts,
                "wait": wait,
                "error": cause,
            },
        )
        return wait
