"""History records already rendered to JSON, so a page read again is not rendered again."""

from __future__ import annotations

import threading


class RecordCache:
    """Renderings by (seq, status).

    A stored message never changes after its insert except through its status (computed from the clock, or set by
    a cancel), and seq is never reused (AUTOINCREMENT), so a rendering keyed by both can never be stale. Bounded:
    emptied when full (the next pages simply render again)."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[int, str], bytes] = {}
        self._lock = threading.Lock()

    def get(self, seq: int, status: str) -> bytes | None:
        return self._entries.get((seq, status))  # one dict lookup: atomic under the GIL

    def put(self, seq: int, status: str, rendered: bytes) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[(seq, status)] = rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
