"""A session against the sandbox on a free 127.0.0.1 port — sync facade, async facade, bulk send, CLI, generated
client — recorded through the real default transports, checks clean against the spec, even strictly."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path

import httpx
import pytest
from clicksend_mms import AsyncClickSend, AuthenticatedClient, ClickSend, ClickSendError, NotFoundError
from clicksend_mms.api.mms import get_mms_receipts
from clicksend_mms.cli import app
from clicksend_mms.conformance import check
from clicksend_mms.recording import Recorder
from typer.testing import CliRunner

from tests.client.conftest import FAST
from tests.helpers.spec import operations

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

USER, KEY = "sandbox", "sandbox-key"
MEDIA = "https://example.com/cat.jpg"
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==")


def _advance(url: str, seconds: int) -> None:
    httpx.post(f"{url}/_sandbox/clock/advance", json={"seconds": seconds}, auth=(USER, KEY)).raise_for_status()


def _sync_session(url: str, har: Path) -> None:
    with ClickSend(USER, KEY, base_url=url, retry=FAST, record=har) as cs:
        sent = cs.send(
            [
                {"to": "+61400000001", "subject": "Hi", "body": "delivered"},
                {"to": "+61400000003", "subject": "Hi", "body": "rejected"},
                {"to": "+61400000005", "subject": "Hi", "body": "scheduled", "schedule": int(time.time()) + 7 * 86400},
            ],
            media_file=MEDIA,
        )
        cs.price([{"to": "+61411111111", "subject": "Hi", "body": "ClickSend test number"}], media_file=MEDIA)
        _advance(url, 3600)
        assert list(cs.iter_history(limit=15))
        cs.history(q="status:Completed", order_by="date_added:desc", date_from=0, date_to=4102444800)
        assert cs.receipts(limit=15).data
        cs.receipt(sent.messages[0].message_id)
        cs.mark_receipts_read()
        cs.cancel(sent.messages[2].message_id)
        with pytest.raises(NotFoundError):
            cs.cancel("00000000-0000-0000-0000-000000000000")
        cs.cancel_all()
        cs.export("mms.csv")
        cs.upload(GIF)
    bad = ClickSend(USER, "wrong-key-123", base_url=url, retry=FAST, record=har.with_suffix(".401.har"))
    with bad, pytest.raises(ClickSendError):
        bad.history()


def _async_session(url: str, har: Path) -> None:
    recorder = Recorder(har)

    async def run() -> None:
        async with AsyncClickSend(USER, KEY, base_url=url, retry=FAST, record=recorder) as cs:
            messages = [{"to": f"+614000{i:05d}", "subject": "Bulk", "body": f"n{i}"} for i in range(1200)]
            results = await cs.send_bulk(messages, media_file=MEDIA, batch_size=500, concurrency=3)
            assert len(results) == 1200
            async for _ in cs.iter_history(limit=100):
                pass
            await cs.receipts()

    asyncio.run(run())


def _generated_client_session(url: str, har: Path) -> None:
    recorder = Recorder(har)
    with AuthenticatedClient(
        base_url=url, username=USER, api_key=KEY, httpx_args={"transport": recorder.transport()}
    ) as client:
        assert get_mms_receipts.sync(client=client) is not None

    async def run() -> None:
        async with AuthenticatedClient(
            base_url=url, username=USER, api_key=KEY, httpx_args={"transport": recorder.transport()}
        ) as client:
            assert await get_mms_receipts.asyncio(client=client) is not None

    asyncio.run(run())


def _cli_session(url: str, har: Path) -> None:
    runner = CliRunner()
    common = ["--base-url", url, "--username", USER, "--api-key", KEY, "--record"]
    send = ["send", "--to", "+61400000001", "--subject", "Hi", "--body", "cli", "--media-file", MEDIA]
    for number, command in enumerate((send, ["history", "--all", "--limit", "15"], ["receipts"], ["cancel-all"])):
        result = runner.invoke(app, [*common, str(har.with_suffix(f".{number}.har")), *command])
        assert result.exit_code == 0, result.output


def test_a_recorded_sandbox_session_conforms(clicksend_sandbox_url: str, tmp_path: Path) -> None:
    _sync_session(clicksend_sandbox_url, tmp_path / "sync.har")
    _async_session(clicksend_sandbox_url, tmp_path / "async.har")
    _generated_client_session(clicksend_sandbox_url, tmp_path / "generated.har")
    _cli_session(clicksend_sandbox_url, tmp_path / "cli.har")
    files = sorted(tmp_path.glob("*.har"))
    assert len(files) == 8
    for path in files:
        text = path.read_text()
        assert KEY not in text and "wrong-key-123" not in text
        json.loads(text)

    report = check(files)
    assert [(f.category, f.operation, f.where, f.field, f.seen) for f in report.findings] == []
    assert report.exit_code(strict=True) == 0
    assert set(report.operations) == {op.operation_id for op in operations()}  # every operation was exercised
    assert report.operations["send_mms"] >= 3 + 1  # the sync send, 3 bulk batches, the CLI send
    assert report.unmatched == {}
    result = CliRunner().invoke(app, ["conformance", "--strict", *map(str, files)])
    assert result.exit_code == 0, result.stdout
