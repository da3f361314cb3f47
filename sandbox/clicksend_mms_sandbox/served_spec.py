"""The spec as a running sandbox serves it (`/openapi.json`, `/docs`): ClickSend's server stays first, and the local
sandbox's entry (the spec documents the default, http://127.0.0.1:8765/v3) names the URL this sandbox is reached
at (its public URL), so a sandbox on another port, host or path prefix describes itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def public_origin(request: Request) -> str:
    """Where clients reach this sandbox (scheme://host[:port][/prefix]): the configured public URL (--public-url,
    which the CLI defaults to the bound address), else the address the server reports it is bound to (ASGI's
    `server`). Never the request's Host header: a client must not choose where the links others follow point."""
    configured: str | None = request.app.state.sandbox.settings.public_url
    if configured:
        return configured
    scope = request.scope
    scheme = scope.get("scheme", "http")
    server = scope.get("server")
    if not server:
        return f"{scheme}://localhost"
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in str(host) else host
    default_port = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"


def reached_at(request: Request, base_path: str) -> str:
    """The API's URL: the public origin, any path prefix (root_path), then `base_path` (/v3)."""
    scope = request.scope
    prefix = scope.get("app_root_path", scope.get("root_path", ""))  # under /v3 the app moves its own root aside
    return f"{public_origin(request)}{prefix}{base_path}"


def served_spec(spec: dict[str, Any], api_url: str) -> dict[str, Any]:
    """A shallow copy of `spec` whose local-sandbox server entries have `api_url` for their URL."""
    servers = [
        {**server, "url": api_url} if urlsplit(str(server["url"])).hostname in LOCAL_HOSTS else server
        for server in spec.get("servers", [])
    ]
    return {**spec, "servers": servers}
