"""Runs inside the clicksend-client 5.0.91 venv: ClickSend's legacy SDK (package `clicksend_client`), configured
exactly as for ClickSend except its host, https://rest.clicksend.com/v3 with the sandbox's origin for ClickSend's.
Credentials and origin from CLICKSEND_USERNAME, CLICKSEND_API_KEY, CLICKSEND_ORIGIN.

Every call of this SDK returns `str(dict)` of the parsed JSON (its response type is "str"): read back with
ast.literal_eval, as a user of it must."""

from __future__ import annotations

import ast
import os
from typing import Any

import clicksend_client
from _protocol import run
from clicksend_client.rest import ApiException

configuration = clicksend_client.Configuration()
configuration.host = os.environ["CLICKSEND_ORIGIN"] + "/v3"
configuration.username = os.environ["CLICKSEND_USERNAME"]
configuration.password = os.environ["CLICKSEND_API_KEY"]
api_client = clicksend_client.ApiClient(configuration)
mms = clicksend_client.MMSApi(api_client)
uploads = clicksend_client.UploadApi(api_client)


def _collection(media_file: str, messages: list[dict[str, Any]]) -> Any:
    fields = [{("_from" if key == "from" else key): value for key, value in m.items()} for m in messages]
    return clicksend_client.MmsMessageCollection(
        media_file=media_file, messages=[clicksend_client.MmsMessage(**m) for m in fields]
    )


def _read(answer: str) -> Any:
    return ast.literal_eval(answer)


def send(media_file: str, messages: list[dict[str, Any]]) -> Any:
    return _read(mms.mms_send_post(_collection(media_file, messages)))


def price(media_file: str, messages: list[dict[str, Any]]) -> Any:
    return _read(mms.mms_price_post(_collection(media_file, messages)))


def history(**params: Any) -> Any:
    return _read(mms.mms_history_get(**params))


def export(filename: str) -> Any:
    return _read(mms.mms_history_export_get(filename))


def receipts(**params: Any) -> Any:
    return _read(mms.mms_receipts_get(**params))


def mark_read(date_before: int | None = None) -> Any:
    if date_before is None:
        return _read(mms.mms_receipts_read_put())
    return _read(mms.mms_receipts_read_put(date_before=clicksend_client.DateBefore(date_before=date_before)))


def upload(content: str, convert: str) -> Any:
    return _read(uploads.uploads_post(clicksend_client.UploadFile(content=content), convert))


def details(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, ApiException):
        return {"status": exc.status, "body": exc.body}
    return {"detail": str(exc)[:500]}


run(
    {
        "send": send,
        "price": price,
        "history": history,
        "export": export,
        "receipts": receipts,
        "mark_read": mark_read,
        "upload": upload,
    },
    details,
)
