"""The sandbox under uvicorn in a subprocess on 127.0.0.1 (a real socket: timeouts and drops are real), through
the sandbox's own launcher, clicksend_mms_sandbox.testing.serve()."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from clicksend_mms_sandbox.testing import serve


@contextlib.contextmanager
def sandbox_server(*flags: str) -> Iterator[str]:
    """The base URL (`http://127.0.0.1:PORT/v3`, as ClickSend's `.../v3`); ``flags`` are the sandbox's own, e.g.
    ``--rate-limit 0``."""
    with serve(*flags) as sandbox:
        yield sandbox.url
