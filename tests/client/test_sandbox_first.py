"""Sandbox first: `ClickSend(sandbox=True)` / CLICKSEND_SANDBOX=1 is the SDK's --sandbox; no credentials says what
to set; the sandbox's own credentials are never sent to ClickSend because no base URL was given."""

from __future__ import annotations

import httpx
import pytest
from clicksend_mms import AsyncClickSend, ClickSend, ConfigurationError
from clicksend_mms.cli import Options, app
from clicksend_mms.config import DEFAULT_BASE_URL, SANDBOX_API_KEY, SANDBOX_BASE_URL, SANDBOX_USERNAME
from typer.testing import CliRunner

from tests.client.fakes import FakeClickSend

LIVE = {"CLICKSEND_USERNAME": "live-user", "CLICKSEND_API_KEY": "LIVE-KEY", "CLICKSEND_BASE_URL": DEFAULT_BASE_URL}


@pytest.fixture(autouse=True)
def no_clicksend_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*LIVE, "CLICKSEND_SANDBOX", "CLICKSEND_SANDBOX_URL"):
        monkeypatch.delenv(name, raising=False)


def target(cs: ClickSend | AsyncClickSend) -> tuple[str, str, str]:
    s = cs.settings
    return s.base_url, s.username, s.api_key


def test_no_credentials_says_what_to_set_and_how_to_reach_the_sandbox() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClickSend()
    text = str(caught.value)
    assert "CLICKSEND_USERNAME and CLICKSEND_API_KEY" in text
    assert "sandbox=True" in text and "CLICKSEND_SANDBOX=1" in text


@pytest.mark.parametrize("facade", [ClickSend, AsyncClickSend])
def test_sandbox_true_is_the_sandbox_as_its_default_account(facade: type[ClickSend]) -> None:
    assert target(facade(sandbox=True)) == (SANDBOX_BASE_URL, SANDBOX_USERNAME, SANDBOX_API_KEY)


def test_the_sandbox_beats_a_live_environment_but_not_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIVE.items():
        monkeypatch.setenv(name, value)
    assert target(ClickSend(sandbox=True)) == (SANDBOX_BASE_URL, SANDBOX_USERNAME, SANDBOX_API_KEY)
    monkeypatch.setenv("CLICKSEND_SANDBOX", "1")
    assert target(ClickSend()) == (SANDBOX_BASE_URL, SANDBOX_USERNAME, SANDBOX_API_KEY)
    assert target(ClickSend(sandbox=False)) == (DEFAULT_BASE_URL, "live-user", "LIVE-KEY")
    monkeypatch.setenv("CLICKSEND_SANDBOX_URL", "http://127.0.0.1:9/v3")
    assert target(ClickSend("me", "my-key")) == ("http://127.0.0.1:9/v3", "me", "my-key")
    assert target(ClickSend(base_url="http://127.0.0.1:7/v3"))[0] == "http://127.0.0.1:7/v3"


@pytest.mark.parametrize("value", ["0", "", "no"])
def test_clicksend_sandbox_off_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CLICKSEND_SANDBOX", value)
    with pytest.raises(ConfigurationError):
        ClickSend()


def test_the_sandbox_credentials_are_never_sent_to_clickSend() -> None:
    fake = FakeClickSend()
    with pytest.raises(ConfigurationError) as caught:
        ClickSend(SANDBOX_USERNAME, SANDBOX_API_KEY, transport=fake.transport())
    assert DEFAULT_BASE_URL in str(caught.value) and "sandbox=True" in str(caught.value)
    assert SANDBOX_API_KEY not in str(caught.value)
    # With a base URL (the sandbox's, wherever it runs) they are what they are.
    explicit = ClickSend(SANDBOX_USERNAME, SANDBOX_API_KEY, base_url="http://127.0.0.1:9/v3")
    assert target(explicit)[0] == "http://127.0.0.1:9/v3"


def test_the_cli_reads_clicksend_sandbox_as_its_sandbox_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIVE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CLICKSEND_SANDBOX", "1")
    seen: list[httpx.URL] = []
    fake = FakeClickSend()
    transport = fake.transport()

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return transport.handle_request(request)

    result = CliRunner().invoke(app, ["--json", "cancel-all"], obj=Options(transport=httpx.MockTransport(spy)))
    assert result.exit_code == 0, result.stderr
    assert [str(url).startswith(SANDBOX_BASE_URL) for url in seen] == [True]
