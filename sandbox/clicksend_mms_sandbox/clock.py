"""Time as the sandbox sees it: real time plus an offset that tests move forward with `advance()`. With a database
file the offset is kept with the data (`keep`), so after a restart a message reads as it did before."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

# Stores the offset (reading it through the callable when the write runs); the future completes once it is stored.
Keeper = Callable[[Callable[[], float]], "Future[Any]"]


class Clock:
    def __init__(self, offset: float = 0.0, keep: Keeper | None = None) -> None:
        self._offset = offset
        self._keep = keep
        self._lock = threading.Lock()  # tests advance it from another thread than the server's

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward (never back: lifecycles only go forward). Returns the new now; the offset is stored
        in the background (`advance_kept` waits for it)."""
        self._move(seconds)
        return self.now()

    async def advance_kept(self, seconds: float) -> float:
        """`advance`, returning once the new offset is stored: what a control endpoint answers is what a restart
        finds."""
        kept = self._move(seconds)
        if kept is not None:
            await asyncio.wrap_future(kept)
        return self.now()

    def _move(self, seconds: float) -> Future[Any] | None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self._kept()

    def reset(self) -> None:
        """Back to real time. Only for a sandbox reset: with every message gone, no lifecycle can go backwards."""
        with self._lock:
            self._offset = 0.0
        self._kept()

    def _kept(self) -> Future[Any] | None:
        return None if self._keep is None else self._keep(lambda: self.offset)

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset
