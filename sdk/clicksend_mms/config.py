"""Where the facade's settings come from: arguments first, then CLICKSEND_* environment variables.

``sandbox=True`` (or ``CLICKSEND_SANDBOX=1``) is the CLI's ``--sandbox``: the local sandbox at
``CLICKSEND_SANDBOX_URL`` (default ``http://127.0.0.1:8765/v3``) as its default account, whatever
CLICKSEND_USERNAME / CLICKSEND_API_KEY / CLICKSEND_BASE_URL say (likely a live account); arguments still win.
The sandbox's own credentials with no base URL are refused: they would be sent to ClickSend.
"""

from __future__ import annotations

import dataclasses
import os

import httpx

from .exceptions import ConfigurationError

DEFAULT_BASE_URL = "https://rest.clicksend.com/v3"
# The local sandbox (`clicksend-mms sandbox`) and its documented default account; the CLI's --sandbox goes to
# CLICKSEND_SANDBOX_URL when set (a sandbox started on another port).
SANDBOX_BASE_URL = "http://127.0.0.1:8765/v3"
ENV_SANDBOX_URL = "CLICKSEND_SANDBOX_URL"
SANDBOX_USERNAME = "sandbox"
SANDBOX_API_KEY = "sandbox-key"
# Connecting should be quick; ClickSend fetches media_file server-side during a send, so reads get longer.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
ENV_USERNAME = "CLICKSEND_USERNAME"
ENV_API_KEY = "CLICKSEND_API_KEY"
ENV_BASE_URL = "CLICKSEND_BASE_URL"
ENV_SANDBOX = "CLICKSEND_SANDBOX"
_TRUE = frozenset({"1", "true", "yes", "on"})
HOW_TO_CONFIGURE = (
    f"set {ENV_USERNAME} and {ENV_API_KEY} or pass them (the API key from ClickSend's dashboard); for the local "
    f"sandbox (`make sandbox`): ClickSend(sandbox=True), the CLI's --sandbox, or {ENV_SANDBOX}=1"
)


def sandbox_requested(sandbox: bool | None = None) -> bool:
    """``sandbox`` if given, else whether CLICKSEND_SANDBOX is set to a true value (1, true, yes, on)."""
    if sandbox is not None:
        return sandbox
    return os.environ.get(ENV_SANDBOX, "").strip().lower() in _TRUE


@dataclasses.dataclass(frozen=True)
class Settings:
    """Resolved configuration. The API key never appears in its repr."""

    username: str
    api_key: str = dataclasses.field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: httpx.Timeout = dataclasses.field(default_factory=lambda: DEFAULT_TIMEOUT)
    # False when base_url is ClickSend's only because none was given (errors then say where requests went).
    base_url_configured: bool = True

    @classmethod
    def resolve(
        cls,
        username: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        *,
        sandbox: bool | None = None,
    ) -> Settings:
        if sandbox_requested(sandbox):
            # The environment's CLICKSEND_* are likely a live account's: the sandbox takes its own defaults.
            username = username or SANDBOX_USERNAME
            api_key = api_key or SANDBOX_API_KEY
            base_url = base_url or os.environ.get(ENV_SANDBOX_URL) or SANDBOX_BASE_URL
        username = username or os.environ.get(ENV_USERNAME)
        api_key = api_key or os.environ.get(ENV_API_KEY)
        base_url = base_url or os.environ.get(ENV_BASE_URL)
        configured = bool(base_url)
        base_url = base_url or DEFAULT_BASE_URL
        if not username or not api_key:
            missing = " and ".join(
                name for name, value in ((ENV_USERNAME, username), (ENV_API_KEY, api_key)) if not value
            )
            raise ConfigurationError(f"no ClickSend credentials ({missing} not set): {HOW_TO_CONFIGURE}")
        if not configured and (username, api_key) == (SANDBOX_USERNAME, SANDBOX_API_KEY):
            # Never send the sandbox's documented credentials to ClickSend: the user meant the sandbox.
            raise ConfigurationError(
                f"{SANDBOX_USERNAME!r} / its key are the local sandbox's account, and no base URL is set, so "
                f"requests would go to ClickSend ({DEFAULT_BASE_URL}): use ClickSend(sandbox=True) or "
                f"{ENV_SANDBOX}=1, or set {ENV_BASE_URL} to the sandbox's URL ({SANDBOX_BASE_URL})"
            )
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base URL must start with http:// or https://, got {base_url!r}")
        if timeout is None:
            resolved = DEFAULT_TIMEOUT
        elif isinstance(timeout, httpx.Timeout):
            resolved = timeout
        else:
            resolved = httpx.Timeout(timeout, connect=min(timeout, DEFAULT_TIMEOUT.connect or timeout))
        return cls(
            username=username,
            api_key=api_key,
            base_url=base_url.rstrip("/"),
            timeout=resolved,
            base_url_configured=configured,
        )
