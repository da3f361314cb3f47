"""The reference page: one HTML file holding the spec, rendered in the browser by the vendored Redoc bundle.

The bundle is redoc@<version in package.json>'s `bundles/redoc.standalone.js`, copied into `assets/` by
`make docs-vendor` and shipped as package data, so the page needs no network: not from the sandbox, not from a
folder opened as file://, not from an installed wheel. The spec goes inline (a fetch of a file:// URL fails).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent / "assets"
BUNDLE = "redoc.standalone.js"
REDOC_LOGO_PREFIX = "https://cdn.redoc.ly/"
# Shipped next to the bundle wherever it goes: Redoc's MIT licence and the licences of what its bundle contains.
LICENCES = ("redoc.LICENSE", "redoc.standalone.js.LICENSE.txt")

# Redoc's options (https://redocly.com/docs/redoc/config): `x-codec` shown on every field that has a quirk type,
# required fields first, the success response open, samples expanded to the record level.
REDOC_OPTIONS: dict[str, Any] = {
    "showExtensions": ["x-codec"],
    "requiredPropsFirst": True,
    "expandResponses": "200",
    "jsonSampleExpandLevel": 3,
    "hideHostname": False,
    "theme": {"sidebar": {"width": "280px"}},
}


def _script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no `</script>` or `<!--` can close or confuse the element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def render_page(spec: dict[str, Any], bundle_src: str, sdk_href: str | None = None) -> str:
    """The page for `spec` (the reference view), loading Redoc from `bundle_src` (a URL relative to the page);
    `sdk_href`: where the Python SDK's reference is, linked above the API's (`make docs` builds both)."""
    title = html.escape(f"{spec.get('info', {}).get('title', 'API')} — reference")
    sdk_link = (
        f'<nav id="sdk-link"><a href="{html.escape(sdk_href)}">Python SDK reference</a> (ClickSend, AsyncClickSend, '
        "errors, models, CLI)</nav>\n"
        if sdk_href
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ margin: 0; }}
  #loading {{ font: 16px sans-serif; padding: 2em; }}
  /* usernames, numbers and keys in the reading sections' tables: never broken mid-word */
  .redoc-markdown td code {{ white-space: nowrap; }}
  #sdk-link {{ font: 14px sans-serif; padding: 0.5em 1em; border-bottom: 1px solid #ddd; }}
</style>
</head>
<body>
{sdk_link}<div id="reference"><p id="loading">Loading the API reference…</p></div>
<noscript><p>This API reference is rendered by JavaScript (Redoc). The spec itself is at openapi.json.</p></noscript>
<script id="spec" type="application/json">{_script_json(spec)}</script>
<script id="options" type="application/json">{_script_json(REDOC_OPTIONS)}</script>
<script>
  // Redoc's sidebar footer loads its logo from cdn.redoc.ly, the bundle's only remote request. The page makes none
  // (it must work offline, and need not tell a CDN who reads it): React sets an image's URL through the `src`
  // property, and that URL is emptied there; the empty image fails, and Redoc's own onError handler drops it.
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {{
    ...src,
    set(value) {{ src.set.call(this, String(value).startsWith("{REDOC_LOGO_PREFIX}") ? "" : value); }},
  }});
</script>
<script src="{html.escape(bundle_src)}"></script>
<script>
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  Redoc.init(read("spec"), read("options"), document.getElementById("reference"));
</script>
</body>
</html>
"""
