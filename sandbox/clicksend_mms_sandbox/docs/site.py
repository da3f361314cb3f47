"""`make docs`: the reference as a static folder (index.html, the Redoc bundle and its licences, openapi.json)
that opens from disk or from any static web server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .facts import sandbox_facts
from .page import ASSETS, BUNDLE, LICENCES, render_page
from .reference import reference_spec

SDK_FOLDER = "sdk"  # where `make docs` has pdoc write the Python SDK's reference


def build_site(out: Path, spec: dict[str, Any]) -> Path:
    """Write the folder; returns its index.html. Files of an earlier build are replaced, others left alone."""
    out.mkdir(parents=True, exist_ok=True)
    for name in (BUNDLE, *LICENCES):
        shutil.copyfile(ASSETS / name, out / name)
    (out / "openapi.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    index = out / "index.html"
    sdk = SDK_FOLDER + "/index.html" if (out / SDK_FOLDER / "index.html").is_file() else None  # built first by pdoc
    index.write_text(render_page(reference_spec(spec, sandbox_facts()), BUNDLE, sdk), encoding="utf-8")
    return index
