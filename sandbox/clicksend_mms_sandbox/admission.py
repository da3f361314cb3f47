"""Who may run a whole-sandbox operation (reset every account, add accounts, move the shared clock).

- With an admin key configured (`--admin-key`, CLICKSEND_SANDBOX_ADMIN_KEY): only a request carrying it in
  `X-Sandbox-Admin-Key` (no account needed); an account's credentials alone are refused (403).
- Without one, on the single-user local default (`Settings.open_admin`: the CLI sets it when bound to a loopback
  address): any account, as before there were admin keys; the embedded sandbox of tests and the fuzzer runs so.
- Without one, bound beyond loopback: nobody; the sandbox is shared and nobody was named to run it.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from . import envelope
from .pipeline import account_or_refusal
from .state import SandboxState

ADMIN_HEADER = "x-sandbox-admin-key"
NEEDS_ADMIN = (
    "A whole-sandbox operation: it needs the sandbox's admin key in X-Sandbox-Admin-Key "
    "(POST /_sandbox/account/reset resets your own account)."
)
NO_ADMIN = (
    "A whole-sandbox operation, and this shared sandbox has no admin key: start it with --admin-key "
    "(or CLICKSEND_SANDBOX_ADMIN_KEY) to allow it (POST /_sandbox/account/reset resets your own account)."
)


def admin_refusal(state: SandboxState, request: Request) -> Response | None:
    """None when the request may run a whole-sandbox operation; otherwise the answer refusing it."""
    settings = state.settings
    given = request.headers.get(ADMIN_HEADER)
    if given is not None:
        # Bytes as they came (latin-1 round-trips any header), compared in constant time; never logged.
        expected = (settings.admin_key or "").encode("utf-8")
        if settings.admin_key is not None and hmac.compare_digest(expected, given.encode("latin-1")):
            return None
        return envelope.unauthorized()
    if settings.admin_key is None and settings.open_admin:
        account = account_or_refusal(state, request)
        return account if isinstance(account, Response) else None
    return envelope.forbidden(NEEDS_ADMIN if settings.admin_key is not None else NO_ADMIN)
