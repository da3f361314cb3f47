"""Runs inside the clicksend-client 6.0.2 venv: ClickSend's current SDK (package `clicksend`), configured exactly as
for ClickSend except its host, which is the sandbox's origin (ClickSend's is https://rest.clicksend.com; the SDK
puts /v3 in every path). Credentials and origin from CLICKSEND_USERNAME, CLICKSEND_API_KEY, CLICKSEND_ORIGIN."""

from __future__ import annotations

import json
import os
from typing import Any

import clicksend
import pydantic
from _protocol import run
from clicksend.models import (
    CalculateMmsPriceRequest,
    CalculateMmsPriceRequestMessagesInner,
    SendMmsRequest,
    SendMmsRequestMessagesInner,
)

configuration = clicksend.Configuration(
    host=os.environ["CLICKSEND_ORIGIN"],
    username=os.environ["CLICKSEND_USERNAME"],
    password=os.environ["CLICKSEND_API_KEY"],
)
api_client = clicksend.ApiClient(configuration)
mms = clicksend.MmsApi(api_client)
uploads = clicksend.UploadsApi(api_client)


def _message(fields: dict[str, Any]) -> dict[str, Any]:
    return {("var_from" if key == "from" else key): value for key, value in fields.items()}


def send(media_file: str, messages: list[dict[str, Any]]) -> Any:
    request = SendMmsRequest(
        media_file=media_file, messages=[SendMmsRequestMessagesInner(**_message(m)) for m in messages]
    )
    return mms.send_mms(send_mms_request=request).to_dict()


def price(media_file: str, messages: list[dict[str, Any]]) -> Any:
    inner = [CalculateMmsPriceRequestMessagesInner(**_message(m)) for m in messages]
    return mms.calculate_mms_price(
        calculate_mms_price_request=CalculateMmsPriceRequest(media_file=media_file, messages=inner)
    ).to_dict()


def history(**params: Any) -> Any:
    return mms.view_mms_history(**params).to_dict()


def export(filename: str) -> Any:
    return mms.export_mms_history(filename=filename).to_dict()


def upload(content: str, convert: str) -> Any:
    # The SDK's upload takes the body as a dict and has no model for the answer: its raw answer is what a user reads.
    response = uploads.upload_a_media_file_with_http_info(body={"content": content, "convert": convert})
    return {"status_code": response.status_code, "body": json.loads(response.raw_data)}


def details(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, pydantic.ValidationError):
        return {
            "model": exc.title,
            "errors": [{"loc": list(e["loc"]), "type": e["type"], "input": e["input"]} for e in exc.errors()],
        }
    if isinstance(exc, clicksend.ApiException):
        return {"status": exc.status, "body": exc.body}
    return {"detail": str(exc)[:500]}


run({"send": send, "price": price, "history": history, "export": export, "upload": upload}, details)
