"""When a call is retried (stamina: capped exponential backoff with jitter), and why a send almost never is.

ClickSend has no idempotency key, so a send that may have reached the server must not be repeated: a
lost answer is not a lost message, and repeating it sends (and bills) the MMS twice.

| Failure                                         | GET, price, receipts-read, cancel(-all) | send, upload         |
|-------------------------------------------------|-----------------------------------------|----------------------|
| connect refused / DNS / connect or pool timeout | retried                                 | retried (not sent)   |
| read/write timeout, connection dropped mid-call | retried                                 | never (may be sent)  |
| 429 rate limited                                | retried after Retry-After (capped)      | retried after it (*) |
| 502 / 503 / 504                                 | retried                                 | never                |
| 500 and other 5xx                               | never (ClickSend's 500 is not transient) | never               |
| 400 / 401 / 403 / 404 / 413                     | never                                   | never                |

(*) a 429 is ClickSend's rate limiter refusing the request before it is processed: it proves the batch was
not accepted. A Retry-After longer than ``RetryPolicy.max_retry_after`` is not waited for: the
RateLimitedError is raised at once. Retries stop after ``attempts`` tries or ``timeout`` seconds, whichever
comes first; the last error is raised. ``RetryPolicy.disabled()`` turns retrying off.

"Nothing sent" is decided from the exception, not guessed: httpx's ConnectError / ConnectTimeout /
PoolTimeout come before the first byte is written. httpx-aiohttp maps *every* aiohttp connection error
(including "server disconnected" after the request was written) to httpx.ConnectTimeout, so for that
transport the aiohttp cause is inspected instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx

from .exceptions import RateLimitedError, ServerError, TransportError

_RETRYABLE_5XX = frozenset({502, 503, 504})


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Knobs for stamina; the table in this module's docstring says *what* is retried."""

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


def as_transport_error(exc: httpx.TransportError, method: str, path: str) -> TransportError:
    sent = not proves_not_sent(exc)
    kind = type(exc).__name__
    detail = str(exc) or "no detail"
    note = "the request may have reached ClickSend" if sent else "nothing was sent"
    return TransportError(f"{kind} on {method} {path}: {detail} ({note})", request_sent=sent, method=method, path=path)


def retry_hook(policy: RetryPolicy, *, idempotent: bool) -> Callable[[Exception], bool | float]:
    """A stamina backoff hook: False = raise now, True = exponential backoff, a float = wait that long."""

    def hook(exc: Exception) -> bool | float:
        if isinstance(exc, RateLimitedError):
            if exc.retry_after is None:
                return True
            return exc.retry_after if exc.retry_after <= policy.max_retry_after else False
        if isinstance(exc, TransportError):
            return idempotent or not exc.request_sent
        if isinstance(exc, ServerError):
            return idempotent and exc.http_code in _RETRYABLE_5XX
        return False

    return hook
