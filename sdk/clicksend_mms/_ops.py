"""One description per ClickSend operation, shared by the sync and async facades.

Each ``Op`` pairs the generated module's public request builder (``request_kwargs``: URL, params, body exactly as the
spec says) with the generated envelope model that decodes a 2xx, and unwraps ``data``. Retry safety is a
property of the operation, so it lives here too (see ``retry.py`` for the policy table).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from .api.mms import (
    cancel_all_mms,
    cancel_mms,
    export_mms_history,
    get_mms_history,
    get_mms_receipt,
    get_mms_receipts,
    mark_mms_receipts_read,
    price_mms,
    send_mms,
)
from .api.uploads import upload_media
from .models import (
    CancelAllResponse,
    EmptyResponse,
    ExportResponse,
    MarkReceiptsReadRequest,
    MmsHistoryPage,
    MmsHistoryResponse,
    MmsMessageInput,
    MmsMessageRecord,
    MmsReceipt,
    MmsReceiptPage,
    MmsReceiptResponse,
    MmsReceiptsResponse,
    SendMmsData,
    SendMmsRequest,
    SendMmsResponse,
    UploadData,
    UploadRequest,
    UploadResponse,
)
from .types import UNSET, Unset

T = TypeVar("T")

# A message as the generated model, or as its wire-form dict ({"to", "body", "subject", "from", ...}).
MessageLike = MmsMessageInput | Mapping[str, Any]
MAX_BATCH = 1000  # ClickSend accepts at most 1000 messages per send


@dataclasses.dataclass(frozen=True)
class Op(Generic[T]):
    request: dict[str, Any]
    decode: Callable[[Any], T]
    idempotent: bool

    @property
    def method(self) -> str:
        return str(self.request["method"]).upper()

    @property
    def path(self) -> str:
        return str(self.request["url"])


def _opt(value: T | None) -> T | Unset:
    return UNSET if value is None else value


def build_request(messages: SendMmsRequest | Sequence[MessageLike], media_file: str | None) -> SendMmsRequest:
    if isinstance(messages, SendMmsRequest):
        return messages
    if media_file is None:
        raise TypeError("media_file is required unless a SendMmsRequest is given")
    inputs = [m if isinstance(m, MmsMessageInput) else MmsMessageInput.from_dict(dict(m)) for m in messages]
    return SendMmsRequest(media_file=media_file, messages=inputs)


def send(body: SendMmsRequest) -> Op[SendMmsData]:
    return Op(send_mms.request_kwargs(body=body), lambda raw: SendMmsResponse.from_dict(raw).data, idempotent=False)


def price(body: SendMmsRequest) -> Op[SendMmsData]:
    # Pricing changes nothing on the server, so it is safe to repeat.
    return Op(price_mms.request_kwargs(body=body), lambda raw: SendMmsResponse.from_dict(raw).data, idempotent=True)


def history(
    *,
    q: str | None = None,
    order_by: str | None = None,
    date_from: int | None = None,
    date_to: int | None = None,
    page: int = 1,
    limit: int = 100,
) -> Op[MmsHistoryPage]:
    kwargs = get_mms_history.request_kwargs(
        q=_opt(q), order_by=_opt(order_by), date_from=_opt(date_from), date_to=_opt(date_to), page=page, limit=limit
    )
    return Op(kwargs, lambda raw: MmsHistoryResponse.from_dict(raw).data, idempotent=True)


def receipts(*, page: int = 1, limit: int = 100) -> Op[MmsReceiptPage]:
    kwargs = get_mms_receipts.request_kwargs(page=page, limit=limit)
    return Op(kwargs, lambda raw: MmsReceiptsResponse.from_dict(raw).data, idempotent=True)


def receipt(message_id: str) -> Op[MmsMessageRecord | MmsReceipt]:
    kwargs = get_mms_receipt.request_kwargs(message_id)
    return Op(kwargs, lambda raw: MmsReceiptResponse.from_dict(raw).data, idempotent=True)


def mark_receipts_read(date_before: int | None = None) -> Op[None]:
    body = MarkReceiptsReadRequest(date_before=date_before) if date_before is not None else UNSET
    return Op(mark_mms_receipts_read.request_kwargs(body=body), _empty, idempotent=True)


def cancel(message_id: str) -> Op[None]:
    return Op(cancel_mms.request_kwargs(message_id), _empty, idempotent=True)


def cancel_all() -> Op[int]:
    return Op(cancel_all_mms.request_kwargs(), lambda raw: CancelAllResponse.from_dict(raw).data.count, idempotent=True)


def export(filename: str) -> Op[str]:
    kwargs = export_mms_history.request_kwargs(filename=filename)
    return Op(kwargs, lambda raw: ExportResponse.from_dict(raw).data.url, idempotent=True)


def upload(content_b64: str) -> Op[UploadData]:
    # Not retried after it may have been sent: a repeat would create a second upload.
    kwargs = upload_media.request_kwargs(body=UploadRequest(content=content_b64), convert="mms")
    return Op(kwargs, lambda raw: UploadResponse.from_dict(raw).data, idempotent=False)


def _empty(raw: Any) -> None:
    EmptyResponse.from_dict(raw)  # validates the envelope; data is null (or [] on the SMS twin)
