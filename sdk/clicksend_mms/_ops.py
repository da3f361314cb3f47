"""One description per ClickSend operation, shared by the sync and async facades.

Each ``Op`` pairs the generated module's public request builder (``request_kwargs``: URL, params, body exactly as the
spec says) with the generated envelope model a 2xx decodes to (``_core`` decodes it: the compiled decoder, else
``from_dict``), and what to unwrap from it. Retry safety is a
property of the operation, so it lives here too (see ``retry.py`` for the policy table), with what to do when a
call that must not be repeated may have reached ClickSend anyway.

Every request body and every query or path parameter is checked against the spec's rules (``request_check``)
before an ``Op`` exists, so input the contract forbids raises ``InvalidRequestError`` and never reaches the wire.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from .exceptions import InvalidRequestError
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
from .request_check import check, require_valid, require_valid_parameters, rule
from .types import UNSET, Unset

T = TypeVar("T")

# A message as the generated model, or as its wire-form dict ({"to", "body", "subject", "from", ...}).
MessageLike = MmsMessageInput | Mapping[str, Any]
MAX_BATCH: int = rule("send_mms", "messages", keyword="maxItems")  # messages per send, from the spec

# What to do when a call that is never repeated automatically may have reached ClickSend.
SEND_MAY_HAVE_BEEN_SENT = (
    "The messages may have been sent (and charged): ClickSend has no idempotency key, so sending again could "
    "send them twice. Look for them in the MMS history first (iter_history, or `clicksend-mms history`), e.g. "
    "by their custom_string, and send again only those that are not there."
)
UPLOAD_MAY_HAVE_BEEN_SENT = (
    "The file may have been stored by ClickSend; uploading again stores a second copy with a new URL."
)
CANCEL_NOT_FOUND = (
    "Only a message of this account that is still scheduled can be cancelled: one already sent, already "
    "cancelled, sent by another account, or never sent answers this 404 (history shows each message's status)."
)
TOO_MANY_MESSAGES = "Send at most {limit} messages per call; AsyncClickSend.send_bulk sends any number in batches."


@dataclasses.dataclass(frozen=True)
class Op(Generic[T]):
    request: dict[str, Any]
    envelope: type[Any]  # the generated model of a 2xx body
    unwrap: Callable[[Any], T]  # what the caller gets from the envelope
    idempotent: bool
    # For a call that is never repeated: what the caller should do if it may have reached ClickSend.
    if_maybe_sent: str | None = None
    # What a 404 means for this call, where ClickSend's own words leave it open.
    if_not_found: str | None = None

    @property
    def method(self) -> str:
        return str(self.request["method"]).upper()

    @property
    def path(self) -> str:
        return str(self.request["url"])


def _opt(value: T | None) -> T | Unset:
    return UNSET if value is None else value


def send_body(messages: SendMmsRequest | Iterable[MessageLike], media_file: str | None) -> dict[str, Any]:
    """The JSON body as the caller gave it: dicts as they are (unknown keys kept, so they can be named), models
    as their ``to_dict()``. Anything that is not a list of messages is passed on for the checker to name."""
    if isinstance(messages, SendMmsRequest):
        return messages.to_dict()
    listed: Any = messages
    if isinstance(messages, Iterable) and not isinstance(messages, Mapping | str | bytes):
        listed = [m.to_dict() if isinstance(m, MmsMessageInput) else m for m in messages]
    body: dict[str, Any] = {} if media_file is None else {"media_file": media_file}
    body["messages"] = listed
    return body


def build_request(
    messages: SendMmsRequest | Sequence[MessageLike], media_file: str | None, operation: str = "send_mms"
) -> SendMmsRequest:
    """The request to send, checked against the spec first: ``InvalidRequestError`` (nothing sent) otherwise."""
    body = send_body(messages, media_file)
    too_many = isinstance(body["messages"], list) and len(body["messages"]) > MAX_BATCH
    require_valid(operation, body, advice=TOO_MANY_MESSAGES.format(limit=MAX_BATCH) if too_many else None)
    return messages if isinstance(messages, SendMmsRequest) else SendMmsRequest.from_dict(body)


def require_valid_bulk(messages: Sequence[MessageLike], media_file: str | None) -> list[Any]:
    """Check every message of a bulk send up front (indexes as given); returns their wire dicts.

    The per-request message count does not apply: bulk send splits the list into batches that respect it.
    """
    body = send_body(messages, media_file)
    problems = [
        p for p in check("send_mms", body) if not (p.path == ("messages",) and p.rule in ("minItems", "maxItems"))
    ]
    if problems:
        raise InvalidRequestError(problems)
    wire: list[Any] = body["messages"]
    return wire


def batch_request(wire_messages: Sequence[Mapping[str, Any]], media_file: str) -> SendMmsRequest:
    """A batch of messages already checked by ``require_valid_bulk``."""
    return SendMmsRequest.from_dict({"media_file": media_file, "messages": list(wire_messages)})


def send(body: SendMmsRequest) -> Op[SendMmsData]:
    return Op(
        send_mms.request_kwargs(body=body),
        SendMmsResponse,
        _data,
        idempotent=False,
        if_maybe_sent=SEND_MAY_HAVE_BEEN_SENT,
    )


def price(body: SendMmsRequest) -> Op[SendMmsData]:
    # Pricing changes nothing on the server, so it is safe to repeat.
    return Op(price_mms.request_kwargs(body=body), SendMmsResponse, _data, idempotent=True)


def history(
    *,
    q: str | None = None,
    order_by: str | None = None,
    date_from: int | None = None,
    date_to: int | None = None,
    page: int = 1,
    limit: int = 100,
) -> Op[MmsHistoryPage]:
    require_valid_parameters(
        "get_mms_history", q=q, order_by=order_by, date_from=date_from, date_to=date_to, page=page, limit=limit
    )
    kwargs = get_mms_history.request_kwargs(
        q=_opt(q), order_by=_opt(order_by), date_from=_opt(date_from), date_to=_opt(date_to), page=page, limit=limit
    )
    return Op(kwargs, MmsHistoryResponse, _data, idempotent=True)


def receipts(*, page: int = 1, limit: int = 100) -> Op[MmsReceiptPage]:
    require_valid_parameters("get_mms_receipts", page=page, limit=limit)
    kwargs = get_mms_receipts.request_kwargs(page=page, limit=limit)
    return Op(kwargs, MmsReceiptsResponse, _data, idempotent=True)


def receipt(message_id: str) -> Op[MmsMessageRecord | MmsReceipt]:
    require_valid_parameters("get_mms_receipt", message_id=message_id)
    kwargs = get_mms_receipt.request_kwargs(message_id)
    return Op(kwargs, MmsReceiptResponse, _data, idempotent=True)


def mark_receipts_read(date_before: int | None = None) -> Op[None]:
    if date_before is not None:
        require_valid("mark_mms_receipts_read", {"date_before": date_before})
    body = MarkReceiptsReadRequest(date_before=date_before) if date_before is not None else UNSET
    return Op(mark_mms_receipts_read.request_kwargs(body=body), EmptyResponse, _nothing, idempotent=True)


def cancel(message_id: str) -> Op[None]:
    require_valid_parameters("cancel_mms", message_id=message_id)
    kwargs = cancel_mms.request_kwargs(message_id)
    return Op(kwargs, EmptyResponse, _nothing, idempotent=True, if_not_found=CANCEL_NOT_FOUND)


def cancel_all() -> Op[int]:
    return Op(cancel_all_mms.request_kwargs(), CancelAllResponse, lambda r: r.data.count, idempotent=True)


def export(filename: str) -> Op[str]:
    require_valid_parameters("export_mms_history", filename=filename)
    kwargs = export_mms_history.request_kwargs(filename=filename)
    return Op(kwargs, ExportResponse, lambda r: r.data.url, idempotent=True)


def upload(content_b64: str) -> Op[UploadData]:
    # Not retried after it may have been sent: a repeat would create a second upload.
    require_valid("upload_media", {"content": content_b64})
    kwargs = upload_media.request_kwargs(body=UploadRequest(content=content_b64), convert="mms")
    return Op(
        kwargs,
        UploadResponse,
        _data,
        idempotent=False,
        if_maybe_sent=UPLOAD_MAY_HAVE_BEEN_SENT,
    )


def _data(envelope: Any) -> Any:
    return envelope.data


def _nothing(envelope: EmptyResponse) -> None:
    """Decoding the envelope validated it; its data is null (or [] on the SMS twin)."""
