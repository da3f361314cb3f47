"""Injected failures for users' retry logic, and the per-account rate limit.

Grammar of the `X-Sandbox-Fault` request header (directives separated by `;`, any order):
    status=429|500|503    answer this error instead of (or, with after=commit, after) processing
    retry-after=N         Retry-After seconds for 429/503 (default 1 for 429)
    after=commit          process and commit the request first, then fail (the lost-answer case)
    delay=SECONDS         wait before processing (0..60, fractions allowed)
    drop                  close the connection without any response
"""

from __future__ import annotations

import fnmatch
import math
import threading
from dataclasses import asdict, dataclass
from typing import Any

from .testing import API_BASE_PATH, DEFAULT

FAULT_STATUSES = (429, 500, 503)
MAX_DELAY = 60.0


class FaultError(ValueError):
    """A fault description that does not follow the grammar."""


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    retry_after: int | None = None
    after_commit: bool = False
    delay: float = 0.0
    drop: bool = False

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in FAULT_STATUSES:
            raise FaultError(f"status must be one of {', '.join(map(str, FAULT_STATUSES))}")
        if self.retry_after is not None and not 0 <= self.retry_after <= 3600:
            raise FaultError("retry-after must be 0..3600 seconds")
        if not 0 <= self.delay <= MAX_DELAY or math.isnan(self.delay):
            raise FaultError(f"delay must be 0..{MAX_DELAY:g} seconds")
        if self.status is not None and self.drop:
            raise FaultError("status and drop exclude each other")
        if self.after_commit and self.status is None and not self.drop:
            raise FaultError("after=commit needs a status or drop")

    @property
    def fails(self) -> bool:
        return self.status is not None or self.drop


def parse_fault_header(value: str) -> Fault:
    fields: dict[str, Any] = {}
    for raw in value.split(";"):
        item = raw.strip()
        if not item:
            continue
        name, sep, arg = (part.strip() for part in item.partition("="))
        name = name.lower()
        try:
            if name == "drop" and not sep:
                fields["drop"] = True
            elif name == "status" and sep:
                fields["status"] = int(arg)
            elif name == "retry-after" and sep:
                fields["retry_after"] = int(arg)
            elif name == "delay" and sep:
                fields["delay"] = float(arg)
            elif name == "after" and arg.lower() == "commit":
                fields["after_commit"] = True
            else:
                raise FaultError(f"unknown directive {item!r}")
        except ValueError as exc:
            raise FaultError(str(exc)) from None
    if not fields:
        raise FaultError("empty fault")
    return Fault(**fields)


@dataclass
class QueuedFault:
    fault: Fault
    method: str  # "*" for any
    path: str  # exact path or a glob such as /mms/*/cancel
    times: int

    def matches(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method == method.upper()) and fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "times": self.times, **asdict(self.fault)}


class FaultQueue:
    """Faults queued per account (through POST /_sandbox/faults, or the pytest plugin's `clicksend_sandbox.faults`);
    each applies to the next `times` matching requests of that account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[QueuedFault]] = {}

    def add(
        self,
        username: str = DEFAULT.username,
        *,
        path: str = "*",
        method: str = "*",
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after_commit: bool = False,
        delay: float = 0.0,
        drop: bool = False,
    ) -> QueuedFault:
        """Queue a fault for `username`'s requests (the default account, `sandbox`, unless told). `path` is exact or
        a glob (`/mms/*/cancel`), with or without the API's `/v3`: faults match the path below it."""
        if path.startswith(API_BASE_PATH + "/"):
            path = path[len(API_BASE_PATH) :]
        if times < 1:
            raise FaultError("times must be at least 1")
        fault = Fault(status, retry_after, after_commit, delay, drop)
        queued = QueuedFault(fault, method.upper() if method != "*" else "*", path, times)
        with self._lock:
            self._queued.setdefault(username, []).append(queued)
        return queued

    def take(self, username: str, method: str, path: str) -> Fault | None:
        """The first queued fault matching this request, consuming one of its uses."""
        with self._lock:
            for queued in self._queued.get(username, []):
                if queued.matches(method, path):
                    queued.times -= 1
                    if queued.times == 0:
                        self._queued[username].remove(queued)
                    return queued.fault
        return None

    def pending(self, username: str = DEFAULT.username) -> list[dict[str, Any]]:
        with self._lock:
            return [q.describe() for q in self._queued.get(username, [])]

    def clear(self, username: str | None = None) -> int:
        """Forget the queued faults of `username`, or of every account."""
        with self._lock:
            if username is None:
                count = sum(len(v) for v in self._queued.values())
                self._queued.clear()
            else:
                count = len(self._queued.pop(username, []))
        return count


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends


class RateLimiter:
    """A fixed window per account, on the sandbox clock (so tests can advance past a window)."""

    def __init__(self, limit: int, window: int) -> None:
        self.limit = limit
        self.window = max(1, window)
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # username -> (window index, count)

    def hit(self, username: str, now: float, limit: int | None = None) -> RateDecision:
        """Count one request of `username` against `limit` (default: the sandbox's) in the current window."""
        limit = self.limit if limit is None else limit
        index = int(now // self.window)
        reset = max(1, math.ceil((index + 1) * self.window - now))
        with self._lock:
            current, count = self._windows.get(username, (index, 0))
            if current != index:
                count = 0
            if count >= limit:
                self._windows[username] = (index, count)
                return RateDecision(False, limit, 0, reset)
            count += 1
            self._windows[username] = (index, count)
        return RateDecision(True, limit, limit - count, reset)

    def reset(self, username: str | None = None) -> None:
        """Empty the window of `username`, or of every account."""
        with self._lock:
            if username is None:
                self._windows.clear()
            else:
                self._windows.pop(username, None)
