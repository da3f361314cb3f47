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
from .inputs import INPUTS
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
from .request_check import check, check_cross, check_parameters, parameter_rule, require_valid, rule
from .types import UNSET

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


# operationId -> the facade method (ClickSend and AsyncClickSend alike) that calls it.
OPERATIONS: dict[str, str] = {
    "send_mms": "send",
    "price_mms": "price",
    "get_mms_history": "history",
    "export_mms_history": "export",
    "get_mms_receipts": "receipts",
    "get_mms_receipt": "receipt",
    "mark_mms_receipts_read": "mark_receipts_read",
    "cancel_mms": "cancel",
    "cancel_all_mms": "cancel_all",
    "upload_media": "upload",
}


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


def _split(operation_id: str, options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Options (Python names, as the facades take them) by place: (query and path inputs by Python name, top-level
    body fields by wire name). None means left out; a name the spec does not know stays on the parameter side,
    where the check names it."""
    inputs = INPUTS[operation_id]
    params: dict[str, Any] = {}
    body: dict[str, Any] = {}
    for name, value in options.items():
        entry = inputs.get(name)
        if value is None:
            continue
        if entry is not None and entry["in"] == "body":
            body[entry["wire"]] = value
        else:
            params[name] = value
    return params, body


def _wire(operation_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    inputs = INPUTS[operation_id]
    return {inputs[name]["wire"] if name in inputs else name: value for name, value in params.items()}


def _checked(operation_id: str, params: Mapping[str, Any], body: Any = None) -> dict[str, Any]:
    """The query and path inputs (Python names) after checking them, the body's cross rules included, against the
    spec: ``InvalidRequestError`` (nothing sent) otherwise."""
    wire = _wire(operation_id, params)
    problems = check_parameters(operation_id, wire) + check_cross(operation_id, wire, body)
    if problems:
        raise InvalidRequestError(problems)
    return dict(params)


def page_size(operation_id: str) -> int:
    """The facades' page size unless ``limit`` is given: the largest the spec allows (the fewest requests)."""
    size: int = parameter_rule(operation_id, "limit", "maximum")
    return size


def send_body(
    messages: SendMmsRequest | Iterable[MessageLike], media_file: str | None, fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON body as the caller gave it: dicts as they are (unknown keys kept, so they can be named), models
    as their ``to_dict()``. Anything that is not a list of messages is passed on for the checker to name.
    ``fields``: further top-level body fields, by wire name."""
    if isinstance(messages, SendMmsRequest):
        return {**messages.to_dict(), **(fields or {})}
    listed: Any = messages
    if isinstance(messages, Iterable) and not isinstance(messages, Mapping | str | bytes):
        listed = [m.to_dict() if isinstance(m, MmsMessageInput) else m for m in messages]
    body: dict[str, Any] = {} if media_file is None else {"media_file": media_file}
    body["messages"] = listed
    body.update(fields or {})
    return body


@dataclasses.dataclass(frozen=True)
class SendRequest:
    """A checked send (or price): the body model and the query inputs."""

    body: SendMmsRequest
    params: dict[str, Any]


def build_request(
    messages: SendMmsRequest | Sequence[MessageLike],
    media_file: str | None,
    operation: str = "send_mms",
    options: Mapping[str, Any] | None = None,
) -> SendRequest:
    """The request to send, checked against the spec first: ``InvalidRequestError`` (nothing sent) otherwise."""
    params, fields = _split(operation, options or {})
    body = send_body(messages, media_file, fields)
    too_many = isinstance(body["messages"], list) and len(body["messages"]) > MAX_BATCH
    require_valid(operation, body, advice=TOO_MANY_MESSAGES.format(limit=MAX_BATCH) if too_many else None)
    checked = _checked(operation, params, body)
    model = SendMmsRequest.from_dict(body) if fields or not isinstance(messages, SendMmsRequest) else messages
    return SendRequest(model, checked)


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


def batch_request(wire_messages: Sequence[Mapping[str, Any]], media_file: str) -> SendRequest:
    """A batch of messages already checked by ``require_valid_bulk``."""
    return SendRequest(SendMmsRequest.from_dict({"media_file": media_file, "messages": list(wire_messages)}), {})


def send(request: SendRequest) -> Op[SendMmsData]:
    return Op(
        send_mms.request_kwargs(body=request.body, **request.params),
        SendMmsResponse,
        _data,
        idempotent=False,
        if_maybe_sent=SEND_MAY_HAVE_BEEN_SENT,
    )


def price(request: SendRequest) -> Op[SendMmsData]:
    # Pricing changes nothing on the server, so it is safe to repeat.
    return Op(price_mms.request_kwargs(body=request.body, **request.params), SendMmsResponse, _data, idempotent=True)


def history(options: Mapping[str, Any]) -> Op[MmsHistoryPage]:
    params, _ = _split("get_mms_history", {"limit": page_size("get_mms_history"), **options})
    kwargs = get_mms_history.request_kwargs(**_checked("get_mms_history", params))
    return Op(kwargs, MmsHistoryResponse, _data, idempotent=True)


def receipts(options: Mapping[str, Any]) -> Op[MmsReceiptPage]:
    params, _ = _split("get_mms_receipts", {"limit": page_size("get_mms_receipts"), **options})
    kwargs = get_mms_receipts.request_kwargs(**_checked("get_mms_receipts", params))
    return Op(kwargs, MmsReceiptsResponse, _data, idempotent=True)


def receipt(message_id: str, options: Mapping[str, Any]) -> Op[MmsMessageRecord | MmsReceipt]:
    params, _ = _split("get_mms_receipt", {"message_id": message_id, **options})
    kwargs = get_mms_receipt.request_kwargs(**_checked("get_mms_receipt", params))
    return Op(kwargs, MmsReceiptResponse, _data, idempotent=True)


def mark_receipts_read(options: Mapping[str, Any]) -> Op[None]:
    params, fields = _split("mark_mms_receipts_read", options)
    if fields:
        require_valid("mark_mms_receipts_read", fields)
    body = MarkReceiptsReadRequest.from_dict(fields) if fields else UNSET
    kwargs = mark_mms_receipts_read.request_kwargs(body=body, **_checked("mark_mms_receipts_read", params, fields))
    return Op(kwargs, EmptyResponse, _nothing, idempotent=True)


def cancel(message_id: str, options: Mapping[str, Any]) -> Op[None]:
    params, _ = _split("cancel_mms", {"message_id": message_id, **options})
    kwargs = cancel_mms.request_kwargs(**_checked("cancel_mms", params))
    return Op(kwargs, EmptyResponse, _nothing, idempotent=True, if_not_found=CANCEL_NOT_FOUND)


def cancel_all(options: Mapping[str, Any]) -> Op[int]:
    kwargs = cancel_all_mms.request_kwargs(**_checked("cancel_all_mms", _split("cancel_all_mms", options)[0]))
    return Op(kwargs, CancelAllResponse, lambda r: r.data.count, idempotent=True)


def export(filename: str, options: Mapping[str, Any]) -> Op[str]:
    params, _ = _split("export_mms_history", {"filename": filename, **options})
    kwargs = export_mms_history.request_kwargs(**_checked("export_mms_history", params))
    return Op(kwargs, ExportResponse, lambda r: r.data.url, idempotent=True)


# MMS is the only conversion the spec allows; the SDK asks for it unless told otherwise.
UPLOAD_CONVERT: str = parameter_rule("upload_media", "convert", "enum")[0]


def upload(content_b64: str, options: Mapping[str, Any]) -> Op[UploadData]:
    # Not retried after it may have been sent: a repeat would create a second upload.
    params, fields = _split("upload_media", {"convert": UPLOAD_CONVERT, **options})
    body = {"content": content_b64, **fields}
    require_valid("upload_media", body)
    kwargs = upload_media.request_kwargs(body=UploadRequest.from_dict(body), **_checked("upload_media", params, body))
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
