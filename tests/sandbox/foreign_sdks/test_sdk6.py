"""ClickSend's current Python SDK, clicksend-client 6.0.2, against the sandbox configured exactly as for ClickSend
except the host (the sandbox's origin for https://rest.clicksend.com; the SDK writes /v3 into every path).

Send, price, history, export and upload work. The SDK fails only where its own pydantic models reject ClickSend's
documented wire, and each such case is asserted here as exactly that failure:

- `Mms.schedule` is typed a string; ClickSend echoes a scheduled send's time as the integer it was sent
  (the spec's MmsMessageResult.schedule, a UnixTime: "" for now, the int seconds when scheduled). A scheduled send
  raises ValidationError on `schedule` -- after the message was accepted, stored and charged.
- `ViewMmsHistoryDataAllOfDataInner.list_id` is typed a string; ClickSend writes the integer (`429` in its own
  examples). Once a message to a list is in the account's history, history raises ValidationError on `list_id`.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from clicksend_mms_sandbox.testing import DEFAULT, Credentials, RunningSandbox

from tests.sandbox.foreign_sdks.conftest import GIF, MEDIA, rows_with
from tests.sandbox.foreign_sdks.venvs import SDK6, ensure_venv
from tests.sandbox.foreign_sdks.worker import SdkWorker

pytestmark = pytest.mark.slow


def worker_for(sandbox: RunningSandbox, account: Credentials) -> SdkWorker:
    return SdkWorker(ensure_venv(SDK6), "sdk6_worker.py", sandbox.origin, account)


@pytest.fixture(scope="module")
def sdk(sandbox: RunningSandbox) -> Iterator[SdkWorker]:
    worker = worker_for(sandbox, DEFAULT)
    yield worker
    worker.close()


def one(body: str, **fields: object) -> list[dict[str, object]]:
    return [{"to": "+61437111222", "subject": "sdk 6", "body": body, "from": "test", **fields}]


def balance(http: httpx.Client) -> str:
    return str(http.get("/_sandbox/account").json()["data"]["balance"])


def test_send(sdk: SdkWorker, http: httpx.Client) -> None:
    body = f"sent by sdk 6 {uuid.uuid4().hex}"
    before = balance(http)
    reply = sdk.call("send", media_file=MEDIA, messages=one(body))
    assert reply.ok, reply
    data = reply.value["data"]
    (message,) = data["messages"]
    assert (message["status"], message["message_price"], message["message_parts"]) == ("SUCCESS", "2.4200", 1)
    assert data["total_price"] == 2.42 and message["schedule"] == "" and message["from"] == "test"
    (row,) = rows_with(http, body)
    assert row["message_id"] == message["message_id"]
    assert balance(http) != before


def test_price_charges_nothing(sdk: SdkWorker, http: httpx.Client) -> None:
    body = f"priced by sdk 6 {uuid.uuid4().hex}"
    before = balance(http)
    reply = sdk.call("price", media_file=MEDIA, messages=one(body) + one(body, to="+14155550100"))
    assert reply.ok, reply
    assert reply.value["data"]["total_price"] == pytest.approx(2.97)
    assert [m["message_price"] for m in reply.value["data"]["messages"]] == ["2.4200", "0.5500"]
    assert balance(http) == before and rows_with(http, body) == []


def test_history(sdk: SdkWorker) -> None:
    body = f"listed by sdk 6 {uuid.uuid4().hex}"
    sent = sdk.call("send", media_file=MEDIA, messages=one(body)).value["data"]["messages"][0]["message_id"]
    reply = sdk.call("history", limit=100)  # the SDK's history takes `limit` only (its docs spec's one parameter)
    assert reply.ok, reply  # every row of the account through the SDK's models
    (row,) = [r for r in reply.value["data"]["data"] if r["message_id"] == sent]
    assert (row["body"], row["status"], row["message_parts"], row["message_price"]) == (
        body, "Queued", "1.00", "2.4200"
    )  # fmt: skip


def test_export(sdk: SdkWorker) -> None:
    body = f"exported by sdk 6 {uuid.uuid4().hex}"
    sent = sdk.call("send", media_file=MEDIA, messages=one(body)).value["data"]["messages"][0]["message_id"]
    reply = sdk.call("export", filename="sdk6.csv")
    assert reply.ok, reply
    link = reply.value["data"]["url"]
    csv_text = httpx.get(link, timeout=10).text  # the link is its own credential, like ClickSend's S3 link
    assert sent in csv_text and body in csv_text


def test_upload_with_convert_in_the_body(sdk: SdkWorker, http: httpx.Client) -> None:
    reply = sdk.call("upload", content=GIF, convert="mms")
    assert reply.ok, reply
    assert reply.value["status_code"] == 200
    url = reply.value["body"]["data"]["_url"]
    assert url.endswith(".gif") and httpx.get(url, timeout=10).content == base64.b64decode(GIF)
    (message,) = http.post("/mms/send", json={"media_file": url, "messages": one("uploaded")}).json()["data"][
        "messages"
    ]
    assert message["status"] == "SUCCESS"


def test_scheduled_send_is_refused_by_the_sdks_model_after_it_was_sent(sdk: SdkWorker, http: httpx.Client) -> None:
    body = f"scheduled by sdk 6 {uuid.uuid4().hex}"
    when = int(time.time()) + 3600  # the sandbox's clock is real time here
    reply = sdk.call("send", media_file=MEDIA, messages=one(body, schedule=when))
    assert not reply.ok and reply.error == "ValidationError"
    assert reply.details["model"] == "Mms"
    assert reply.details["errors"] == [{"loc": ["schedule"], "type": "string_type", "input": when}]
    # ClickSend's answer was a 200: the message is stored, scheduled and charged, though the SDK raised.
    (row,) = rows_with(http, body)
    assert (row["status"], row["schedule"], row["message_price"]) == ("Scheduled", str(when), "2.4200")


def test_history_with_a_list_message_is_refused_by_the_sdks_model(sandbox: RunningSandbox) -> None:
    # An account of its own, so the default account's history stays readable by the other tests.
    account = Credentials(f"lists-{uuid.uuid4().hex[:8]}", "lists-key")
    with httpx.Client(base_url=sandbox.url, auth=DEFAULT.basic_auth, timeout=10) as admin:
        added = admin.post("/_sandbox/accounts", json={"username": account.username, "api_key": account.api_key})
        assert added.status_code == 200, added.text
    worker = worker_for(sandbox, account)
    try:
        assert worker.call("history").ok  # nothing to trip over yet
        # The SDK's send model has no list_id: the list message is sent as ClickSend documents it, without the SDK.
        with httpx.Client(base_url=sandbox.url, auth=account.basic_auth, timeout=10) as http:
            sent = http.post("/mms/send", json={"media_file": MEDIA, "messages": one("to a list", list_id=429)})
        assert sent.json()["data"]["messages"][0]["list_id"] == 429
        reply = worker.call("history")
        assert not reply.ok and reply.error == "ValidationError"
        assert reply.details["model"] == "ViewMmsHistoryDataAllOfDataInner"
        assert reply.details["errors"] == [{"loc": ["list_id"], "type": "string_type", "input": 429}]
    finally:
        worker.close()
