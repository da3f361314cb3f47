"""``AsyncClickSend``: the asyncio facade, same methods as ``ClickSend`` plus ``send_bulk``.

Its default transport is httpx-aiohttp's: httpx's own async connection pool collapses under concurrent
load (httpx issue 3215); see tests/client/measure_bulk.py for the numbers behind this choice.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import TypeVar, Unpack

import httpx

from . import _download, _ops
from ._core import FacadeBase
from ._download import Destination, OnProgress
from ._ops import MessageLike, Op
from ._pagination import Seen, apages
from .exceptions import ClickSendError
from .facade import encode_upload
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
from .models import (
    MmsHistoryPage,
    MmsMessageRecord,
    MmsMessageResult,
    MmsReceipt,
    MmsReceiptPage,
    SendMmsData,
    SendMmsRequest,
    UploadData,
)
from .reconcile import ReconcilePolicy
from .recording import RecordTarget
from .retry import RetryPolicy
from .send_account import SendCancelled, all_may_have_been_sent

T = TypeVar("T")


def default_async_transport(max_connections: int = 100) -> httpx.AsyncBaseTransport:
    """httpx-aiohttp's transport when installed (it is a dependency), else httpx's own."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:  # pragma: no cover - httpx-aiohttp is a declared dependency
        return httpx.AsyncHTTPTransport(limits=limits)
    return AiohttpTransport(limits=limits)


class AsyncClickSend(FacadeBase):
    """Asyncio ClickSend MMS client. ``transport`` may be e.g. ``httpx.ASGITransport(app)`` for in-process use."""

    def __init__(
        self,
        username: str | None = None,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        record: RecordTarget = None,
        sandbox: bool | None = None,
    ) -> None:
        transport = transport or default_async_transport()
        super().__init__(username, api_key, base_url, timeout, retry, headers, transport, record, sandbox)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.api.get_async_httpx_client()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClickSend:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _call(self, op: Op[T], policy: RetryPolicy | None = None) -> T:
        retries = self._retries(op, policy)
        while True:
            try:
                return await self._once(op)
            except ClickSendError as exc:
                wait = retries.wait_after(exc)
                if wait is None:
                    raise
            await asyncio.sleep(wait)

    async def _once(self, op: Op[T]) -> T:
        try:
            response = await self.http.request(**op.request)
        except httpx.TransportError as exc:
            raise self._transport_error(op, exc) from exc
        return self._finish(op, response)

    # -- sending ----------------------------------------------------------------------------------------
    # Every method's keyword options are the operation's optional inputs in the spec (``clicksend_mms.inputs``,
    # generated), as in ClickSend.
    async def send(
        self,
        messages: SendMmsRequest | Sequence[MessageLike],
        *,
        media_file: str | None = None,
        **options: Unpack[SendMmsOptions],
    ) -> SendMmsData:
        """Send up to 1000 messages, checked against the spec first (``InvalidRequestError``: nothing sent); never
        retried once the request may have reached ClickSend (then ``may_have_been_sent=True``)."""
        op = _ops.send(_ops.build_request(messages, media_file, "send_mms", options))
        try:
            return await self._call(op)
        except asyncio.CancelledError:
            raise SendCancelled(all_may_have_been_sent(op)) from None

    async def send_bulk(
        self,
        messages: Sequence[MessageLike],
        *,
        media_file: str,
        batch_size: int = _ops.MAX_BATCH,
        concurrency: int = 8,
        progress: bool | Callable[[int], None] = False,
        journal: str | os.PathLike[str] | None = None,
        reconcile: ReconcilePolicy | None = None,
        rate: float | None = None,
    ) -> list[MmsMessageResult]:
        """Send any number of messages in batches of ``batch_size`` (<= 1000), ``concurrency`` at a time.

        Every message is checked against the spec before the first batch goes out (``InvalidRequestError`` with
        each message's index: nothing sent). Returns one result per message, in input order. 429s are waited out
        and the batch resent (a 429 proves it was not accepted). Any other failure raises ``BulkSendError`` with
        the results so far and, per failed batch, whether it may have been sent. ``progress=True`` shows a rich
        progress bar (rich comes with the ``[cli]`` extra; without it ``ConfigurationError`` is raised before
        anything is sent); a callable receives the number of messages finished after each batch. ``rate``: at most
        this many requests a second.

        Interrupted (Ctrl-C, SIGTERM: ``SendInterrupted``, a ``KeyboardInterrupt``; task cancellation or loop
        shutdown: ``SendCancelled``, a ``CancelledError``), it raises the same three-way ``.account``.

        ``journal=PATH`` keeps a send journal (clicksend_mms.journal): a new job is written there before anything
        is sent; on a journal an earlier run left, the in-flight batches are first reconciled against the MMS
        history (``reconcile``: a ``ReconcilePolicy``) and only what never reached ClickSend is sent. Results are
        those of the messages answered in this run.
        """
        from .bulk import send_bulk

        return await send_bulk(
            self,
            messages,
            media_file=media_file,
            batch_size=batch_size,
            concurrency=concurrency,
            progress=progress,
            journal=journal,
            reconcile=reconcile,
            rate=rate,
        )

    async def price(
        self,
        messages: SendMmsRequest | Sequence[MessageLike],
        *,
        media_file: str | None = None,
        **options: Unpack[PriceMmsOptions],
    ) -> SendMmsData:
        """What sending these messages would cost; nothing is sent."""
        return await self._call(_ops.price(_ops.build_request(messages, media_file, "price_mms", options)))

    async def cancel(self, message_id: str, **options: Unpack[CancelMmsOptions]) -> None:
        """Cancel one scheduled message."""
        await self._call(_ops.cancel(message_id, options))

    async def cancel_all(self, **options: Unpack[CancelAllMmsOptions]) -> int:
        """Cancel every scheduled MMS; returns how many were cancelled."""
        return await self._call(_ops.cancel_all(options))

    # -- history ----------------------------------------------------------------------------------------
    async def history(self, **options: Unpack[GetMmsHistoryOptions]) -> MmsHistoryPage:
        """One page of the MMS history (``limit`` defaults to the largest page the spec allows)."""
        return await self._call(_ops.history(options))

    def history_pages(
        self, *, start_page: int = 1, **options: Unpack[GetMmsHistoryPagedOptions]
    ) -> AsyncIterator[MmsHistoryPage]:
        """Every page of the history from ``start_page``."""

        async def fetch(number: int) -> MmsHistoryPage:
            return await self.history(page=number, **options)

        return apages(fetch, start_page)

    async def iter_history(self, **options: Unpack[GetMmsHistoryPagedOptions]) -> AsyncIterator[MmsMessageRecord]:
        """Every history row across all pages, each message once."""
        seen = Seen()
        async for page in self.history_pages(**options):
            for row in page.data:
                if seen.first_time(row.message_id):
                    yield row

    async def export(self, filename: str, **options: Unpack[ExportMmsHistoryOptions]) -> str:
        """Ask ClickSend for a CSV export of the history; returns the download URL (see ``download``)."""
        return await self._call(_ops.export(filename, options))

    async def download(self, url: str, dest: Destination, *, on_progress: OnProgress | None = None) -> int:
        """Stream ``url`` (from ``export``) into ``dest``, a binary file object or a path; as ``ClickSend.download``.

        Writing to ``dest`` blocks the event loop for each chunk (a local file; an export is a CSV).
        """
        target, same_origin = _download.resolve(self.settings.base_url, url)
        client = self.http if same_origin else httpx.AsyncClient(timeout=self.settings.timeout)
        try:
            with _download.opened(dest) as fh:
                async with client.stream("GET", target) as response:
                    if not response.is_success:
                        await response.aread()
                        raise _download.refused(response, self.settings)
                    counter = _download.Counter(fh, response, on_progress)
                    async for chunk in response.aiter_bytes():
                        counter.write(chunk)
                    return counter.done
        except httpx.TransportError as exc:
            raise _download.unreachable(exc, target, same_origin, self.settings) from exc
        finally:
            if not same_origin:
                await client.aclose()

    # -- receipts ---------------------------------------------------------------------------------------
    async def receipts(self, **options: Unpack[GetMmsReceiptsOptions]) -> MmsReceiptPage:
        """One page of delivery receipts (``limit`` defaults to the largest page the spec allows)."""
        return await self._call(_ops.receipts(options))

    def receipt_pages(
        self, *, start_page: int = 1, **options: Unpack[GetMmsReceiptsPagedOptions]
    ) -> AsyncIterator[MmsReceiptPage]:
        """Every page of receipts from ``start_page``."""

        async def fetch(number: int) -> MmsReceiptPage:
            return await self.receipts(page=number, **options)

        return apages(fetch, start_page)

    async def iter_receipts(self, **options: Unpack[GetMmsReceiptsPagedOptions]) -> AsyncIterator[MmsReceipt]:
        """Every receipt row across all pages, each (message, status, time) once."""
        seen = Seen()
        async for page in self.receipt_pages(**options):
            for r in page.data:
                if seen.first_time((r.message_id, r.status_code, r.timestamp)):
                    yield r

    async def receipt(self, message_id: str, **options: Unpack[GetMmsReceiptOptions]) -> MmsMessageRecord | MmsReceipt:
        """The record of one message (ClickSend answers a history-style record for MMS)."""
        return await self._call(_ops.receipt(message_id, options))

    async def mark_receipts_read(self, **options: Unpack[MarkMmsReceiptsReadOptions]) -> None:
        """Mark receipts read (all of them, or those before the unix time ``date_before``)."""
        await self._call(_ops.mark_receipts_read(options))

    async def upload(
        self, content: bytes | str | os.PathLike[str], **options: Unpack[UploadMediaOptions]
    ) -> UploadData:
        """Upload an image (bytes or a file path) converted for MMS; use the returned ``field_url`` as media_file."""
        return await self._call(_ops.upload(encode_upload(content), options))
