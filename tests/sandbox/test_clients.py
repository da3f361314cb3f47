"""The generated client against the sandbox, through the pytest plugin's fixtures. (ClickSend's own SDKs are in
tests/sandbox/foreign_sdks/.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from clicksend_mms import AsyncClickSend, AuthenticatedClient, ClickSend, ServerError
from clicksend_mms.api.mms import (
    cancel_all_mms,
    get_mms_history,
    get_mms_receipt,
    get_mms_receipts,
    mark_mms_receipts_read,
    send_mms,
)
from clicksend_mms.api.uploads import upload_media
from clicksend_mms.models import (
    CancelAllResponse,
    MmsHistoryResponse,
    MmsMessageInput,
    MmsReceiptResponse,
    MmsReceiptsResponse,
    SendMmsRequest,
    SendMmsResponse,
)
from clicksend_mms_sandbox.pytest_plugin import SandboxHandle
from clicksend_mms_sandbox.testing import DEFAULT, SECOND

from tests.sandbox.conftest import MEDIA

pytest_plugins: list[str] = []  # the fixtures come from the installed plugin (pytest11 entry point)


def test_generated_client_send_then_history_and_receipts(
    clicksend_client: AuthenticatedClient, clicksend_sandbox: SandboxHandle
) -> None:
    body = SendMmsRequest(
        media_file=MEDIA, messages=[MmsMessageInput(to="+61437111222", subject="Hello", body="A cat")]
    )
    sent = send_mms.sync(client=clicksend_client, body=body)
    assert isinstance(sent, SendMmsResponse)
    message = sent.data.messages[0]
    assert message.status == "SUCCESS" and str(message.message_price) == "2.4200" and message.message_parts == 1

    history = get_mms_history.sync(client=clicksend_client, limit=15)
    assert isinstance(history, MmsHistoryResponse)
    row = history.data.data[0]
    assert row.message_id == message.message_id and row.status == "Queued" and row.message_parts == 1

    clicksend_sandbox.advance(60)
    receipts = get_mms_receipts.sync(client=clicksend_client)
    assert isinstance(receipts, MmsReceiptsResponse)
    assert [r.message_id for r in receipts.data.data] == [message.message_id]
    assert receipts.data.data[0].status_code == 201

    record = get_mms_receipt.sync(message.message_id, client=clicksend_client)
    assert isinstance(record, MmsReceiptResponse)
    assert mark_mms_receipts_read.sync_detailed(client=clicksend_client).status_code == 200
    assert isinstance(get_mms_receipts.sync(client=clicksend_client), MmsReceiptsResponse)


def test_generated_client_asyncio(clicksend_client: AuthenticatedClient) -> None:
    async def main() -> tuple[Any, Any]:
        body = SendMmsRequest(
            media_file=MEDIA, messages=[MmsMessageInput(to="+61411111111", subject="Hi", body="async", schedule=0)]
        )
        sent = await send_mms.asyncio(client=clicksend_client, body=body)
        cancelled = await cancel_all_mms.asyncio(client=clicksend_client)
        return sent, cancelled

    sent, cancelled = asyncio.run(main())
    assert isinstance(sent, SendMmsResponse) and sent.data.messages[0].status == "SUCCESS"
    assert isinstance(cancelled, CancelAllResponse) and cancelled.data.count == 0


def test_generated_client_upload(clicksend_client: AuthenticatedClient) -> None:
    from clicksend_mms.models import UploadRequest

    gif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    response = upload_media.sync_detailed(client=clicksend_client, body=UploadRequest(content=gif), convert="mms")
    assert response.status_code == 200 and json.loads(response.content)["data"]["_url"].endswith(".gif")


def test_plugin_real_server_fixture(clicksend_sandbox_url: str) -> None:
    assert clicksend_sandbox_url.startswith("http://127.0.0.1:") and clicksend_sandbox_url.endswith("/v3")
    client = AuthenticatedClient(base_url=clicksend_sandbox_url, username=DEFAULT.username, api_key=DEFAULT.api_key)
    with client:
        history = get_mms_history.sync(client=client)
    assert isinstance(history, MmsHistoryResponse) and history.data.total == 0


def test_plugin_handle_http_and_faults(clicksend_sandbox: SandboxHandle) -> None:
    http = clicksend_sandbox.http()
    clicksend_sandbox.faults.add("sandbox", path="/mms/history", status=503)
    assert http.get("/mms/history").status_code == 503
    assert http.get("/mms/history").status_code == 200


def test_plugin_facade_fixture_shares_the_sandbox(
    clicksend_facade: ClickSend, clicksend_sandbox: SandboxHandle
) -> None:
    sent = clicksend_facade.send([{"to": "+61400000001", "subject": "Hi", "body": "Hello"}], media_file=MEDIA)
    message_id = sent.messages[0].message_id
    assert [row.message_id for row in clicksend_facade.history().data] == [message_id]
    clicksend_sandbox.advance(60)  # the handle's clock is the facade's sandbox's clock
    assert [r.message_id for r in clicksend_facade.iter_receipts()] == [message_id]


def test_plugin_async_facade_fixture(clicksend_async_facade: AsyncClickSend, clicksend_sandbox: SandboxHandle) -> None:
    async def send_then_read() -> tuple[list[str], list[str]]:
        messages = [{"to": f"+6140000{i:04d}", "subject": "Hi", "body": "Hello"} for i in range(10, 13)]
        results = await clicksend_async_facade.send_bulk(messages, media_file=MEDIA)
        clicksend_sandbox.advance(60)
        receipts = [r.message_id async for r in clicksend_async_facade.iter_receipts()]
        return [r.message_id for r in results], receipts

    sent, receipts = asyncio.run(send_then_read())
    assert len(sent) == 3 and sorted(receipts) == sorted(sent)
    # A second event loop works too: the transport pools nothing bound to the first.
    assert asyncio.run(clicksend_async_facade.history()).total == 3


def test_plugin_faults_default_to_the_default_account(
    clicksend_facade: ClickSend, clicksend_sandbox: SandboxHandle
) -> None:
    # No username: the default account, whose requests the facade fixtures make. /v3 may be spelled out or not.
    clicksend_sandbox.faults.add(method="PUT", path="/v3/mms/cancel-all", status=500)
    assert clicksend_sandbox.faults.pending() == [
        {"method": "PUT", "path": "/mms/cancel-all", "times": 1, "status": 500, "retry_after": None,
         "after_commit": False, "delay": 0.0, "drop": False}
    ]  # fmt: skip
    with pytest.raises(ServerError) as raised:
        clicksend_facade.cancel_all()  # a write's 500 is never retried (a GET's is)
    assert raised.value.http_code == 500
    assert clicksend_facade.cancel_all() == 0  # the fault was used once
    clicksend_sandbox.faults.add(SECOND.username, path="/mms/history", status=500)  # another account's: not ours
    assert clicksend_facade.history().total == 0
    assert clicksend_sandbox.faults.pending(SECOND.username) != [] and clicksend_sandbox.faults.pending() == []
