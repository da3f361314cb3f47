"""What the sync and async ``download`` share: where the bytes go, and whether the link may see the API key."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx

from .config import Settings
from .exceptions import APIError, TransportError, error_from_response
from .local_files import atomic_file
from .transport_errors import as_transport_error

# A binary file object (left open), or a path: written next to it and moved into place once complete.
Destination = IO[bytes] | str | os.PathLike[str]
OnProgress = Callable[[int, int | None], None]


def resolve(base_url: str, url: str) -> tuple[httpx.URL, bool]:
    """The link as an absolute URL (a relative one resolves against the API) and whether it is on the API's own
    origin: only then are credentials sent (an export link elsewhere must not receive the API key)."""
    base = httpx.URL(base_url)
    target = base.join(url)
    return target, (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)


@contextlib.contextmanager
def opened(dest: Destination) -> Iterator[IO[bytes]]:
    if isinstance(dest, str | os.PathLike):
        with atomic_file(Path(dest)) as fh:
            yield fh
    else:
        yield dest


class Counter:
    """Writes each chunk to ``fh``, counts the bytes and reports ``(done, total)`` after each chunk."""

    def __init__(self, fh: IO[bytes], response: httpx.Response, on_progress: OnProgress | None) -> None:
        self.fh = fh
        self.on_progress = on_progress
        length = response.headers.get("content-length")
        self.total = int(length) if length is not None and length.isdigit() else None
        self.done = 0

    def write(self, chunk: bytes) -> None:
        self.fh.write(chunk)
        self.done += len(chunk)
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


def refused(response: httpx.Response, settings: Settings) -> APIError:
    """The error for a download answered with anything but a 2xx (its body already read)."""
    return error_from_response(response, secrets=(settings.api_key,))


def unreachable(exc: httpx.TransportError, target: httpx.URL, same_origin: bool, settings: Settings) -> TransportError:
    return as_transport_error(exc, "GET", target, default_target=same_origin and not settings.base_url_configured)
