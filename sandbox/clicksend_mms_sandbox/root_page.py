"""What a person who opens the sandbox's root (`/` or `/v3`) in a browser sees: a short page that points at the
reference (/docs) and the spec. Clients get ClickSend's 404 envelope there, as from ClickSend; the page goes only to
a request that asks for HTML (a browser's `Accept`), and keeps the 404 status, so no client sees a difference in
status, and none that asks for JSON sees one at all. Every root 404 carries RFC 8631 `Link`s to the same places."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .served_spec import reached_at


def is_root(request: Request, base_path: str) -> bool:
    scope = request.scope
    prefix = scope.get("app_root_path", scope.get("root_path", ""))
    path: str = scope["path"]
    tail = path[len(prefix) :] if path.startswith(prefix) else path
    return tail.rstrip("/") in ("", base_path)


def links(request: Request) -> dict[str, str]:
    origin = reached_at(request, "")
    return {"Link": f'<{origin}/docs>; rel="service-doc", <{origin}/openapi.json>; rel="service-desc"'}


def wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def root_page(request: Request, base_path: str) -> Response:
    origin = html.escape(reached_at(request, ""))  # the Host header is the client's: escaped, never markup
    api = html.escape(reached_at(request, base_path))
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ClickSend MMS sandbox</title></head>
<body>
<h1>ClickSend MMS sandbox</h1>
<p>A local ClickSend MMS API: configure a client with <code>{api}</code> (the paths of
<code>https://rest.clicksend.com/v3</code>) and the account <code>sandbox</code> / <code>sandbox-key</code>.
This address has no page of its own: API clients get ClickSend's 404 here.</p>
<ul>
<li><a href="{origin}/docs">API reference</a> (every operation, ClickSend's wire quirks, the sandbox's test accounts
and recipients)</li>
<li><a href="{origin}/openapi.json">OpenAPI spec</a></li>
</ul>
</body></html>
"""
    return HTMLResponse(body, status_code=404, headers=links(request))
