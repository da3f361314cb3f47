"""``ClickSend``: the synchronous facade. Returns the generated models with ``data`` unwrapped, raises the
typed errors of ``exceptions.py``, retries per the table in ``retry.py``.

    from clicksend_mms import ClickSend
    with ClickSend() as cs:            # CLICKSEND_USERNAME / CLICKSEND_API_KEY / CLICKSEND_BASE_URL
        result = cs.send([{"to": "+61411111111", "subject": "Hi", "body": "Hello"}],
                         media_file="https://example.com/cat.jpg")
        for row in cs.iter_history(q="status:Sent"):
            print(row.message_id, row.status)
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from . import _download, _ops
from ._core import FacadeBase, logger
from ._download import Destination, OnProgress
from ._ops import MessageLike, Op
from ._pagination import Seen, pages
from .exceptions import ClickSendError
from .models import (
    MmsHistoryPage,
    MmsMessageRecord,
    MmsReceipt,
    MmsReceiptPage,
    SendMmsData,
    SendMmsRequest,
    UploadData,
)
from .recording import RecordTarget
from .retry import RetryPolicy
from .send_account import SendInterrupted, all_may_have_been_sent

T = TypeVar("T")


class ClickSend(FacadeBase):
    """Synchronous ClickSend MMS client. Pass ``transport`` (e.g. ``httpx.MockTransport``) to bypass the network."""

    def __init__(
        self,
        username: str | None = None,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        record: RecordTarget = None,
    ) -> None:
        super().__init__(username, api_key, base_url, timeout, retry, headers, transport, record)

    # -- plumbing ---------------------------------------------------------------------------------------
    @property
    def http(self) -> httpx.Client:
        return self.api.get_httpx_client()

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ClickSend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, op: Op[T]) -> T:
        """Run one operation under the retry policy (``retry.decide`` says, per operation, what may be repeated)."""
        retries = self._retries(op)
        while True:
            try:
                return self._once(op)
            except ClickSendError as exc:
                wait = retries.wait_after(exc)
                if wait is None:
                    raise
            time.sleep(wait)

    def _once(self, op: Op[T]) -> T:
        try:
            response = self.http.request(**op.request)
        except httpx.TransportError as exc:
            raise self._transport_error(op, exc) from exc
        return self._finish(op, response)

    # -- sending ----------------------------------------------------------------------------------------
    def send(self, messages: SendMmsRequest | Sequence[MessageLike], *, media_file: str | None = None) -> SendMmsData:
        """Send up to 1000 messages sharing ``media_file``. Rejected ones come back as results (see ``rejected``).

        Every message is checked against the spec first: ``InvalidRequestError`` lists every problem and nothing
        is sent. Never retried once the request may have reached ClickSend (no idempotency key: it could send
        twice); such an error has ``may_have_been_sent=True`` and says what to check.
        """
        op = _ops.send(_ops.build_request(messages, media_file))
        try:
            return self._call(op)
        except KeyboardInterrupt as exc:  # the request may have left: say so, by index, and still stop the program
            # A handler that turns SIGTERM into KeyboardInterrupt("SIGTERM") (the CLI's) names it.
            raise SendInterrupted(str(exc) or "SIGINT", all_may_have_been_sent(op)) from None

    def price(self, messages: SendMmsRequest | Sequence[MessageLike], *, media_file: str | None = None) -> SendMmsData:
        return self._call(_ops.price(_ops.build_request(messages, media_file, "price_mms")))

    def cancel(self, message_id: str) -> None:
        self._call(_ops.cancel(message_id))

    def cancel_all(self) -> int:
        """Cancel every scheduled MMS; returns how many were cancelled."""
        return self._call(_ops.cancel_all())

    # -- history ----------------------------------------------------------------------------------------
    def history(
        self,
        *,
        q: str | None = None,
        order_by: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        page: int = 1,
        limit: int = 100,
    ) -> MmsHistoryPage:
        return self._call(
            _ops.history(q=q, order_by=order_by, date_from=date_from, date_to=date_to, page=page, limit=limit)
        )

    def history_pages(
        self,
        *,
        q: str | None = None,
        order_by: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        limit: int = 100,
        start_page: int = 1,
    ) -> Iterator[MmsHistoryPage]:
        def fetch(number: int) -> MmsHistoryPage:
            return self.history(q=q, order_by=order_by, date_from=date_from, date_to=date_to, page=number, limit=limit)

        return pages(fetch, start_page)

    def iter_history(
        self,
        *,
        q: str | None = None,
        order_by: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        limit: int = 100,
    ) -> Iterator[MmsMessageRecord]:
        """Every history row across all pages, each message once."""
        seen = Seen()
        for page in self.history_pages(q=q, order_by=order_by, date_from=date_from, date_to=date_to, limit=limit):
            yield from (row for row in page.data if seen.first_time(row.message_id))

    def export(self, filename: str) -> str:
        """Ask ClickSend for a CSV export of the history; returns the download URL (see ``download``)."""
        return self._call(_ops.export(filename))

    def download(self, url: str, dest: Destination, *, on_progress: OnProgress | None = None) -> int:
        """Stream ``url`` (from ``export``) into ``dest``; returns the byte count. ``on_progress(done, total)`` after
        each chunk.

        ``dest`` is a binary file object (written to, left open) or a path: the file is written beside it and moved
        into place only once complete, so a failed download leaves no partial file and the previous one intact
        (an existing file is replaced; OSError if it cannot be written). Credentials are sent only if ``url`` is on
        the API's own origin: an export link elsewhere must not receive the API key.
        """
        target, same_origin = _download.resolve(self.settings.base_url, url)
        client = self.http if same_origin else httpx.Client(timeout=self.settings.timeout)
        try:
            with _download.opened(dest) as fh, client.stream("GET", target) as response:
                if not response.is_success:
                    response.read()
                    raise _download.refused(response, self.settings)
                counter = _download.Counter(fh, response, on_progress)
                for chunk in response.iter_bytes():
                    counter.write(chunk)
                return counter.done
        except httpx.TransportError as exc:
            raise _download.unreachable(exc, target, same_origin, self.settings) from exc
        finally:
            if not same_origin:
                client.close()

    # -- receipts ---------------------------------------------------------------------------------------
    def receipts(self, *, page: int = 1, limit: int = 100) -> MmsReceiptPage:
        return self._call(_ops.receipts(page=page, limit=limit))

    def receipt_pages(self, *, limit: int = 100, start_page: int = 1) -> Iterator[MmsReceiptPage]:
        return pages(lambda number: self.receipts(page=number, limit=limit), start_page)

    def iter_receipts(self, *, limit: int = 100) -> Iterator[MmsReceipt]:
        """Every receipt row across all pages, each (message, status, time) once."""
        seen = Seen()
        for page in self.receipt_pages(limit=limit):
            yield from (r for r in page.data if seen.first_time((r.message_id, r.status_code, r.timestamp)))

    def receipt(self, message_id: str) -> MmsMessageRecord | MmsReceipt:
        """The record of one message (ClickSend answers a history-style record for MMS)."""
        return self._call(_ops.receipt(message_id))

    def mark_receipts_read(self, date_before: int | None = None) -> None:
        """Mark receipts read (all of them, or those before the unix time ``date_before``)."""
        self._call(_ops.mark_receipts_read(date_before))

    # -- uploads ----------------------------------------------------------------------------------------
    def upload(self, content: bytes | str | os.PathLike[str]) -> UploadData:
        """Upload an image (bytes or a file path) converted for MMS; use the returned ``field_url`` as media_file."""
        return self._call(_ops.upload(encode_upload(content)))


def encode_upload(content: bytes | str | os.PathLike[str]) -> str:
    raw = content if isinstance(content, bytes) else Path(content).read_bytes()
    return base64.b64encode(raw).decode("ascii")


__all__ = ["ClickSend", "ClickSendError", "logger"]
