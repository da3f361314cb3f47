"""Time as the sandbox sees it: real time plus an offset that tests move forward with `advance()`."""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()  # tests advance it from another thread than the server's

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward (never back: lifecycles only go forward). Returns the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        """Back to real time. Only for a sandbox reset: with every message gone, no lifecycle can go backwards."""
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset
