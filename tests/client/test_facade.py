"""Configuration, redaction and the shape of what the facade returns."""

from __future__ import annotations

import asyncio
import errno
import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from clicksend_mms import (
    AsyncClickSend,
    ClickSend,
    ClickSendError,
    ConfigurationError,
    InvalidRequestError,
    LocalFileError,
    NotFoundError,
    Settings,
)
from clicksend_mms.config import DEFAULT_BASE_URL
from clicksend_mms.models import MmsMessageInput, SendMmsRequest

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope


def test_credentials_and_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKSEND_USERNAME", "envuser")
    monkeypatch.setenv("CLICKSEND_API_KEY", "envkey")
    monkeypatch.delenv("CLICKSEND_BASE_URL", raising=False)
    s = Settings.resolve()
    assert (s.username, s.api_key, s.base_url) == ("envuser", "envkey", DEFAULT_BASE_URL)
    monkeypatch.setenv("CLICKSEND_BASE_URL", "http://127.0.0.1:8765/")
    assert Settings.resolve("arg", "argkey").base_url == "http://127.0.0.1:8765"
    assert Settings.resolve("arg", "argkey").username == "arg"
    assert "envkey" not in repr(Settings.resolve())


def test_missing_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLICKSEND_USERNAME", raising=False)
    monkeypatch.delenv("CLICKSEND_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="CLICKSEND_USERNAME and CLICKSEND_API_KEY"):
        ClickSend()
    with pytest.raises(ConfigurationError, match="http"):
        ClickSend("u", "k", base_url="rest.clicksend.com")


def test_timeouts_are_bounded() -> None:
    s = Settings.resolve("u", "k")
    assert s.timeout.connect == 10.0 and s.timeout.read == 30.0
    assert Settings.resolve("u", "k", timeout=3).timeout.connect == 3


def test_logs_never_carry_the_key(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeClickSend(3)
    caplog.set_level(logging.DEBUG)
    client = ClickSend("u", "SECRET-KEY-123", transport=fake.transport(), retry=FAST)
    fake.script.append(envelope(None, http_code=503, code="X", msg="down"))
    client.history()
    assert "GET /mms/history -> 200" in caplog.text
    assert "SECRET-KEY-123" not in caplog.text
    assert fake.requests[0].headers["authorization"].startswith("Basic ")


def test_send_accepts_dicts_models_or_a_request(client: ClickSend, fake: FakeClickSend) -> None:
    data = client.send(
        [
            {"to": "+61411111111", "subject": "s", "body": "b", "from": "test"},
            MmsMessageInput(subject="s", body="b", to="+61422222222"),
        ],
        media_file="https://example.com/a.jpg",
    )
    assert [m.to for m in data.messages] == ["+61411111111", "+61422222222"]
    assert data.total_price == Decimal(0)
    assert fake.sent[0]["from"] == "test"
    request = SendMmsRequest(media_file="https://e/a.jpg", messages=[MmsMessageInput(subject="s", body="b", to="+1")])
    assert client.price(request).total_count == 1
    with pytest.raises(InvalidRequestError, match=r"media_file: missing \(required\)"):
        client.send([{"to": "+1", "subject": "s", "body": "b"}])
    assert fake.paths() == ["POST /mms/send", "POST /mms/price"]


def test_unwrapped_results(client: ClickSend, fake: FakeClickSend) -> None:
    assert client.cancel_all() == 0
    client.cancel("X")
    client.mark_receipts_read(date_before=5)
    assert fake.paths()[-2:] == ["PUT /mms/X/cancel", "PUT /mms/receipts-read"]
    assert fake.requests[-1].content == b'{"date_before":5}'


def test_upload_encodes_base64(tmp_path: Path, client: ClickSend, fake: FakeClickSend) -> None:
    def uploaded(request: httpx.Request) -> httpx.Response:
        assert request.url.params["convert"] == "mms"
        assert request.content == b'{"content":"AAEC"}'
        return envelope({"_url": "https://x/f.jpg", "upload_id": "1", "date_added": 1700000000})

    fake.script += [uploaded, uploaded]
    image = tmp_path / "a.png"
    image.write_bytes(b"\x00\x01\x02")
    assert client.upload(image).field_url == "https://x/f.jpg"
    assert client.upload(b"\x00\x01\x02").field_url == "https://x/f.jpg"


@pytest.mark.parametrize("path", ["nonexistent.gif", "."])
def test_upload_of_a_file_that_cannot_be_read_is_a_local_file_error(
    tmp_path: Path, client: ClickSend, fake: FakeClickSend, path: str
) -> None:
    missing = tmp_path / path
    with pytest.raises(LocalFileError) as caught:
        client.upload(missing)
    assert str(missing) in str(caught.value) and caught.value.path == missing
    assert isinstance(caught.value, ClickSendError) and isinstance(caught.value, OSError)

    async def upload() -> None:
        async with AsyncClickSend("u", "k", transport=fake.transport(), retry=FAST) as cs:
            await cs.upload(str(missing))

    with pytest.raises(LocalFileError, match=re.escape(str(missing))):
        asyncio.run(upload())
    assert fake.requests == []  # nothing was sent


def test_download_only_sends_credentials_to_the_api_origin(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(httpx.Response(200, content=b"a,b\n1,2\n"))
    from io import BytesIO

    sink = BytesIO()
    assert client.download("/files/abc?filename=x.csv", sink) == 8
    assert sink.getvalue() == b"a,b\n1,2\n"
    assert "authorization" in fake.requests[-1].headers


def sync_download(fake: FakeClickSend, dest: Any) -> int:
    with ClickSend("u", "k", transport=fake.transport(), retry=FAST) as cs:
        return cs.download("/files/abc", dest)


def async_download(fake: FakeClickSend, dest: Any) -> int:
    async def main() -> int:
        async with AsyncClickSend("u", "k", transport=fake.transport(), retry=FAST) as cs:
            return await cs.download("/files/abc", dest)

    return asyncio.run(main())


DOWNLOADS = [sync_download, async_download]


@pytest.mark.parametrize("download", DOWNLOADS)
@pytest.mark.parametrize("kind", [str, Path])
def test_download_to_a_path(tmp_path: Path, fake: FakeClickSend, kind: type, download: Any) -> None:
    target = tmp_path / "mine.csv"
    fake.script += [httpx.Response(200, content=b"a,b\n"), httpx.Response(200, content=b"a,b\n1,2\n")]
    assert download(fake, kind(target)) == 4
    assert download(fake, kind(target)) == 8
    assert target.read_bytes() == b"a,b\n1,2\n"  # the second download replaced the first
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_download_to_a_binary_file(tmp_path: Path, fake: FakeClickSend, download: Any) -> None:
    fake.script += [httpx.Response(200, content=b"x"), httpx.Response(200, content=b"yz")]
    with (tmp_path / "mine.csv").open("wb") as fh:
        assert download(fake, fh) + download(fake, fh) == 3
        assert not fh.closed  # the caller's file stays the caller's
    assert (tmp_path / "mine.csv").read_bytes() == b"xyz"


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_failed_download_to_a_path_keeps_the_old_file(tmp_path: Path, fake: FakeClickSend, download: Any) -> None:
    target = tmp_path / "mine.csv"
    target.write_bytes(b"precious")
    fake.script.append(envelope(None, http_code=404, code="NOT_FOUND", msg="gone"))
    with pytest.raises(NotFoundError):
        download(fake, target)
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"]  # no partial file left
    with pytest.raises(LocalFileError, match=r"missing/mine\.csv") as caught:  # fails before anything is requested
        download(fake, tmp_path / "missing" / "mine.csv")
    assert isinstance(caught.value, OSError) and caught.value.errno == errno.ENOENT
    assert len(fake.requests) == 1


def test_async_repr_and_close() -> None:
    async def main() -> str:
        client = AsyncClickSend("u", "SECRET", transport=FakeClickSend().transport())
        await client.history()
        await client.aclose()
        return repr(client)

    assert "SECRET" not in asyncio.run(main())


# What a user calls; how a call is run (call/once/finish/failed/transport_error/retries) stays private.
SYNC_API = {
    *("send", "price", "cancel", "cancel_all", "upload", "close", "http"),
    *("history", "history_pages", "iter_history", "export", "download"),
    *("receipts", "receipt_pages", "iter_receipts", "receipt", "mark_receipts_read"),
}


def test_the_facades_show_their_api_not_their_plumbing() -> None:
    assert {name for name in dir(ClickSend) if not name.startswith("_")} == SYNC_API
    async_api = {name for name in dir(AsyncClickSend) if not name.startswith("_")}
    assert async_api == (SYNC_API - {"close"}) | {"aclose", "send_bulk"}


def test_the_version_is_the_installed_distributions() -> None:
    import importlib.metadata
    import tomllib

    import clicksend_mms
    from clicksend_mms.cli import app
    from typer.testing import CliRunner

    from tests.helpers.spec import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert clicksend_mms.__version__ == importlib.metadata.version("clicksend-mms") == declared
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"clicksend-mms {declared}\n")


def test_the_package_namespace_is_its_api_and_its_modules() -> None:
    import types

    import clicksend_mms

    extra = [
        name
        for name in dir(clicksend_mms)
        if not name.startswith("_")
        and name not in clicksend_mms.__all__
        and not (
            isinstance(module := getattr(clicksend_mms, name), types.ModuleType)
            and module.__name__.startswith("clicksend_mms.")
        )
    ]
    assert extra == []  # e.g. pkgutil or TYPE_CHECKING, imported to set the package up
