"""The generated client (through the pytest plugin's fixtures) and the legacy official SDK against the sandbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from clicksend_mms import AuthenticatedClient
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
    assert clicksend_sandbox_url.startswith("http://127.0.0.1:")
    client = AuthenticatedClient(base_url=clicksend_sandbox_url, username="sandbox", api_key="sandbox-key")
    with client:
        history = get_mms_history.sync(client=client)
    assert isinstance(history, MmsHistoryResponse) and history.data.total == 0


def test_plugin_handle_http_and_faults(clicksend_sandbox: SandboxHandle) -> None:
    http = clicksend_sandbox.http()
    clicksend_sandbox.faults.add("sandbox", path="/mms/history", status=503)
    assert http.get("/mms/history").status_code == 503
    assert http.get("/mms/history").status_code == 200


# ---- the legacy official SDK, clicksend-client 5.x ----

clicksend_client_sdk = pytest.importorskip(
    "clicksend_client", reason="clicksend-client 5.x is not installed (pip install clicksend-client==5.0.78)"
)


@pytest.fixture(scope="module")
def legacy_api(request: pytest.FixtureRequest) -> Iterator[tuple[Any, SandboxHandle]]:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.server import ServerThread

    if not hasattr(clicksend_client_sdk, "MMSApi"):
        pytest.skip("this clicksend-client has no MMSApi (5.x expected)")
    with ServerThread(create_app()) as server:
        config = clicksend_client_sdk.Configuration()
        config.host = server.url
        config.username = "sandbox"
        config.password = "sandbox-key"
        api = clicksend_client_sdk.MMSApi(clicksend_client_sdk.ApiClient(config))
        yield api, SandboxHandle(server.app)


def _json(response: Any) -> Any:
    # With _preload_content=False the SDK hands back the raw urllib3 response (it otherwise returns str(dict)).
    return json.loads(response.data)


def _legacy_messages() -> Any:
    sdk = clicksend_client_sdk
    message = sdk.MmsMessage(to="+61437111222", subject="legacy", body="from the 5.x SDK", _from="test")
    return sdk.MmsMessageCollection(media_file=MEDIA, messages=[message])


def test_legacy_sdk_send_price_history_receipts_read_export(legacy_api: tuple[Any, SandboxHandle]) -> None:
    api, handle = legacy_api
    sent = _json(api.mms_send_post(_legacy_messages(), _preload_content=False))
    assert sent["http_code"] == 200 and sent["data"]["messages"][0]["status"] == "SUCCESS"
    message_id = sent["data"]["messages"][0]["message_id"]

    priced = _json(api.mms_price_post(_legacy_messages(), _preload_content=False))
    assert priced["data"]["total_price"] == 2.42

    history = _json(api.mms_history_get(page=1, limit=15, _preload_content=False))
    assert [r["message_id"] for r in history["data"]["data"]] == [message_id]

    handle.advance(60)
    receipts = _json(api.mms_receipts_get(page=1, limit=15, _preload_content=False))
    assert [r["message_id"] for r in receipts["data"]["data"]] == [message_id]

    date_before = clicksend_client_sdk.DateBefore(date_before=int(handle.clock.now()) + 1)
    read = _json(api.mms_receipts_read_put(date_before=date_before, _preload_content=False))
    assert read["http_code"] == 200
    assert _json(api.mms_receipts_get(_preload_content=False))["data"]["total"] == 0

    export = _json(api.mms_history_export_get("legacy.csv", _preload_content=False))
    csv_text = httpx.get(export["data"]["url"]).text
    assert message_id in csv_text


def test_legacy_sdk_sees_clicksend_errors(legacy_api: tuple[Any, SandboxHandle]) -> None:
    api, _ = legacy_api
    with pytest.raises(clicksend_client_sdk.rest.ApiException) as info:
        api.mms_history_get(limit=10)  # the SDK's documented default is below ClickSend's minimum
    assert info.value.status == 400
