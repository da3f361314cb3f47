"""ClickSend's nine MMS operations and the upload: each puts what the rules answer into ClickSend's envelope."""

from __future__ import annotations

from starlette.responses import Response

from . import envelope
from .pipeline import Call, Handler


async def send_mms(call: Call) -> Response:
    # Answered only once the group commit holding this send has returned: a 200 is durable.
    return envelope.success("Messages queued for delivery.", await call.rules.send(call.account, call.body, call.now))


async def price_mms(call: Call) -> Response:
    return envelope.success("Messages queued for delivery.", await call.rules.price(call.account, call.body, call.now))


async def get_mms_history(call: Call) -> Response:
    return envelope.success("Here is your history.", await call.rules.history(call.account, call.params, call.now))


async def export_mms_history(call: Call) -> Response:
    data = await call.rules.export(call.account, call.params["filename"], call.origin, call.now)
    return envelope.success("Download your file here.", data)


async def get_mms_receipts(call: Call) -> Response:
    data = await call.rules.receipts(call.account, call.params, call.now)
    return envelope.success("Here are your delivery receipts.", data)


async def get_mms_receipt(call: Call) -> Response:
    data = await call.rules.receipt(call.account, call.params["message_id"], call.now)
    return envelope.success("Here is your receipt.", data)


async def mark_mms_receipts_read(call: Call) -> Response:
    before = call.body.get("date_before") if isinstance(call.body, dict) else None
    await call.rules.mark_read(call.account, int(before) if before is not None else None, call.now)
    return envelope.success("Receipts have been marked as read.", None)


async def cancel_mms(call: Call) -> Response:
    await call.rules.cancel(call.account, call.params["message_id"], call.now)
    return envelope.success("MMS has been cancelled.", None)


async def cancel_all_mms(call: Call) -> Response:
    count = await call.rules.cancel_all(call.account, call.now)
    return envelope.success(f"{count} MMS have been cancelled.", {"count": count})


async def upload_media(call: Call) -> Response:
    data = await call.rules.upload(call.account, call.body, call.params.get("convert"), call.origin, call.now)
    return envelope.success("Here is your file.", data)


# By the spec's operationId.
HANDLERS: dict[str, Handler] = {
    "send_mms": send_mms,
    "price_mms": price_mms,
    "get_mms_history": get_mms_history,
    "export_mms_history": export_mms_history,
    "get_mms_receipts": get_mms_receipts,
    "get_mms_receipt": get_mms_receipt,
    "mark_mms_receipts_read": mark_mms_receipts_read,
    "cancel_mms": cancel_mms,
    "cancel_all_mms": cancel_all_mms,
    "upload_media": upload_media,
}
