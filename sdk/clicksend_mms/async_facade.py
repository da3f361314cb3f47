"""``AsyncClickSend``: the asyncio facade, same methods as ``ClickSend`` plus ``send_bulk``.

Its default transport is httpx-aiohttp's: httpx's own async connection pool collapses under concurrent
load (httpx issue 3215); see tests/client/measure_bulk.py for the numbers behind this choice.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import TypeVar

import httpx

from . import _download, _ops
from ._core import FacadeBase
from ._download import Destination, OnProgress
from ._ops import MessageLike, Op
from ._pagination import Seen, apages
from .exceptions import ClickSendError
from .facade import encode_upload
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
    ) -> None:
        transport = transport or default_async_transport()
        super().__init__(username, api_key, base_url, timeout, retry, headers, transport, record)

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
    async def send(
        self, messages: SendMmsRequest | Sequence[MessageLike], *, media_file: str | None = None
    ) -> SendMmsData:
        """Send up to 1000 messages, checked against the spec first (``InvalidRequestError``: nothing sent); never
        retried once the request may have reached ClickSend (then ``may_have_been_sent=True``)."""
        op = _ops.send(_ops.build_request(messages, media_file))
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
        self, messages: SendMmsRequest | Sequence[MessageLike], *, media_file: str | None = None
    ) -> SendMmsData:
        return await self._call(_ops.price(_ops.build_request(messages, media_file, "price_mms")))

    async def cancel(self, message_id: str) -> None:
        await self._call(_ops.cancel(message_id))

    async def cancel_all(self) -> int:
        return await self._call(_ops.cancel_all())

    # -- history ----------------------------------------------------------------------------------------
    async def history(
        self,
        *,
        q: str | None = None,
        order_by: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        page: int = 1,
        limit: int = 100,
    ) -> MmsHistoryPage:
        return await self._call(
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
    ) -> AsyncIterator[MmsHistoryPage]:
        async def fetch(number: int) -> MmsHistoryPage:
            return await self.history(
                q=q, order_by=order_by, date_from=date_from, date_to=date_to, page=number, limit=limit
            )

        return apages(fetch, start_page)

    async def iter_history(
        self,
        *,
        q: str | None = None,
        order_by: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        limit: int = 100,
    ) -> AsyncIterator[MmsMessageRecord]:
        seen = Seen()
        async for page in self.history_pages(q=q, order_by=order_by, date_from=date_from, date_to=date_to, limit=limit):
            for row in page.data:
                if seen.first_time(row.message_id):
                    yield row

    async def export(self, filename: str) -> str:
        return await self._call(_ops.export(filename))

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
    async def receipts(self, *, page: int = 1, limit: int = 100) -> MmsReceiptPage:
        return await self._call(_ops.receipts(page=page, limit=limit))

    def receipt_pages(self, *, limit: int = 100, start_page: int = 1) -> AsyncIterator[MmsReceiptPage]:
        async def fetch(number: int) -> MmsReceiptPage:
            return await self.receipts(page=number, limit=limit)

        return apages(fetch, start_page)

    async def iter_receipts(self, *, limit: int = 100) -> AsyncIterator[MmsReceipt]:
        seen = Seen()
        async for page in self.receipt_pages(limit=limit):
            for r in page.data:
                if seen.first_time((r.message_id, r.status_code, r.timestamp)):
                    yield r

    async def receipt(self, message_id: str) -> MmsMessageRecord | MmsReceipt:
        return await self._call(_ops.receipt(message_id))

    async def mark_receipts_read(self, date_before: int | None = None) -> None:
        await self._call(_ops.mark_receipts_read(date_before))

    async def upload(self, content: bytes | str | os.PathLike[str]) -> UploadData:
        return await self._call(_ops.upload(encode_upload(content)))
