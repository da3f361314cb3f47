"""`clicksend-mms-sandbox` with a configuration it cannot use: one line that names the flag (the file entry, the key)
and what is wrong, exit code 3, no traceback, and never an API key. Malformed flag values are argparse's usage
errors (exit 2)."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
import uvicorn
from clicksend_mms_sandbox.cli import main
from clicksend_mms_sandbox.testing import sandbox_command, serve

EXIT_CONFIG = 3
SECRET = "s3cret-key"


@pytest.fixture(autouse=True)
def never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration that is not refused would serve forever: fail instead."""

    def serve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sandbox started serving")

    monkeypatch.setattr(uvicorn.Server, "run", serve)


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI in-process (it refuses before serving); its one line of stderr."""
    assert main(["--port", "0", *argv]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("clicksend-mms-sandbox: error: "), err
    assert SECRET not in err
    return err.removeprefix("clicksend-mms-sandbox: error: ").strip()


def accounts_file(tmp_path: Path, content: object) -> str:
    path = tmp_path / "accounts.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_the_reported_db_in_a_missing_directory_is_one_line_and_exit_3() -> None:
    result = subprocess.run(
        [*sandbox_command(), "--port", "0", "--db", "/nonexistent/dir/x.db"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == EXIT_CONFIG
    assert result.stderr == (
        "clicksend-mms-sandbox: error: --db: cannot use the database /nonexistent/dir/x.db: "
        "no directory /nonexistent/dir\n"
    )


def test_a_db_that_is_a_directory_or_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "--db", str(tmp_path)).endswith(f"{tmp_path}: it is a directory")
    text = tmp_path / "notes.db"
    text.write_text("not SQLite " * 100)
    assert refused(capsys, "--db", str(text)).endswith("notes.db: file is not a database")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ([{"username": "alice"}], "entry 1 ('alice'): missing 'api_key'"),
        (
            [{"username": "a", "api_key": SECRET}, {"api_key": SECRET, "balance": "1"}],
            "entry 2: missing 'username'",
        ),
        ([{"username": "alice", "apikey": SECRET}], "entry 1 ('alice'): unknown key 'apikey'; missing 'api_key'"),
        ("{oops", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ({"username": "alice"}, "holds a JSON list of account objects, not an object"),
        ([f"alice:{SECRET}"], "entry 1: an object with username, api_key, balance, kind, rate_limit, not a string"),
        ([{"username": "alice", "api_key": SECRET, "balance": "lots"}], "balance 'lots': a number or a decimal"),
        ([{"username": "alice", "api_key": SECRET, "balance": "1.00001"}], "an amount with at most 4 decimals"),
        ([{"username": "alice", "api_key": SECRET, "kind": "vip"}], "unknown account kind 'vip'"),
        ([{"username": "alice", "api_key": SECRET, "rate_limit": -1}], "rate_limit: requests per window"),
        ([{"username": "a:b", "api_key": SECRET}], "username: 1 to 64 printable characters, no colon"),
        (
            [{"username": "alice", "api_key": SECRET}, {"username": "alice", "api_key": SECRET}],
            "entry 2 ('alice'): that username is given twice",
        ),
    ],
)
def test_accounts_file_says_which_entry_and_which_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, expected: str
) -> None:
    path = accounts_file(tmp_path, content)
    message = refused(capsys, "--accounts", path)
    assert message.startswith(f"--accounts {path}: ") and expected in message


def test_missing_accounts_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert (
        refused(capsys, "--accounts", str(missing))
        == f"--accounts {missing}: cannot read it (No such file or directory)"
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("alice", "--account: an account is USER:KEY or USER:KEY:BALANCE (1 part(s) given)"),
        (f"alice:{SECRET}:lots", "--account 'alice': balance 'lots': a number or a decimal string"),
        (f"alice:{SECRET}:-5", "--account 'alice': balance '-5': an amount from 0 to 1000000000"),
        (f":{SECRET}", "--account: username: 1 to 64 printable characters"),
        ("alice:", "--account 'alice': api_key: 1 to 128 characters"),
    ],
)
def test_bad_account_spec(capsys: pytest.CaptureFixture[str], spec: str, expected: str) -> None:
    assert refused(capsys, "--account", spec).startswith(expected)


def test_bad_account_in_the_environment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKSEND_SANDBOX_ACCOUNTS", f"bob:{SECRET}, alice:{SECRET}:NaN")
    assert refused(capsys).startswith("CLICKSEND_SANDBOX_ACCOUNTS entry 2 'alice': balance 'NaN'")


def test_a_port_in_use_is_refused_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == EXIT_CONFIG
    assert capsys.readouterr().err == (
        f"clicksend-mms-sandbox: error: --host 127.0.0.1 --port {port}: cannot listen there "
        "(Address already in use; another sandbox? choose another --port)\n"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--port", "99999"], "argument --port: 99999 is out of range (from 0 to 65535)"),
        (["--send-delay", "-1"], "argument --send-delay: -1 is out of range (0 or more)"),
        (["--receipt-delay", "nan"], "argument --receipt-delay: nan is out of range (0 or more)"),
        (["--rate-window", "0"], "argument --rate-window: 0 is out of range (1 or more)"),
        (["--rate-limit", "many"], "argument --rate-limit: 'many' is not a whole number"),
    ],
)
def test_malformed_flag_values_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().endswith(expected)


def test_the_start_up_log_says_where_the_api_and_its_reference_are() -> None:
    with serve("--log-level", "info", stderr=subprocess.PIPE) as sandbox:
        origin = sandbox.origin
    assert sandbox.process.stderr is not None
    log = sandbox.process.stderr.read().decode()
    assert f"ClickSend MMS API at {origin}/v3, its reference at {origin}/docs" in log
