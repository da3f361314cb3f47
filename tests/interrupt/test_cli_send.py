"""`clicksend-mms send` from a file or stdin (streamed, journaled, resumable) and `clicksend-mms journal`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms.cli import Options, app
from clicksend_mms.cli_send import stream_messages
from clicksend_mms.journal import IN_FLIGHT, SENT, Journal
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import SandboxTransport
from typer.testing import CliRunner

from tests.client.conftest import FAST
from tests.interrupt.inprocess import MEDIA, messages, stored_tags

runner = CliRunner()


@pytest.fixture
def sandbox() -> Iterator[Any]:
    sandbox_app = create_app()
    yield sandbox_app
    sandbox_app.state.sandbox.store.close()


def cli(sandbox: Any, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    transport = SandboxTransport(sandbox)
    try:
        obj = Options(transport=transport, retry=FAST)
        base = ["--base-url", "http://sandbox.local", "--username", "sandbox", "--api-key", "sandbox-key"]
        result = runner.invoke(app, [*base, *args], obj=obj, input=stdin)
    finally:
        transport.close()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def stored(sandbox: Any) -> dict[str, int]:
    return dict(asyncio.run(stored_tags(sandbox)))


def write_lines(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_file_send_keeps_a_journal_and_a_done_job_resumes_to_nothing(sandbox: Any, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "campaign.jsonl", messages(2500))
    code, out, err = cli(
        sandbox, "--json", "send", "--messages", str(source), "--media-file", MEDIA, "--batch-size", "300"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["sent"] == 2500 and summary["may_have_been_sent"] == summary["not_sent"] == 0
    assert summary["journal"] == f"{source}.journal"
    assert sorted(stored(sandbox).values()) == [1] * 2500
    code, out, _ = cli(sandbox, "journal", f"{source}.journal", "--json")
    state = json.loads(out)
    assert (code, state["messages"], state["sent"], state["in_flight"], state["done"]) == (0, 2500, 2500, 0, True)
    code, out, err = cli(sandbox, "send", "--resume", f"{source}.journal")
    assert code == 0 and "sent 2500" in out, err
    assert sorted(stored(sandbox).values()) == [1] * 2500  # nothing sent twice
    code, _, err = cli(sandbox, "send", "--messages", str(source), "--media-file", MEDIA)
    assert code == 11 and "--resume" in err  # the same file again: the journal says it was sent
    assert sorted(stored(sandbox).values()) == [1] * 2500


def test_stdin_beyond_one_request_is_streamed_in_batches(sandbox: Any) -> None:
    lines = "".join(json.dumps(m) + "\n" for m in messages(1500))
    code, out, err = cli(sandbox, "--json", "send", "--messages", "-", "--media-file", MEDIA, stdin=lines)
    assert code == 0, err
    assert json.loads(out)["sent"] == 1500 and json.loads(out)["journal"] is None
    assert sorted(stored(sandbox).values()) == [1] * 1500


def test_a_repeated_custom_string_is_refused_before_anything_is_sent(sandbox: Any, tmp_path: Path) -> None:
    rows = messages(5)
    rows[3]["custom_string"] = rows[1]["custom_string"]
    source = write_lines(tmp_path / "dup.jsonl", rows)
    code, _, err = cli(sandbox, "send", "--messages", str(source), "--media-file", MEDIA)
    assert code == 6 and "Nothing was sent" in err and "messages[3].custom_string" in err, err
    assert "repeats message 1's custom_string" in err
    assert stored(sandbox) == {} and not Path(f"{source}.journal").exists()


def test_a_bad_message_anywhere_sends_nothing_and_leaves_no_journal(sandbox: Any, tmp_path: Path) -> None:
    rows = messages(2100)
    rows[2050]["subject"] = "s" * 500
    source = write_lines(tmp_path / "bad.jsonl", rows)
    code, _, err = cli(sandbox, "send", "--messages", str(source), "--media-file", MEDIA)
    assert code == 6 and "messages[2050].subject" in err, err
    assert stored(sandbox) == {} and not Path(f"{source}.journal").exists()


def in_flight_job(path: Path, count: int) -> None:
    """A journal as a kill -9 leaves it just before its first batch's request started: in flight, never sent."""
    with Journal.open(path) as job:
        job.create(MEDIA, messages(count))
        job.leave(list(range(count)), [f"t-{i}" for i in range(count)])


def test_resume_refuses_what_history_cannot_settle_yet_then_sends_it_once_settled(sandbox: Any, tmp_path: Path) -> None:
    journal = tmp_path / "job.journal"
    in_flight_job(journal, 40)
    code, _, err = cli(sandbox, "send", "--resume", str(journal), "--history-lag", "3600", "--poll-for", "0")
    assert code == 13 and "40 message(s) may have been sent (input indexes 0..39)" in err, err
    assert stored(sandbox) == {}
    with Journal.open(journal) as job:
        assert set(job.state) == {IN_FLIGHT}
    code, out, err = cli(sandbox, "send", "--resume", str(journal), "--history-lag", "0", "--poll-for", "0")
    assert code == 0 and "sent 40" in out, err
    assert sorted(stored(sandbox).values()) == [1] * 40
    with Journal.open(journal) as job:
        assert set(job.state) == {SENT}


def test_a_job_in_use_by_another_process_is_not_resumed(sandbox: Any, tmp_path: Path) -> None:
    journal = tmp_path / "job.journal"
    in_flight_job(journal, 5)
    with Journal.open(journal):
        code, _, err = cli(sandbox, "send", "--resume", str(journal), "--history-lag", "0")
        assert code == 11 and "in use by another process" in err, err
        code, out, _ = cli(sandbox, "journal", str(journal))
        assert "in flight (may have been sent) 5" in out and "in use" in out
    assert stored(sandbox) == {}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('[{"to": "a"}, {"to": "b"}]', 2),
        ('{"to": "a"}\n{"to": "b"}\n\n{"to": "c"}\n', 3),
        ('{\n  "to": "a"\n}\n', 1),
        ("[\n", None),
        ('{"to": "a"}\nnot json\n', None),
    ],
)
def test_stream_messages_reads_json_lines_lists_and_objects(tmp_path: Path, text: str, count: int | None) -> None:
    source = tmp_path / "m.json"
    source.write_text(text, encoding="utf-8")
    if count is None:
        with pytest.raises(ValueError, match="not JSON"):
            list(stream_messages(str(source)))
        return
    assert len(list(stream_messages(str(source)))) == count


@pytest.mark.parametrize("journaled", [True, False], ids=["journal", "no-journal"])
def test_an_interrupt_outside_the_sends_own_handler_still_reports_what_was_sent(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, journaled: bool
) -> None:
    # Ctrl-C landing after every batch was answered, while the summary prints (asyncio's own SIGINT handler and the
    # loop's shutdown are the same kind of instant): the account says all were sent, never "nothing was sent".
    import clicksend_mms.cli_send as cli_send

    def interrupted(_value: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_send, "_print_json", interrupted)
    source = write_lines(tmp_path / "campaign.jsonl", messages(1500))
    flags = [] if journaled else ["--no-journal"]
    code, _out, err = cli(sandbox, "--json", "send", "--messages", str(source), "--media-file", MEDIA, *flags)
    account = json.loads(err.strip().splitlines()[-1])
    assert code == 130
    assert (account["sent"], account["may_have_been_sent"], account["not_sent"]) == (1500, 0, 0), account
    assert account["ranges"]["sent"] == [[0, 1500]]
    assert sorted(stored(sandbox).values()) == [1] * 1500
