"""HAR 1.2 files as the conformance check reads them: the recorder's, the fuzz run's, a browser's or a proxy's.

Lenient where tools differ (query in the URL or only in ``queryString``, base64 bodies, missing text), strict
where a guess would mislead: a body that was cut or not recorded is never checked as if it were whole.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class HarError(Exception):
    """A file that is not a HAR log (the message names the file and what is wrong)."""


class UnreadableHarError(HarError):
    """The file cannot be read at all (missing, a folder, no permission): a local file error, not a bad file."""


@dataclasses.dataclass(frozen=True)
class Body:
    text: str | None  # None: the tool did not record it (or it is not text)
    truncated: bool = False


@dataclasses.dataclass(frozen=True)
class Exchange:
    ref: str  # "traffic.har#3": where to look
    method: str
    url: str
    query: tuple[tuple[str, str], ...]
    request_body: Body | None  # None: the request had no body
    status: int  # 0: no response (transport error, aborted)
    response_body: Body | None


def read_har(path: Path) -> list[Exchange]:
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise UnreadableHarError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarError(f"{path}: not JSON ({exc})") from None
    entries = document.get("log", {}).get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{path}: not a HAR file (no log.entries)")
    return list(_exchanges(path, entries))


def _exchanges(path: Path, entries: list[Any]) -> Iterator[Exchange]:
    for index, entry in enumerate(entries):
        ref = f"{path.name}#{index}"
        try:
            request, response = entry["request"], entry.get("response") or {}
            method, url = str(request["method"]), str(request["url"])
        except (KeyError, TypeError):
            raise HarError(f"{ref}: an entry without request.method and request.url") from None
        query = tuple(parse_qsl(urlsplit(url).query, keep_blank_values=True)) or tuple(
            (str(p.get("name", "")), str(p.get("value", ""))) for p in request.get("queryString") or []
        )
        post = request.get("postData")
        request_body = None
        if isinstance(post, dict) and (post.get("text") or post.get("params")):
            # postData has no size field: the request's bodySize is the whole body.
            request_body = _body({"size": request.get("bodySize"), **post})
        status = response.get("status", 0)
        yield Exchange(
            ref=ref,
            method=method,
            url=url,
            query=query,
            request_body=request_body,
            status=status if isinstance(status, int) else 0,
            response_body=_body(response.get("content") or {}),
        )


def _body(content: dict[str, Any]) -> Body:
    text = content.get("text")
    truncated = bool(content.get("_truncated"))
    if not isinstance(text, str):
        return Body(None, truncated)
    if "base64" in (content.get("encoding"), content.get("_encoding")):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Body(None, truncated)
    size = content.get("size")
    # HAR's size is the whole body; less text than that means a tool cut it (and forgot to say so).
    if isinstance(size, int) and size > len(text.encode("utf-8")):
        truncated = True
    return Body(text, truncated)
