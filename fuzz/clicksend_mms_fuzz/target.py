"""The embedded sandbox as a fuzz target: `clicksend-mms-sandbox` in a subprocess on a free 127.0.0.1 port, through
the sandbox's own launcher (clicksend_mms_sandbox.testing), at /v3 as ClickSend serves its API.

A subprocess rather than a thread: schemathesis is CPU-bound Python, and the sandbox in the same interpreter
would share its GIL; two processes use both cores.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from clicksend_mms_sandbox import testing

# The sandbox's documented default account (not a secret), and a second funded one for isolation checks.
SANDBOX_USERNAME = testing.DEFAULT.username
SANDBOX_API_KEY = testing.DEFAULT.api_key
SECOND_ACCOUNT = testing.SECOND


@contextlib.contextmanager
def sandbox_server(*flags: str, rate_limit: int = 0) -> Iterator[str]:
    """Serve a fresh in-memory sandbox; yield its base URL (`http://127.0.0.1:PORT/v3`); stop it on exit.

    The sandbox's per-account rate limit (6000/min by default, like a real account) would answer 429s the fuzz did
    not ask for, so it is off unless `rate_limit` says otherwise (a burst phase: a small number)."""
    # Errors only: schemathesis starts by probing whether the API takes a NULL byte in a header ("API capabilities:
    # Supports NULL byte in headers"), which uvicorn refuses with a 400 and a warning that would read as a problem.
    # An error (a crash in a handler) still shows, and a 5xx fails not_a_server_error anyway.
    with testing.serve(*flags, "--no-access-log", "--log-level", "error", rate_limit=rate_limit) as sandbox:
        yield sandbox.url
