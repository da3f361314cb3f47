"""The spec as a running sandbox serves it (`/openapi.json`, `/docs`): ClickSend's server stays first, and the local
sandbox's entry (the spec documents the default, http://127.0.0.1:8765/v3) names the URL this sandbox was reached
at, so a sandbox on another port, host or path prefix describes itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def reached_at(request: Request, base_path: str) -> str:
    """The API's URL as the client reached it: scheme, Host, any path prefix (root_path), then `base_path` (/v3)."""
    scope = request.scope
    prefix = scope.get("app_root_path", scope.get("root_path", ""))  # under /v3 the app moves its own root aside
    return f"{request.url.scheme}://{request.url.netloc}{prefix}{base_path}"


def served_spec(spec: dict[str, Any], api_url: str) -> dict[str, Any]:
    """A shallow copy of `spec` whose local-sandbox server entries have `api_url` for their URL."""
    servers = [
        {**server, "url": api_url} if urlsplit(str(server["url"])).hostname in LOCAL_HOSTS else server
        for server in spec.get("servers", [])
    ]
    return {**spec, "servers": servers}
