"""Input the contract forbids never reaches the wire: every bad-input class through the sync facade, the async
facade, bulk send and the CLI, against the in-process sandbox. Each case asserts the error names the message's
index and key, and that the sandbox holds no message afterwards."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms import AsyncClickSend, ClickSend, InvalidRequestError
from clicksend_mms.cli import Options, app
from clicksend_mms.request_check import rule
from typer.testing import CliRunner

from tests.client.conftest import FAST

try:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import AsyncSandboxTransport, SandboxTransport
except ImportError:  # pragma: no cover - the sandbox ships with this repository
    pytest.skip("clicksend_mms_sandbox not importable", allow_module_level=True)

MEDIA = "https://example.com/cat.jpg"
GOOD = {"to": "+61411111111", "subject": "Hi", "body": "Hello"}
BAD_AT = 2  # the bad message sits after good ones, so the index in the error is not an accident
SUBJECT_MAX: int = rule("send_mms", "messages", "items", "subject", keyword="maxLength")
FROM_MAX: int = rule("send_mms", "messages", "items", "from", keyword="maxLength")
COUNT_MAX: int = rule("send_mms", "messages", keyword="maxItems")


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    message: Any  # the bad message
    key: str | None  # the key the error must name (None: the message as a whole)
    says: str  # what the error must say about it


CASES = [
    Case("unknown key", {**GOOD, "shedule": 1_900_000_000}, "shedule", "did you mean 'schedule'?"),
    Case("python name", {**GOOD, "from_": "Shop"}, "from_", "write 'from'"),
    Case("missing required", {"to": "+61411111111", "body": "Hello"}, "subject", "missing (required)"),
    Case("wrong type", {**GOOD, "schedule": "tomorrow"}, "schedule", "must be a whole number (an int), got str"),
    Case("null value", {**GOOD, "from": None}, "from", "leave the key out"),
    Case("null required value", {**GOOD, "body": None}, "body", "must be text (a str), got None; body is required"),
    Case("schedule in ms", {**GOOD, "schedule": 1_900_000_000_000}, "schedule", "takes seconds (1900000000)"),
    Case("subject too long", {**GOOD, "subject": "s" * (SUBJECT_MAX + 1)}, "subject", f"at most {SUBJECT_MAX}"),
    Case("sender too long", {**GOOD, "from": "f" * (FROM_MAX + 1)}, "from", f"at most {FROM_MAX}"),
    Case("not an object", "+61411111111", None, "must be an object"),
]


@pytest.fixture
def sandbox() -> Iterator[Any]:
    sandbox_app = create_app()
    yield sandbox_app
    sandbox_app.state.sandbox.store.close()


@pytest.fixture
def sync_client(sandbox: Any) -> Iterator[ClickSend]:
    transport = SandboxTransport(sandbox)
    with ClickSend("sandbox", "sandbox-key", base_url="http://sandbox.local", transport=transport, retry=FAST) as c:
        yield c
    transport.close()


def stored(client: ClickSend) -> int:
    """How many messages the sandbox holds (every account-visible record, whatever its status)."""
    return client.history().total


def send_sync(client: ClickSend, sandbox: Any, messages: list[Any], media_file: str) -> None:
    client.send(messages, media_file=media_file)


def send_async(client: ClickSend, sandbox: Any, messages: list[Any], media_file: str) -> None:
    async def main() -> None:
        transport = AsyncSandboxTransport(sandbox)
        async with AsyncClickSend("sandbox", "sandbox-key", base_url="http://s", transport=transport) as c:
            await c.send(messages, media_file=media_file)

    asyncio.run(main())


def send_bulk(client: ClickSend, sandbox: Any, messages: list[Any], media_file: str) -> None:
    async def main() -> None:
        transport = AsyncSandboxTransport(sandbox)
        async with AsyncClickSend("sandbox", "sandbox-key", base_url="http://s", transport=transport) as c:
            await c.send_bulk(messages, media_file=media_file, batch_size=2)  # the first batch is all good

    asyncio.run(main())


PATHS: dict[str, Callable[[ClickSend, Any, list[Any], str], None]] = {
    "sync": send_sync,
    "async": send_async,
    "bulk": send_bulk,
}


def assert_refused(exc: InvalidRequestError, location: str, says: str) -> None:
    text = str(exc)
    assert text.startswith("Nothing was sent"), text
    assert f"{location}: " in text and says in text, text
    assert [p.location for p in exc.problems] == [location]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("path", list(PATHS))
def test_bad_message_is_refused_before_the_wire(path: str, case: Case, sandbox: Any, sync_client: ClickSend) -> None:
    messages = [GOOD, GOOD, case.message, GOOD]
    with pytest.raises(InvalidRequestError) as info:
        PATHS[path](sync_client, sandbox, messages, MEDIA)
    location = f"messages[{BAD_AT}]" + (f".{case.key}" if case.key else "")
    assert_refused(info.value, location, case.says)
    problem = info.value.problems[0]
    assert (problem.index, problem.key) == (BAD_AT, case.key)
    assert stored(sync_client) == 0


@pytest.mark.parametrize("path", list(PATHS))
def test_a_long_body_is_not_refused(path: str, sandbox: Any, sync_client: ClickSend) -> None:
    # The spec says ClickSend truncates a long body (x-clicksend-truncate) rather than refusing it, so the client
    # must not refuse one either: it goes out and the answer shows the kept text.
    long_body = "b" * 1600
    PATHS[path](sync_client, sandbox, [{**GOOD, "body": long_body}], MEDIA)
    assert stored(sync_client) == 1


@pytest.mark.parametrize("path", list(PATHS))
def test_media_file_that_is_not_a_url(path: str, sandbox: Any, sync_client: ClickSend) -> None:
    with pytest.raises(InvalidRequestError) as info:
        PATHS[path](sync_client, sandbox, [GOOD], "cat.jpg")
    assert_refused(info.value, "media_file", "got 'cat.jpg'; expected an http(s) URL")
    assert stored(sync_client) == 0


@pytest.mark.parametrize("path", ["sync", "async"])
def test_too_many_messages_for_one_send(path: str, sandbox: Any, sync_client: ClickSend) -> None:
    with pytest.raises(InvalidRequestError) as info:
        PATHS[path](sync_client, sandbox, [GOOD] * (COUNT_MAX + 1), MEDIA)
    assert_refused(info.value, "messages", f"{COUNT_MAX + 1} given, at most {COUNT_MAX} per request")
    assert "send_bulk" in str(info.value)  # says what to do instead
    assert stored(sync_client) == 0


def test_every_problem_is_listed_at_once(sync_client: ClickSend) -> None:
    messages = [{**GOOD, "Subject": "x"}, GOOD, GOOD, {"to": "+61411111111", "body": 5}]
    with pytest.raises(InvalidRequestError) as info:
        sync_client.price(messages, media_file="ftp://example.com/a.jpg")
    assert sorted(p.location for p in info.value.problems) == [
        "media_file",
        "messages[0].Subject",
        "messages[3].body",
        "messages[3].subject",
    ]
    assert "did you mean 'subject'?" in str(info.value)
    assert isinstance(info.value, ValueError)  # bad input is also Python's ValueError


def test_bulk_refuses_a_bad_message_in_a_later_batch(sandbox: Any, sync_client: ClickSend) -> None:
    messages = [{**GOOD, "custom_string": str(i)} for i in range(2500)]
    messages[2100] = {**GOOD, "schedule": -1}
    with pytest.raises(InvalidRequestError) as info:
        send_bulk(sync_client, sandbox, messages, MEDIA)
    assert_refused(info.value, "messages[2100].schedule", "-1 is below the minimum 0")
    assert stored(sync_client) == 0  # not even the good batches before it


def test_models_are_checked_too(sync_client: ClickSend) -> None:
    from clicksend_mms.models import MmsMessageInput

    with pytest.raises(InvalidRequestError) as info:
        sync_client.send([MmsMessageInput(to="+61411111111", subject="s" * 99, body="b")], media_file=MEDIA)
    assert info.value.problems[0].location == "messages[0].subject"
    assert stored(sync_client) == 0


# -- the CLI ----------------------------------------------------------------------------------------------

runner = CliRunner()


def cli(sandbox: Any, *args: str) -> tuple[int, str]:
    transport = SandboxTransport(sandbox)
    try:
        obj = Options(transport=transport, retry=FAST)
        base = ["--base-url", "http://sandbox.local", "--username", "sandbox", "--api-key", "sandbox-key"]
        result = runner.invoke(app, [*base, *args], obj=obj)
    finally:
        transport.close()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cli_messages_file(case: Case, tmp_path: Path, sandbox: Any, sync_client: ClickSend) -> None:
    source = tmp_path / "messages.json"
    source.write_text(json.dumps([GOOD, GOOD, case.message, GOOD]), encoding="utf-8")
    code, err = cli(sandbox, "send", "--messages", str(source), "--media-file", MEDIA)
    location = f"messages[{BAD_AT}]" + (f".{case.key}" if case.key else "")
    assert code == 6, err
    assert "Nothing was sent" in err and f"{location}: " in err and case.says in err, err
    assert stored(sync_client) == 0


def test_cli_messages_as_json_lines(tmp_path: Path, sandbox: Any, sync_client: ClickSend) -> None:
    source = tmp_path / "messages.jsonl"
    source.write_text("\n".join(json.dumps({**GOOD, "custom_string": str(i)}) for i in range(3)), encoding="utf-8")
    code, err = cli(sandbox, "send", "--messages", str(source), "--media-file", MEDIA)
    assert code == 0, err
    assert stored(sync_client) == 3


@pytest.mark.parametrize(
    ("args", "location", "says"),
    [
        (["--subject", "s" * (SUBJECT_MAX + 1)], "messages[1].subject", f"at most {SUBJECT_MAX}"),
        (["--media-file", "cat.jpg"], "media_file", "expected an http(s) URL"),
        (["--media-file", "cat.png"], "media_file", "jpg and gif are sent as they are"),
        (["--schedule", "1900000000000"], "messages[1].schedule", "in milliseconds, and this field takes seconds"),
        (["--from", "f" * 40], "messages[1].from", "at most"),
        (["--schedule", "-5"], "messages[1].schedule", "below the minimum 0"),
    ],
)
def test_cli_options_break_a_limit(
    args: list[str], location: str, says: str, sandbox: Any, sync_client: ClickSend
) -> None:
    base = {"--to": ["+61411111111", "+61422222222"], "--subject": ["Hi"], "--body": ["Hello"], "--media-file": [MEDIA]}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = [value]
    argv = [item for flag, values in base.items() for value in values for item in (flag, value)]
    code, err = cli(sandbox, "send", *argv)
    assert code == 6, err
    assert f"{location}: " in err and says in err, err
    assert stored(sync_client) == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--shedule", "5"], "No such option: --shedule"),  # click suggests --schedule
        (["--schedule", "tomorrow"], "'tomorrow' is not a valid int"),
        (["--messages", "/nonexistent/messages.json"], "cannot read /nonexistent/messages.json"),
    ],
)
def test_cli_mistakes_click_or_the_file_catches(
    args: list[str], says: str, sandbox: Any, sync_client: ClickSend
) -> None:
    send = ["send", "--media-file", MEDIA]
    if args[0] != "--messages":
        send += ["--to", "+61411111111", "--subject", "Hi", "--body", "Hello"]
    code, err = cli(sandbox, *send, *args)
    assert code in (2, 11), err
    assert says in err, err
    assert stored(sync_client) == 0


def test_cli_missing_option_names_it(sandbox: Any, sync_client: ClickSend) -> None:
    code, err = cli(sandbox, "send", "--to", "+61411111111", "--body", "Hello", "--media-file", MEDIA)
    assert code == 2 and "Missing option '--subject'" in err, err
    code, err = cli(sandbox, "send", "--messages", "-", "--to", "+61411111111", "--media-file", MEDIA)
    assert code == 2 and "give either --messages FILE" in err, err
    assert stored(sync_client) == 0
