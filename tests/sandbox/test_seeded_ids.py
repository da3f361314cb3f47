"""`--seed`: the same requests get the same ids (message ids, upload names, export tokens); without it they are
random, as ClickSend's are."""

from __future__ import annotations

import base64

import httpx
import pytest
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.cli import build_parser, settings_from_args
from clicksend_mms_sandbox.testing import DEFAULT
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport

from tests.sandbox.conftest import MEDIA, sandbox_settings

GIF = base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").decode("ascii")


def _ids(seed: int | None) -> list[str]:
    """The ids a fresh sandbox hands out for one send, one upload and one export."""
    app = create_app(sandbox_settings(seed=seed))
    try:
        with httpx.Client(
            transport=SandboxTransport(app), base_url=IN_PROCESS_URL, auth=(DEFAULT.username, DEFAULT.api_key)
        ) as client:
            messages = [
                {"to": "+61411111111", "subject": "s", "body": "b"},
                {"to": "+61491570006", "subject": "s", "body": "b"},
            ]
            sent = client.post("/mms/send", json={"media_file": MEDIA, "messages": messages}).json()["data"]
            upload = client.post("/uploads", params={"convert": "mms"}, json={"content": GIF}).json()["data"]
            export = client.get("/mms/history/export", params={"filename": "h.csv"}).json()["data"]
    finally:
        app.state.sandbox.store.close()
    assert sent and upload and export, (sent, upload, export)
    return [*(m["message_id"] for m in sent["messages"]), upload["file_name"], export["url"]]


def test_one_seed_gives_the_same_ids_and_another_seed_others() -> None:
    first = _ids(7)
    assert first == _ids(7)
    assert len(set(first)) == len(first)
    assert set(first).isdisjoint(_ids(8))


def test_without_a_seed_ids_are_random() -> None:
    assert set(_ids(None)).isdisjoint(_ids(None))


def test_seed_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings_from_args(build_parser().parse_args(["--seed", "5"])).seed == 5
    monkeypatch.setenv("CLICKSEND_SANDBOX_SEED", "6")
    assert settings_from_args(build_parser().parse_args([])).seed == 6
    monkeypatch.delenv("CLICKSEND_SANDBOX_SEED")
    assert settings_from_args(build_parser().parse_args([])).seed is None
