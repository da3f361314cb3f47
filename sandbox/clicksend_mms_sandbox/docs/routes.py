"""`GET /docs` (the reference page) and `GET /docs/redoc.standalone.js` (its renderer): public, like /openapi.json."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from .facts import sandbox_facts
from .page import ASSETS, BUNDLE, render_page
from .reference import reference_spec


def routes(spec: dict[str, Any]) -> list[Route]:
    """The docs routes for an app serving `spec`. The page is built on first request, once."""

    @functools.cache
    def page() -> bytes:
        # Relative to /docs, so the page also works behind a path prefix (root_path).
        return render_page(reference_spec(spec, sandbox_facts()), f"docs/{BUNDLE}").encode("utf-8")

    async def docs(request: Request) -> Response:
        return HTMLResponse(page())

    async def bundle(request: Request) -> Response:
        # FileResponse answers conditional requests (ETag, Last-Modified) from the file itself.
        headers = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(ASSETS / BUNDLE, media_type="text/javascript; charset=utf-8", headers=headers)

    return [Route("/docs", docs, methods=["GET"]), Route(f"/docs/{BUNDLE}", bundle, methods=["GET"])]
