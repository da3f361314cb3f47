"""``ClickSend``: the synchronous facade. Returns the generated models with ``data`` unwrapped, raises the
typed errors of ``exceptions.py``, retries per the table in ``retry.py``.

    from clicksend_mms import ClickSend
    with ClickSend() as cs:            # CLICKSEND_USERNAME / CLICKSEND_API_KEY / CLICKSEND_BASE_URL; or sandbox=True
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
from typing import TypeVar, Unpack

import httpx

from . import _download, _ops
from ._core import FacadeBase, logger
from ._download import Destination, OnProgress
from ._ops import MessageLike, Op
from ._pagination import Seen, pages
from .exceptions import ClickSendError
from .inputs import (
    CancelAllMmsOptions,
    CancelMmsOptions,
    ExportMmsHistoryOptions,
    GetMmsHistoryOptions,
    GetMmsHistoryPagedOptions,
    GetMmsReceiptOptions,
    GetMmsReceiptsOptions,
    GetMmsReceiptsPagedOptions,
    MarkMmsReceiptsReadOptions,
    PriceMmsOptions,
    SendMmsOptions,
    UploadMediaOptions,
)
from .local_files import read_bytes
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
    """Synchronous ClickSend MMS client. Pass ``transport`` (e.g. ``httpx.MockTransport``) to bypass the network;
    ``sandbox=True`` (or CLICKSEND_SANDBOX=1) targets the local sandbox as its default account (config.py)."""

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
        sandbox: bool | None = None,
    ) -> None:
        super().__init__(username, api_key, base_url, timeout, retry, headers, transport, record, sandbox)

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
    # Every method's keyword options are the operation's optional inputs in the spec (``clicksend_mms.inputs``,
    # generated): a parameter or body field added there is accepted here, checked and sent, with no edit.
    def send(
        self,
        messages: SendMmsRequest | Sequence[MessageLike],
        *,
        media_file: str | None = None,
        **options: Unpack[SendMmsOptions],
    ) -> SendMmsData:
        """Send up to 1000 messages sharing ``media_file``. Rejected ones come back as results (see ``rejected``).

        Every message is checked against the spec first: ``InvalidRequestError`` lists every problem and nothing
        is sent. Never retried once the request may have reached ClickSend (no idempotency key: it could send
        twice); such an error has ``may_have_been_sent=True`` and says what to check.
        """
        op = _ops.send(_ops.build_request(messages, media_file, "send_mms", options))
        try:
            return self._call(op)
        except KeyboardInterrupt as exc:  # the request may have left: say so, by index, and still stop the program
            # A handler that turns SIGTERM into KeyboardInterrupt("SIGTERM") (the CLI's) names it.
            raise SendInterrupted(str(exc) or "SIGINT", all_may_have_been_sent(op)) from None

    def price(
        self,
        messages: SendMmsRequest | Sequence[MessageLike],
        *,
        media_file: str | None = None,
        **options: Unpack[PriceMmsOptions],
    ) -> SendMmsData:
        """What sending these messages would cost; nothing is sent."""
        return self._call(_ops.price(_ops.build_request(messages, media_file, "price_mms", options)))

    def cancel(self, message_id: str, **options: Unpack[CancelMmsOptions]) -> None:
        """Cancel one scheduled message."""
        self._call(_ops.cancel(message_id, options))

    def cancel_all(self, **options: Unpack[CancelAllMmsOptions]) -> int:
        """Cancel every scheduled MMS; returns how many were cancelled."""
        return self._call(_ops.cancel_all(options))

    # -- history ----------------------------------------------------------------------------------------
    def history(self, **options: Unpack[GetMmsHistoryOptions]) -> MmsHistoryPage:
        """One page of the MMS history (``limit`` defaults to the largest page the spec allows)."""
        return self._call(_ops.history(options))

    def history_pages(
        self, *, start_page: int = 1, **options: Unpack[GetMmsHistoryPagedOptions]
    ) -> Iterator[MmsHistoryPage]:
        """Every page of the history from ``start_page``."""

        def fetch(number: int) -> MmsHistoryPage:
            return self.history(page=number, **options)

        return pages(fetch, start_page)

    def iter_history(self, **options: Unpack[GetMmsHistoryPagedOptions]) -> Iterator[MmsMessageRecord]:
        """Every history row across all pages, each message once."""
        seen = Seen()
        for page in self.history_pages(**options):
            yield from (row for row in page.data if seen.first_time(row.message_id))

    def export(self, filename: str, **options: Unpack[ExportMmsHistoryOptions]) -> str:
        """Ask ClickSend for a CSV export of the history; returns the download URL (see ``download``)."""
        return self._call(_ops.export(filename, options))

    def download(self, url: str, dest: Destination, *, on_progress: OnProgress | None = None) -> int:
        """Stream ``url`` (from ``export``) into ``dest``; returns the byte count. ``on_progress(done, total)`` after
        each chunk.

        ``dest`` is a binary file object (written to, left open) or a path: the file is written beside it and moved
        into place only once complete, so a failed download leaves no partial file and the previous one intact
        (an existing file is replaced; LocalFileError if it cannot be written). Credentials are sent only if ``url``
        is on the API's own origin: an export link elsewhere must not receive the API key.
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
    def receipts(self, **options: Unpack[GetMmsReceiptsOptions]) -> MmsReceiptPage:
        """One page of delivery receipts (``limit`` defaults to the largest page the spec allows)."""
        return self._call(_ops.receipts(options))

    def receipt_pages(
        self, *, start_page: int = 1, **options: Unpack[GetMmsReceiptsPagedOptions]
    ) -> Iterator[MmsReceiptPage]:
        """Every page of receipts from ``start_page``."""
        return pages(lambda number: self.receipts(page=number, **options), start_page)

    def iter_receipts(self, **options: Unpack[GetMmsReceiptsPagedOptions]) -> Iterator[MmsReceipt]:
        """Every receipt row across all pages, each (message, status, time) once."""
        seen = Seen()
        for page in self.receipt_pages(**options):
            yield from (r for r in page.data if seen.first_time((r.message_id, r.status_code, r.timestamp)))

    def receipt(self, message_id: str, **options: Unpack[GetMmsReceiptOptions]) -> MmsMessageRecord | MmsReceipt:
        """The record of one message (ClickSend answers a history-style record for MMS)."""
        return self._call(_ops.receipt(message_id, options))

    def mark_receipts_read(self, **options: Unpack[MarkMmsReceiptsReadOptions]) -> None:
        """Mark receipts read (all of them, or those before the unix time ``date_before``)."""
        self._call(_ops.mark_receipts_read(options))

    # -- uploads ----------------------------------------------------------------------------------------
    def upload(self, content: bytes | str | os.PathLike[str], **options: Unpack[UploadMediaOptions]) -> UploadData:
        """Upload an image (bytes or a file path) converted for MMS; use the returned ``field_url`` as media_file."""
        return self._call(_ops.upload(encode_upload(content), options))


def encode_upload(content: bytes | str | os.PathLike[str]) -> str:
    """Base64 of the bytes, or of the file at the path (LocalFileError, naming it, if it cannot be read)."""
    raw = content if isinstance(content, bytes) else read_bytes(Path(content))
    return base64.b64encode(raw).decode("ascii")


__all__ = ["ClickSend", "ClickSendError", "logger"]
