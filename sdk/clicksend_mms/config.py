"""Where the facade's settings come from: arguments first, then CLICKSEND_* environment variables."""

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
    ) -> Settings:
        username = username or os.environ.get(ENV_USERNAME)
        api_key = api_key or os.environ.get(ENV_API_KEY)
        base_url = base_url or os.environ.get(ENV_BASE_URL)
        configured = bool(base_url)
        base_url = base_url or DEFAULT_BASE_URL
        if not username or not api_key:
            missing = " and ".join(
                name for name, value in ((ENV_USERNAME, username), (ENV_API_KEY, api_key)) if not value
            )
            raise ConfigurationError(f"no ClickSend credentials: pass them or set {missing}")
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
