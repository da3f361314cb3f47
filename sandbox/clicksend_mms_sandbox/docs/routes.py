"""`GET /docs` (the reference page) and `GET /docs/redoc.standalone.js` (its renderer): public, like /openapi.json."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from ..served_spec import reached_at, served_spec
from ..spec import base_path
from .facts import sandbox_facts
from .page import ASSETS, BUNDLE, render_page
from .reference import reference_spec


def routes(spec: dict[str, Any]) -> list[Route]:
    """The docs routes for an app serving `spec`. The page is built on first request, once per URL the sandbox is
    reached at (its servers name that URL, as /openapi.json does)."""
    api_base = base_path(spec)

    @functools.lru_cache(maxsize=8)
    def page(api_url: str) -> bytes:
        # Relative to /docs, so the page also works behind a path prefix (root_path).
        view = reference_spec(served_spec(spec, api_url), sandbox_facts())
        return render_page(view, f"docs/{BUNDLE}").encode("utf-8")

    async def docs(request: Request) -> Response:
        return HTMLResponse(page(reached_at(request, api_base)))

    async def bundle(request: Request) -> Response:
        # FileResponse answers conditional requests (ETag, Last-Modified) from the file itself.
        headers = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(ASSETS / BUNDLE, media_type="text/javascript; charset=utf-8", headers=headers)

    return [Route("/docs", docs, methods=["GET"]), Route(f"/docs/{BUNDLE}", bundle, methods=["GET"])]
