"""The ids and tokens the sandbox hands out (message ids, upload names, export link tokens).

Random by default, as ClickSend's are. With a seed (`--seed`, env CLICKSEND_SANDBOX_SEED) they come from a PRNG
seeded with it, so the same requests in the same order get the same ids: a fuzz run that follows them (its
stateful phase) is then reproducible from its own seed. A seeded token is guessable: only for local test runs.
"""

from __future__ import annotations

import base64
import random
import secrets
import threading
import uuid

TOKEN_BYTES = 32


class Ids:
    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()  # sends and uploads run on the event loop, exports in the store's thread

    def uuid(self) -> str:
        """An upper-case UUID4, like ClickSend's message ids."""
        if self._rng is None:
            return str(uuid.uuid4()).upper()
        with self._lock:
            bits = self._rng.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4)).upper()

    def token(self) -> str:
        """An unguessable (unless seeded) URL-safe token."""
        if self._rng is None:
            return secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            raw = self._rng.randbytes(TOKEN_BYTES)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
