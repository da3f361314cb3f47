"""The CLI over a fake ClickSend (CliRunner): output, --json, exit codes, no tracebacks for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import typer
from clicksend_mms.cli import Options, app
from clicksend_mms_sandbox.testing import free_port
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


def test_history_piped_is_tsv() -> None:
    code, out, _ = invoke(FakeClickSend(3), "history")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == ["message_id", "date", "to", "status", "subject", "price"]
    assert [line.split("\t")[0] for line in lines[1:]] == ["ID-00000", "ID-00001", "ID-00002"]


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
    code, _, err = invoke(fake, "upload", str(tmp_path / "missing.png"))
    assert code == 11 and "cannot read" in err and "missing.png" in err

    fake.script += [
        envelope({"url": "https://rest.clicksend.com/files/1?filename=h.csv"}),
        httpx.Response(200, content=b"a,b\n"),
    ]
    target = tmp_path / "h.csv"
    code, out, _ = invoke(fake, "--json", "export", "h.csv", "-o", str(target))
    assert code == 0 and json.loads(out)["bytes"] == 4
    assert target.read_bytes() == b"a,b\n"


# -- help, fuzz, sandbox ----------------------------------------------------------------------------------


def test_help_on_every_command_runs_nothing(monkeypatch: pytest.MonkeyPatch, fake: FakeClickSend) -> None:
    import subprocess

    import uvicorn

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("--help started something")

    monkeypatch.setattr(subprocess, "call", forbidden)
    monkeypatch.setattr(uvicorn.Server, "run", forbidden)
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"send", "fuzz", "sandbox", "export"} <= set(names)
    for name in names:
        code, out, err = invoke(fake, name, "--help")
        assert code == 0, (name, err)
        assert "usage" in out.lower(), (name, out)
    assert fake.requests == []


def test_fuzz_passes_max_time_through(monkeypatch: pytest.MonkeyPatch, fake: FakeClickSend) -> None:
    from clicksend_mms_fuzz.plan import MAX_TIME_ENV

    calls: list[tuple[list[str], dict[str, str]]] = []

    def call(command: list[str], env: dict[str, str]) -> int:
        calls.append((command, env))
        return 0

    monkeypatch.setattr("clicksend_mms.cli.subprocess.call", call)
    code, _, err = invoke(fake, "fuzz", "--max-time", "7")
    assert code == 0, err
    [(command, env)] = calls
    assert command[1:] == ["-m", "clicksend_mms_fuzz"] and env[MAX_TIME_ENV] == "7"
    assert invoke(fake, "fuzz", "--max-tme", "7")[0] == 2  # a typo is a usage error, not a full run


def test_fuzz_passes_the_case_budget_through(monkeypatch: pytest.MonkeyPatch, fake: FakeClickSend) -> None:
    from clicksend_mms_fuzz.plan import EXAMPLES_ENV

    calls: list[dict[str, str]] = []

    def call(command: list[str], env: dict[str, str]) -> int:
        calls.append(env)
        return 0

    monkeypatch.setattr("clicksend_mms.cli.subprocess.call", call)
    code, _, err = invoke(fake, "fuzz", "--examples", "9")
    assert code == 0, err
    assert calls[0][EXAMPLES_ENV] == "9"


def test_sandbox_flag_with_nothing_listening_says_how_to_start_it(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("CLICKSEND_SANDBOX_URL", f"http://127.0.0.1:{port}")
    result = runner.invoke(app, ["--sandbox", "history"], obj=Options(retry=FAST))
    assert result.exit_code == 9
    assert f"127.0.0.1:{port}" in result.stderr and f"clicksend-mms sandbox --port {port}" in result.stderr
    assert result.stderr.count("retry ") == FAST.attempts - 1  # the CLI's readable retry lines
    result = runner.invoke(app, ["--sandbox", "--json", "history"], obj=Options(retry=FAST))
    assert json.loads(result.stderr)["exit_code"] == 9  # --json: stderr is only the JSON error


# -- output that is not a terminal ------------------------------------------------------------------------

LONG_TO = "+6141111111122223333"


def test_piped_send_output_is_complete_tsv(monkeypatch: pytest.MonkeyPatch, fake: FakeClickSend) -> None:
    monkeypatch.setenv("COLUMNS", "30")

    def rejected_long(request: httpx.Request) -> httpx.Response:
        bad = {"message_id": "B", "status": "INVALID_RECIPIENT", "to": LONG_TO, "message_price": "0.0000"}
        return envelope({"total_price": 0, "total_count": 1, "queued_count": 0, "messages": [bad]})

    fake.script.append(rejected_long)
    code, out, err = invoke(fake, "send", *SEND[:2], *SEND[4:])
    assert code == 10
    assert out.splitlines() == ["to\tstatus\tmessage_id\tprice", f"{LONG_TO}\tINVALID_RECIPIENT\tB\t0.0000"]
    assert "total price 0.0000, queued 0 of 1" in err  # the summary stays off the TSV


def test_tsv_escapes_tabs_and_newlines() -> None:
    fake = FakeClickSend(1)
    fake.rows[0]["subject"] = "a\tb\nc\\d"
    code, out, _ = invoke(fake, "history")
    assert code == 0
    assert out.splitlines()[1].split("\t")[4] == "a\\tb\\nc\\\\d"


@pytest.mark.parametrize("width", [30, 60, 200])
def test_terminal_tables_never_cut_a_value(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    import io

    from clicksend_mms import cli
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=screen, width=width, soft_wrap=True))
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    row = ("F15EA6AD-843F-46BA-BD50-CD3E8B7B7EB6", LONG_TO, "[b]x[/b]")  # the last is data, not rich markup
    cli._table("t", ["message_id", "to", "status"], [row])
    text = screen.getvalue()
    assert "…" not in text
    assert row[0] in text  # ids stay whole: they are copied into other commands
    body = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    if body:  # a table: each column's folded pieces, read top to bottom, give the whole value back
        assert tuple("".join(cells[i].strip() for cells in body) for i in range(3)) == row
    else:  # too narrow for a table: one "name: value" line per column
        assert f"to: {LONG_TO}" in text and "status: [b]x[/b]" in text


# -- local files ------------------------------------------------------------------------------------------


def export_answers(fake: FakeClickSend, content: bytes = b"a,b\n") -> None:
    fake.script += [envelope({"url": "https://rest.clicksend.com/files/1"}), httpx.Response(200, content=content)]


def test_export_refuses_to_overwrite_without_force(tmp_path: Path, fake: FakeClickSend) -> None:
    target = tmp_path / "h.csv"
    target.write_bytes(b"precious")
    code, _, err = invoke(fake, "export", "h.csv", "-o", str(target))
    assert code == 11 and "exists; pass --force" in err
    assert target.read_bytes() == b"precious" and fake.requests == []  # not even the export was requested
    export_answers(fake)
    assert invoke(fake, "export", "h.csv", "-o", str(target), "--force")[0] == 0
    assert target.read_bytes() == b"a,b\n"


def test_failed_download_keeps_the_old_file_and_leaves_no_part(tmp_path: Path, fake: FakeClickSend) -> None:
    target = tmp_path / "h.csv"
    target.write_bytes(b"precious")
    fake.script += [envelope({"url": "https://rest.clicksend.com/files/1"}), httpx.ReadError("connection reset")]
    code, _, err = invoke(fake, "export", "h.csv", "-o", str(target), "--force")
    assert code == 9, err
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]


def test_local_write_error_has_its_own_exit_code(tmp_path: Path, fake: FakeClickSend) -> None:
    export_answers(fake)
    code, _, err = invoke(fake, "--json", "export", "h.csv", "-o", str(tmp_path / "missing" / "h.csv"))
    assert code == 11
    payload = json.loads(err)
    assert payload["exit_code"] == 11 and "cannot write" in payload["message"]


def test_json_errors_say_whether_it_may_have_been_sent(fake: FakeClickSend) -> None:
    fake.script.append(envelope(None, http_code=500, code="INTERNAL_SERVER_ERROR", msg="Something went wrong."))
    code, _, err = invoke(fake, "--json", "send", *SEND)
    payload = json.loads(err)
    assert (code, payload["may_have_been_sent"]) == (8, True)
    assert "Look for them in the MMS history" in payload["message"]


def test_retry_lines_only_while_a_command_runs(fake: FakeClickSend) -> None:
    from clicksend_mms.retry import log

    before = list(log.handlers)
    fake.script.append(envelope(None, http_code=503, code="X", msg="down"))
    code, _, err = invoke(fake, "cancel-all")
    assert code == 0 and "retry 2/4 of PUT /mms/cancel-all" in err
    assert log.handlers == before  # a program that embeds the CLI keeps its own logging


# -- where options go, what is said, how output ends ----------------------------------------------------------


def plain(text: str) -> str:
    """What rich wrapped into a box, as one line of words (hyphenated flags never break, words do not join)."""
    return " ".join(text.replace("│", " ").split()).replace("- -", "--")


def test_json_is_accepted_after_the_command_too(fake: FakeClickSend) -> None:
    rows = FakeClickSend(3)
    code, out, _ = invoke(rows, "history", "--json")
    assert code == 0 and [r["message_id"] for r in json.loads(out)] == ["ID-00000", "ID-00001", "ID-00002"]
    assert json.loads(invoke(fake, "cancel-all", "--json")[1]) == {"count": 0}
    # After the command as before it: stderr is only the JSON error, no human retry lines.
    fake.script += [envelope(None, http_code=503, code="X", msg="down")] * 4
    code, _, err = invoke(fake, "cancel", "ABC", "--json")
    assert (code, json.loads(err)["exit_code"]) == (8, 8)


@pytest.mark.parametrize("option", [["--sandbox"], ["--timeout", "3"], ["--username", "x"]])
def test_a_global_option_after_the_command_says_where_it_goes(fake: FakeClickSend, option: list[str]) -> None:
    code, _, err = invoke(fake, "history", *option)
    assert code == 2
    said = plain(err)
    assert f"No such option: {option[0]}. It is an option of clicksend-mms itself: give it before the command" in said
    assert "option of clicksend-mms" not in invoke(fake, "history", "--shedule")[2]  # only for global ones
    assert fake.requests == []


@pytest.mark.parametrize(
    "fault", [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("Server disconnected")], ids=type
)
def test_a_send_without_an_answer_says_it_may_have_been_sent_not_start_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, fault: Exception
) -> None:
    monkeypatch.delenv("CLICKSEND_SANDBOX_URL", raising=False)  # --sandbox at its documented URL
    fake = FakeClickSend()
    fake.script.append(fault)
    result = runner.invoke(app, ["--sandbox", "send", *SEND], obj=Options(transport=fake.transport(), retry=FAST))
    assert result.exit_code == 9  # the README's "no answer", which a timeout is
    assert "may have been sent" in result.stderr and "Look for them in the MMS history" in result.stderr
    assert "start the sandbox" not in result.stderr  # something answered the connection: it is running
    assert len(fake.requests) == 1  # and never sent twice
    fake.script += [httpx.ConnectError("refused")] * FAST.attempts
    result = runner.invoke(app, ["--sandbox", "send", *SEND], obj=Options(transport=fake.transport(), retry=FAST))
    assert result.exit_code == 9 and "start the sandbox" in result.stderr and "nothing was sent" in result.stderr


def test_price_speaks_of_a_price(fake: FakeClickSend) -> None:
    code, _, err = invoke(fake, "price", *SEND)
    assert code == 0 and "total price 0.0000 for 2 message(s)" in err and "queued" not in err
    help_text = plain(invoke(fake, "price", "--help")[1])
    assert "Instead of --to/--subject/--body/--from." in help_text and "--schedule" not in help_text
    assert "--to/--subject/--body/--from/--schedule" in plain(invoke(fake, "send", "--help")[1])
    code, _, err = invoke(fake, "price", "--messages", "-", *SEND[:2], *SEND[-2:])
    assert code == 2 and "--messages FILE or --to/--subject/--body/--from, not both" in plain(err)


def test_piped_json_is_plain_json_written_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    from clicksend_mms import cli

    def slow(*args: object, **kwargs: object) -> None:
        raise AssertionError("rich re-parses and highlights: for a terminal only")

    monkeypatch.setattr(cli.out, "print_json", slow)
    rows = FakeClickSend(120)
    rows.rows[0].update(message_price="2.4200", date_added=1767225600, subject='Grüße\t"x"')
    code, out, _ = invoke(rows, "--json", "history", "--all")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 120 and data[0]["message_price"] == "2.4200" and data[0]["date_added"] == 1767225600
    assert data[0]["subject"] == 'Grüße\t"x"'


HISTORY_COLUMNS = ["message_id", "date", "to", "status", "subject", "price"]
HISTORY_ROW = (
    "F15EA6AD-843F-46BA-BD50-CD3E8B7B7EB6",
    "2026-11-24 14:32:23",
    "+61411111111",
    "Cancelled",
    "A subject of twenty c",
    "2.4200",
)


@pytest.mark.parametrize("width", [60, 80, 100, 110, 120, 160, 200])
def test_terminal_tables_keep_ids_dates_numbers_and_statuses_whole(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    import io

    from clicksend_mms import cli
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=screen, width=width, soft_wrap=True))
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    cli._table("t", HISTORY_COLUMNS, [HISTORY_ROW])
    lines = screen.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    stacked = not any(HISTORY_ROW[1] in line for line in lines)  # a date over its time, at their space
    for name, value in zip(HISTORY_COLUMNS, HISTORY_ROW, strict=True):
        if name == "subject":
            continue  # free text: folds, or is left out (and said so)
        # ids, numbers and statuses: each on one line, whole; a date too, or its date and its time each whole
        pieces = value.split(" ") if name == "date" and stacked else [value]
        assert all(any(piece in line for line in lines) for piece in pieces), (name, value, screen.getvalue())
    body = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    if body:  # the subject (free text) may fold at its spaces: its pieces, top to bottom, give it back
        assert " ".join(cells[4].strip() for cells in body).split() == HISTORY_ROW[4].split()
    if width >= 80:  # a table, not one block per row, from 80 columns up; what it leaves out, it says
        assert not any(line.startswith("message_id: ") for line in lines), screen.getvalue()
        assert HISTORY_ROW[4].split()[0] in screen.getvalue() or "(subject left out" in screen.getvalue()


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.helpers.spec import ROOT

    script = tmp_path / "cli.py"
    script.write_text(
        "import sys\n"
        "from clicksend_mms.cli import Options, app\n"
        "from tests.client.fakes import FakeClickSend\n"
        "app(sys.argv[1:], obj=Options(transport=FakeClickSend(3000).transport()), prog_name='clicksend-mms')\n"
    )
    # Long outputs are read for a line (`| head -1`); short ones lose their reader before they are written.
    runs = [(["history", "--all"], 1), (["--json", "history", "--all"], 1), (["cancel-all"], 0), (["--version"], 0)]
    for args, lines in runs:
        command = [sys.executable, str(script), "--username", "u", "--api-key", "k", *args]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        for _ in range(lines):
            proc.stdout.readline()
        proc.stdout.close()
        code = proc.wait(timeout=60)
        stderr = proc.stderr.read().decode()
        assert (code, stderr) == (141, ""), args


def test_sandbox_subcommand_speaks_as_the_command_the_user_typed() -> None:
    result = runner.invoke(app, ["sandbox", "--port", "not-a-port"])
    assert result.exit_code == 2
    assert result.stderr.startswith("usage: clicksend-mms sandbox "), result.stderr
    assert "clicksend-mms sandbox: error: argument --port" in result.stderr
