"""Record ClickSend traffic as HAR 1.2 (opt-in): credentials redacted, bounded in size, safe under concurrency.

    ClickSend(record="traffic.har")  /  AsyncClickSend(record=...)        # facade, async facade, send_bulk
    clicksend-mms --record traffic.har history --all                      # CLI
    rec = Recorder("traffic.har", secrets=[api_key])                      # the generated client:
    AuthenticatedClient(..., httpx_args={"transport": rec.transport()})   # one transport serves sync and async

then ``clicksend-mms conformance traffic.har`` checks the traffic against the spec.

Redaction: Authorization, Proxy-Authorization, Cookie and Set-Cookie values are replaced; every secret (the keys
passed in, and any password or token seen in an Authorization header) is replaced wherever it appears — URL,
query, headers, bodies, error text — as written, URL-encoded, or base64 inside a Basic credential.

Bounds (``Limits``): each body is kept up to ``max_body_bytes`` (decoded); a cut body keeps its full ``size``, a
``_truncated`` flag and a comment. At most ``max_entries`` entries and ``max_bytes`` of serialised entries are
kept; later exchanges are counted in ``dropped`` and named in the log's comment, never half-written.

Writing: entries are held in memory (bounded as above) and the whole file is rewritten atomically (temporary file,
then rename) on ``flush()`` — called when the file is opened (so a bad path fails before anything is sent) and
when the httpx client using the transport is closed. A reader never sees a half-written HAR.

An existing HAR file is added to, never replaced: its entries (and the rest of its log) stay first, so one file
can collect several runs (and count towards the limits). A file that is not HAR is left alone: ``RecordingError``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import datetime
import json
import os
import tempfile
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from .exceptions import RecordingError

REDACTED = "[REDACTED]"
REDACTED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Shorter "secrets" would blank out ordinary text (and are not real API keys).
MIN_SECRET_LENGTH = 6
CREATOR = {"name": "clicksend-mms recorder", "version": "1"}


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much a recording may hold. A 100-row history page is ~70 kB, a 1000-message send ~150 kB."""

    max_entries: int = 10_000
    max_body_bytes: int = 256 * 1024
    max_bytes: int = 64 * 1024 * 1024


class Recorder:
    """Collects HAR entries from any number of clients and threads; writes them to ``path`` on ``flush()``."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        secrets: Iterable[str] = (),
        limits: Limits | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.limits = limits or Limits()
        self.dropped = 0
        self._lock = threading.Lock()
        self._entries: list[tuple[float, str]] = []  # (start time, serialised entry)
        self._bytes = 0
        self._secrets: frozenset[str] = frozenset()
        for secret in secrets:
            self.add_secret(secret)
        # What the file held before: its log without the entries, and its entries (serialised), kept first.
        self._log: dict[str, Any] = {"version": "1.2", "creator": CREATOR}
        self._earlier: list[str] = []
        if self.path is not None:
            self._resume(self.path)
        self.flush()

    def _resume(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise RecordingError(f"cannot read the recording {path}: {exc.strerror or exc}") from None
        if not raw.strip():  # an empty file (touch, mktemp) holds nothing to keep
            return
        try:
            log = json.loads(raw)["log"]
            entries = log.pop("entries")
            if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
                raise TypeError("entries")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise RecordingError(
                f"{path} exists and is not a HAR recording (left as it is): record into another file"
            ) from None
        self._log = {"version": "1.2", "creator": CREATOR, **log}
        self._earlier = [json.dumps(entry, ensure_ascii=False, separators=(",", ":")) for entry in entries]
        self._bytes = sum(len(text.encode()) for text in self._earlier)

    # -- secrets ------------------------------------------------------------------------------------------
    def add_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            return
        variants = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
        with self._lock:
            self._secrets = self._secrets | variants

    def _learn(self, headers: httpx.Headers) -> None:
        """Whatever credential a request carries is a secret, even when nobody told us (the generated client)."""
        for value in headers.get_list("authorization") + headers.get_list("proxy-authorization"):
            scheme, _, token = value.partition(" ")
            self.add_secret(token)
            if scheme.lower() == "basic":
                with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                    self.add_secret(base64.b64decode(token, validate=True).decode().partition(":")[2])

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    # -- recording ----------------------------------------------------------------------------------------
    def transport(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None) -> RecordingTransport:
        """An httpx transport that records every exchange through ``inner`` (httpx's default if None)."""
        return RecordingTransport(self, inner)

    def add(self, entry: dict[str, Any], started: float) -> None:
        """Keep one HAR entry (already built from the wire); every string in it is scrubbed first."""
        scrubbed = _scrub_strings(entry, self.scrub)
        _resize(scrubbed)
        text = json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))
        size = len(text.encode())
        with self._lock:
            count = len(self._earlier) + len(self._entries)
            full = count >= self.limits.max_entries or self._bytes + size > self.limits.max_bytes
            if full:
                self.dropped += 1
                return
            self._entries.append((started, text))
            self._bytes += size

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The entries kept so far: the file's earlier ones, then this recording's, oldest request first."""
        return [json.loads(text) for text in self._kept()]

    def _kept(self) -> list[str]:
        with self._lock:
            return self._earlier + [text for _, text in sorted(self._entries, key=lambda item: item[0])]

    def har(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self._document())
        return document

    def _document(self) -> str:
        kept = self._kept()
        log = dict(self._log)
        if self.dropped:
            limits = self.limits
            note = (
                f"{self.dropped} later exchange(s) not recorded: limit of {limits.max_entries} entries / "
                f"{limits.max_bytes} bytes reached"
            )
            log["comment"] = f"{log['comment']}; {note}" if isinstance(log.get("comment"), str) else note
        head = json.dumps({"log": log}, ensure_ascii=False)[:-2]  # reopen the log object to append entries
        return head + ',"entries":[\n' + ",\n".join(kept) + "\n]}}\n"

    def flush(self) -> None:
        """Write the recording to ``path`` atomically (no-op without a path)."""
        if self.path is None:
            return
        document = self._document()
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(document)
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise RecordingError(f"cannot write the recording {self.path}: {exc.strerror or exc}") from None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()

    def __repr__(self) -> str:
        return f"Recorder(path={str(self.path) if self.path else None!r}, entries={len(self._kept())})"


RecordTarget = Recorder | str | os.PathLike[str] | None


def open_recorder(record: RecordTarget, secrets: Iterable[str] = ()) -> Recorder | None:
    """The facade's ``record=`` argument: a path, a shared ``Recorder``, or None (not recording)."""
    if record is None or isinstance(record, Recorder):
        if record is not None:
            for secret in secrets:
                record.add_secret(secret)
        return record
    return Recorder(record, secrets=secrets)


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Records each exchange, then hands the response on unchanged (streamed bodies stay streamed).

    One object serves both httpx.Client and httpx.AsyncClient (the generated client builds both from the same
    ``httpx_args``); the default inner transport of each kind is created on first use.
    """

    def __init__(self, recorder: Recorder, inner: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None):
        self.recorder = recorder
        self._sync = inner if isinstance(inner, httpx.BaseTransport) else None
        self._async = inner if isinstance(inner, httpx.AsyncBaseTransport) else None
        self._given = inner

    def _sync_inner(self) -> httpx.BaseTransport:
        if self._sync is None:
            if self._given is not None:
                raise TypeError(f"{type(self._given).__name__} is an async transport; use httpx.AsyncClient")
            self._sync = httpx.HTTPTransport()
        return self._sync

    def _async_inner(self) -> httpx.AsyncBaseTransport:
        if self._async is None:
            if self._given is not None:
                raise TypeError(f"{type(self._given).__name__} is a sync transport; use httpx.Client")
            self._async = httpx.AsyncHTTPTransport()
        return self._async

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(self.recorder, request, request.read())
        try:
            response = self._sync_inner().handle_request(request)
        except Exception as exc:
            exchange.failed(exc)
            raise
        exchange.answered(response)
        stream = response.stream
        if not isinstance(stream, httpx.SyncByteStream):
            raise TypeError(f"{type(stream).__name__} is not an httpx.SyncByteStream")
        return _rewrap(response, _SyncTee(stream, exchange))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(self.recorder, request, await request.aread())
        try:
            response = await self._async_inner().handle_async_request(request)
        except Exception as exc:
            exchange.failed(exc)
            raise
        exchange.answered(response)
        stream = response.stream
        if not isinstance(stream, httpx.AsyncByteStream):
            raise TypeError(f"{type(stream).__name__} is not an httpx.AsyncByteStream")
        return _rewrap(response, _AsyncTee(stream, exchange))

    def close(self) -> None:
        try:
            if self._sync is not None:
                self._sync.close()
        finally:
            self.recorder.flush()

    async def aclose(self) -> None:
        try:
            if self._async is not None:
                await self._async.aclose()
        finally:
            self.recorder.flush()


def _rewrap(response: httpx.Response, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
    return httpx.Response(response.status_code, headers=response.headers, stream=stream, extensions=response.extensions)


class _SyncTee(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, exchange: _Exchange) -> None:
        self._inner, self._exchange = inner, exchange

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._exchange.body(chunk)
            yield chunk
        self._exchange.finish(complete=True)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._exchange.finish(complete=False)


class _AsyncTee(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, exchange: _Exchange) -> None:
        self._inner, self._exchange = inner, exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._exchange.body(chunk)
            yield chunk
        self._exchange.finish(complete=True)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._exchange.finish(complete=False)


class _Exchange:
    """One request and its answer as they pass through the transport; becomes a HAR entry exactly once."""

    def __init__(self, recorder: Recorder, request: httpx.Request, content: bytes) -> None:
        self.recorder = recorder
        self.request = request
        self.content = content
        self.started_wall = datetime.datetime.now(datetime.UTC)
        self.started = time.perf_counter()
        self.waited = 0.0
        self.response: httpx.Response | None = None
        self.raw = bytearray()
        self.raw_size = 0
        self.done = False
        recorder._learn(request.headers)

    def answered(self, response: httpx.Response) -> None:
        self.waited = time.perf_counter() - self.started
        self.response = response

    def body(self, chunk: bytes) -> None:
        self.raw_size += len(chunk)
        room = self.recorder.limits.max_body_bytes - len(self.raw)
        if room > 0:
            self.raw += chunk[:room]

    def failed(self, exc: Exception) -> None:
        self._record(error=f"{type(exc).__name__}: {exc}")

    def finish(self, *, complete: bool) -> None:
        self._record(error=None if complete else "the response was closed before it was read to the end")

    def _record(self, error: str | None) -> None:
        if self.done:
            return
        self.done = True
        elapsed = time.perf_counter() - self.started
        limit = self.recorder.limits.max_body_bytes
        request = self.request
        entry: dict[str, Any] = {
            "startedDateTime": self.started_wall.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "time": round(elapsed * 1000, 3),
            "request": {
                "method": request.method,
                "url": str(request.url),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": _headers(request.headers),
                "queryString": [{"name": k, "value": v} for k, v in request.url.params.multi_items()],
                "headersSize": -1,
                "bodySize": len(self.content),
            },
            "response": _no_response(),
            "cache": {},
            "timings": {
                "send": 0,
                "wait": round(self.waited * 1000, 3),
                "receive": round(max(0.0, elapsed - self.waited) * 1000, 3),
            },
        }
        if self.content:
            mime = request.headers.get("content-type", "application/octet-stream")
            post = _content(self.content, limit)
            if "encoding" in post:  # HAR has no encoding field on postData: a custom one, as tools do
                post["_encoding"] = post.pop("encoding")
            entry["request"]["postData"] = {"mimeType": mime, **post}
        response = self.response
        if response is not None:
            version = response.extensions.get("http_version", b"HTTP/1.1")
            encoding = response.headers.get("content-encoding", "identity")
            cut = self.raw_size > len(self.raw) or error is not None
            body = _decode(bytes(self.raw), encoding, cut)
            # The whole body's size is known when it came uncompressed; a cut compressed one says what it holds.
            size = self.raw_size if encoding == "identity" else len(body)
            entry["response"] = {
                "status": response.status_code,
                "statusText": response.reason_phrase,
                "httpVersion": version.decode("ascii", "replace") if isinstance(version, bytes) else str(version),
                "cookies": [],
                "headers": _headers(response.headers),
                "content": {
                    "mimeType": response.headers.get("content-type", "x-unknown"),
                    "size": size,
                    **_content(body, limit, cut),
                },
                "redirectURL": response.headers.get("location", ""),
                "headersSize": -1,
                "bodySize": self.raw_size,
            }
        if error is not None:
            entry["comment"] = error
            entry["_error"] = error
        self.recorder.add(entry, self.started)


def _headers(headers: httpx.Headers) -> list[dict[str, str]]:
    return [
        {"name": name, "value": REDACTED if name.lower() in REDACTED_HEADERS else value}
        for name, value in headers.multi_items()
    ]


def _no_response() -> dict[str, Any]:
    # HAR's convention (browsers) for a request that got no answer: status 0.
    return {
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "cookies": [],
        "headers": [],
        "content": {"size": 0, "mimeType": "x-unknown"},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
    }


def _decode(raw: bytes, encoding: str, cut: bool) -> bytes:
    """The body as the application sees it (httpx asks for gzip/deflate); a cut body decodes as far as it goes."""
    if encoding == "identity":
        return raw
    if not cut:
        try:
            return httpx.Response(200, headers={"content-encoding": encoding}, content=raw).content
        except httpx.DecodingError:
            return b""
    if encoding in ("gzip", "deflate"):
        with contextlib.suppress(zlib.error):
            return zlib.decompressobj(wbits=47 if encoding == "gzip" else 15).decompress(raw)
    return b""


def _content(body: bytes, limit: int, cut: bool = False) -> dict[str, Any]:
    """HAR content/postData text (base64 when not UTF-8), truncation marked."""
    shown = body[:limit]
    truncated = cut or len(body) > limit
    try:
        # A cut may split a UTF-8 sequence: drop the partial character rather than fall back to base64.
        fields: dict[str, Any] = {"text": shown.decode("utf-8") if not truncated else _utf8_prefix(shown)}
    except UnicodeDecodeError:
        fields = {"text": base64.b64encode(shown).decode("ascii"), "encoding": "base64"}
    if truncated:
        fields["_truncated"] = True
        fields["comment"] = f"truncated to {len(shown)} bytes by the clicksend-mms recorder (limit {limit})"
    return fields


def _utf8_prefix(data: bytes) -> str:
    for trim in range(4):
        with contextlib.suppress(UnicodeDecodeError):
            return data[: len(data) - trim].decode("utf-8")
    raise UnicodeDecodeError("utf-8", data, 0, len(data), "not UTF-8 text")


def _resize(entry: dict[str, Any]) -> None:
    """Sizes of whole bodies follow their recorded text (a redaction changes the length; HAR readers compare)."""
    content, post = entry["response"]["content"], entry["request"].get("postData")
    if "text" in content and not content.get("_truncated") and "encoding" not in content:
        content["size"] = len(content["text"].encode())
    if post is not None and not post.get("_truncated") and "_encoding" not in post:
        entry["request"]["bodySize"] = len(post["text"].encode())


def _scrub_strings(node: Any, scrub: Any) -> Any:
    if isinstance(node, str):
        return scrub(node)
    if isinstance(node, dict):
        return {key: _scrub_strings(value, scrub) for key, value in node.items()}
    if isinstance(node, list):
        return [_scrub_strings(value, scrub) for value in node]
    return node


__all__ = ["REDACTED", "Limits", "RecordTarget", "Recorder", "RecordingTransport", "open_recorder"]
