"""A failure with no HTTP answer, in words: which host, whether anything was sent, and what to do about it."""

from __future__ import annotations

import ipaddress

import httpx

from .exceptions import TransportError
from .retry import proves_not_sent

SANDBOX_COMMAND = "clicksend-mms sandbox --port {port}"


def as_transport_error(
    exc: httpx.TransportError, method: str, url: httpx.URL | str, *, default_target: bool = False
) -> TransportError:
    """The ``TransportError`` for ``exc`` raised while calling ``method url``.

    ``default_target``: the URL is ClickSend's because no base URL was configured (the message says so, since a
    user who meant to use the sandbox otherwise only sees a DNS or connect failure).
    """
    target = httpx.URL(url)
    host = target.netloc.decode("ascii", "replace") or "(no host)"
    sent = not proves_not_sent(exc)
    detail = f"{type(exc).__name__}: {str(exc) or 'no detail'}"
    if sent:
        lines = [f"No answer from {host} to {method} {target.path} ({detail}); the request may have reached it."]
    else:
        lines = [f"Could not connect to {host} for {method} {target.path} ({detail}); nothing was sent."]
        if default_target:
            lines.append(
                f"This was ClickSend's API ({target.scheme}://{host}), the default because no base URL is "
                "configured: set CLICKSEND_BASE_URL (or pass base_url=, --base-url or --sandbox) to use another "
                "server."
            )
        elif _is_loopback(target.host):
            port = target.port or (443 if target.scheme == "https" else 80)
            lines.append(
                f"Nothing is listening on {host}. If that is meant to be the local sandbox, start it: "
                f"`{SANDBOX_COMMAND.format(port=port)}` (or `make sandbox` in a clone for port 8765)."
            )
    return TransportError("\n".join(lines), request_sent=sent, method=method, path=target.path)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
