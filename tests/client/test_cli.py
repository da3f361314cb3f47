"""The CLI over a fake ClickSend (CliRunner): output, --json, exit codes, no tracebacks for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from clicksend_mms.cli import Options, app
from typer.testing import CliRunner

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope

runner = CliRunner()
SEND = [
    "--to",
    "+61411111111",
    "--to",
    "+61422222222",
    "--subject",
    "Hi",
    "--body",
    "Hello",
    "--media-file",
    "https://e/a.jpg",
]


def invoke(fake: FakeClickSend, *args: str) -> tuple[int, str, str]:
    obj = Options(transport=fake.transport(), retry=FAST)
    result = runner.invoke(app, ["--username", "u", "--api-key", "k", *args], obj=obj)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_send_json(fake: FakeClickSend) -> None:
    code, out, _ = invoke(fake, "--json", "send", *SEND)
    assert code == 0
    data = json.loads(out)
    assert [m["to"] for m in data["messages"]] == ["+61411111111", "+61422222222"]
    assert [m["to"] for m in fake.sent] == ["+61411111111", "+61422222222"]


def test_send_table_and_rejections_exit_10(fake: FakeClickSend) -> None:
    def partly(request: httpx.Request) -> httpx.Response:
        bad = {"message_id": "B", "status": "INVALID_RECIPIENT", "to": "+61422222222"}
        ok = {"message_id": "A", "status": "SUCCESS", "to": "+61411111111"}
        return envelope({"total_price": 0, "total_count": 2, "queued_count": 1, "messages": [ok, bad]})

    fake.script.append(partly)
    code, out, err = invoke(fake, "send", *SEND)
    assert code == 10
    assert "INVALID_RECIPIENT" in out and "1 message(s) rejected" in err


def test_history_json_all_pages() -> None:
    fake = FakeClickSend(130)
    code, out, _ = invoke(fake, "--json", "history", "--all", "--limit", "50", "--q", "status:Sent")
    assert code == 0
    assert len(json.loads(out)) == 130
    assert all(r.url.params["q"] == "status:Sent" for r in fake.requests)


def test_history_table() -> None:
    code, out, _ = invoke(FakeClickSend(3), "history")
    assert code == 0
    assert "ID-00002" in out and "MMS history (3)" in out


@pytest.mark.parametrize(
    ("status", "code", "exit_code"),
    [
        (401, "UNAUTHORIZED", 4),
        (403, "FORBIDDEN", 4),
        (404, "NOT_FOUND", 5),
        (400, "BAD_REQUEST", 6),
        (429, "HTTP_TOO_MANY_REQUESTS", 7),
        (500, "INTERNAL_SERVER_ERROR", 8),
    ],
)
def test_api_errors_map_to_exit_codes(fake: FakeClickSend, status: int, code: str, exit_code: int) -> None:
    fake.script += [envelope({"field": ["bad"]}, http_code=status, code=code, msg="nope", **{"Retry-After": "999"})]
    result_code, _, err = invoke(fake, "--json", "cancel", "ABC")
    assert result_code == exit_code
    payload = json.loads(err)
    assert payload["http_code"] == status and payload["exit_code"] == exit_code
    assert "Traceback" not in err


def test_transport_error_exit_9(fake: FakeClickSend) -> None:
    fake.script += [httpx.ConnectError("refused")] * 10
    code, _, err = invoke(fake, "cancel-all")
    assert code == 9
    assert "nothing was sent" in err and "Traceback" not in err


def test_missing_credentials_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLICKSEND_USERNAME", raising=False)
    monkeypatch.delenv("CLICKSEND_API_KEY", raising=False)
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 3
    assert "CLICKSEND_USERNAME" in result.stderr and "--sandbox" in result.stderr


def test_usage_error_exit_2(fake: FakeClickSend) -> None:
    code, _, err = invoke(fake, "send", "--to", "+61411111111")
    assert code == 2
    assert "Missing option" in err


def test_sandbox_flag_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKSEND_BASE_URL", "https://rest.clicksend.com/v3")
    monkeypatch.setenv("CLICKSEND_USERNAME", "live-user")
    obj = Options(transport=FakeClickSend().transport())
    result = runner.invoke(app, ["--sandbox", "--json", "cancel-all"], obj=obj)
    assert result.exit_code == 0
    assert (obj.base_url, obj.username, obj.api_key) == ("http://127.0.0.1:8765/v3", "sandbox", "sandbox-key")


def test_mark_read_cancel_all_upload_export(tmp_path: Path, fake: FakeClickSend) -> None:
    assert invoke(fake, "mark-read", "--date-before", "5")[0] == 0
    assert json.loads(invoke(fake, "--json", "cancel-all")[1]) == {"count": 0}

    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG")
    fake.script.append(envelope({"_url": "https://x/f.jpg"}))
    code, out, _ = invoke(fake, "upload", str(image))
    assert (code, out.strip()) == (0, "https://x/f.jpg")
    assert invoke(fake, "upload", str(tmp_path / "missing.png"))[0] == 2

    fake.script += [
        envelope({"url": "https://rest.clicksend.com/files/1?filename=h.csv"}),
        httpx.Response(200, content=b"a,b\n"),
    ]
    target = tmp_path / "h.csv"
    code, out, _ = invoke(fake, "--json", "export", "h.csv", "-o", str(target))
    assert code == 0 and json.loads(out)["bytes"] == 4
    assert target.read_bytes() == b"a,b\n"
