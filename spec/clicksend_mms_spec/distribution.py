"""How the clicksend-mms distribution (the one wheel every package of this project ships in) was installed, and
so the pip command that adds one of its extras: "install the [cli] extra" is only useful as a command that works.

pip records where a distribution came from in its ``direct_url.json`` (PEP 610): a wheel file (clicksend-mms is
not on an index yet, so that is how users install it), a folder (``pip install -e .``, ``make venv``) or a URL.
Without one it came from an index, where its name is enough. Standard library only, like the rest of this package:
every layer's "missing extra" message uses it.
"""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import unquote, urlsplit

DISTRIBUTION = "clicksend-mms"


def pip_install(extra: str) -> str:
    """The command that adds ``extra`` to this install: for a wheel file
    ``pip install '/path/clicksend_mms-0.1.0-py3-none-any.whl[cli]'``, for an editable install
    ``pip install -e '/path/to/clone[cli]'``, for an index's ``pip install 'clicksend-mms[cli]'``."""
    source = _direct_url()
    url = str(source.get("url", ""))
    if not url:
        return f"pip install {shlex.quote(f'{DISTRIBUTION}[{extra}]')}"
    parts = urlsplit(url)
    if parts.scheme == "file" and "vcs_info" not in source:
        from urllib.request import url2pathname  # here: urllib.request imports http.client, ssl...

        path = url2pathname(unquote(parts.path))
        editable = "-e " if source.get("dir_info", {}).get("editable") else ""
        return f"pip install {editable}{shlex.quote(f'{path}[{extra}]')}"
    vcs = source.get("vcs_info", {}).get("vcs")
    if vcs:
        url = f"{vcs}+{url}"  # PEP 440's direct reference to a repository: git+https://...
    return f"pip install {shlex.quote(f'{DISTRIBUTION}[{extra}] @ {url}')}"


def _direct_url() -> dict[str, Any]:
    """The installed distribution's direct_url.json, or {} (installed from an index, or not installed at all)."""
    from importlib import metadata  # only when a message needs it: it costs more to import than most of the client

    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return {}
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
