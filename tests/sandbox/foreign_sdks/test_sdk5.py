"""ClickSend's legacy Python SDK, clicksend-client 5.0.91, against the sandbox configured exactly as for ClickSend
except the host (the sandbox's origin + /v3 for https://rest.clicksend.com/v3).

Every MMS call it has (send, price, history, export, receipts, receipts-read) and its upload work. Its calls return
`str(dict)` of the parsed JSON and validate nothing, so no model of its own rejects ClickSend's wire; the one failure
here is ClickSend's: `limit=10` (the value its docs' examples use) is below ClickSend's minimum of 15, and the SDK
raises the 400 as its ApiException.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from clicksend_mms_sandbox.testing import DEFAULT, RunningSandbox

from tests.sandbox.foreign_sdks.conftest import GIF, MEDIA, rows_with
from tests.sandbox.foreign_sdks.venvs import SDK5, ensure_venv
from tests.sandbox.foreign_sdks.worker import SdkWorker

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sdk(sandbox: RunningSandbox) -> Iterator[SdkWorker]:
    worker = SdkWorker(ensure_venv(SDK5), "sdk5_worker.py", sandbox.origin, DEFAULT)
    yield worker
    worker.close()


def one(body: str, **fields: object) -> list[dict[str, object]]:
    return [{"to": "+61437111222", "subject": "sdk 5", "body": body, "from": "test", **fields}]


def test_send_price_history_receipts_read_and_export(sdk: SdkWorker, http: httpx.Client) -> None:
    body = f"sent by sdk 5 {uuid.uuid4().hex}"
    sent = sdk.call("send", media_file=MEDIA, messages=one(body))
    assert sent.ok, sent
    (message,) = sent.value["data"]["messages"]
    assert (message["status"], message["message_price"], message["message_parts"]) == ("SUCCESS", "2.4200", 1)
    message_id = message["message_id"]
    assert [r["message_id"] for r in rows_with(http, body)] == [message_id]

    priced = sdk.call("price", media_file=MEDIA, messages=one(f"priced {body}"))
    assert priced.ok and priced.value["data"]["total_price"] == 2.42
    assert rows_with(http, f"priced {body}") == []

    history = sdk.call("history", q=f"body:{body}", page=1, limit=15)
    assert history.ok, history
    assert [r["message_id"] for r in history.value["data"]["data"]] == [message_id]

    assert http.post("/_sandbox/clock/advance", json={"seconds": 60}).status_code == 200
    receipts = sdk.call("receipts", page=1, limit=15)
    assert receipts.ok, receipts
    receipt = next(r for r in receipts.value["data"]["data"] if r["message_id"] == message_id)
    assert (receipt["status_code"], receipt["message_type"]) == ("201", "mms")

    read = sdk.call("mark_read", date_before=int(receipt["timestamp"]) + 1)
    assert read.ok and read.value["data"] is None
    assert message_id not in [r["message_id"] for r in sdk.call("receipts").value["data"]["data"]]
    assert sdk.call("mark_read").ok  # without date_before: all

    export = sdk.call("export", filename="sdk5.csv")
    assert export.ok, export
    assert message_id in httpx.get(export.value["data"]["url"], timeout=10).text


def test_upload(sdk: SdkWorker, http: httpx.Client) -> None:
    reply = sdk.call("upload", content=GIF, convert="mms")
    assert reply.ok, reply
    url = reply.value["data"]["_url"]
    assert url.endswith(".gif") and httpx.get(url, timeout=10).content == base64.b64decode(GIF)
    sent = sdk.call("send", media_file=url, messages=one("with the uploaded file"))
    assert sent.ok and sent.value["data"]["messages"][0]["status"] == "SUCCESS"


def test_a_limit_below_clicksends_minimum_is_clicksends_400(sdk: SdkWorker) -> None:
    reply = sdk.call("history", limit=10)
    assert not reply.ok and reply.error == "ApiException" and reply.details["status"] == 400
    assert json.loads(reply.details["body"])["data"] == {"limit": "10 is less than the minimum of 15"}
