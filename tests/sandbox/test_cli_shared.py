"""The CLI's flags for a shared sandbox: who may run whole-sandbox operations follows the bind and the admin key;
--public-url must be an http(s) URL; the timeouts reach the settings."""

from __future__ import annotations

import pytest
from clicksend_mms_sandbox.__main__ import EXIT_CONFIG
from clicksend_mms_sandbox.cli import build_parser, main, settings_from_args
from clicksend_mms_sandbox.settings import ENV_ADMIN_KEY, Settings


def settings(*argv: str) -> Settings:
    return settings_from_args(build_parser().parse_args(list(argv)))


def test_the_local_default_is_open_and_a_wider_bind_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_ADMIN_KEY, raising=False)
    assert settings().open_admin and settings("--host", "::1").open_admin and settings().admin_key is None
    assert not settings("--host", "0.0.0.0").open_admin


def test_the_admin_key_comes_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ADMIN_KEY, "from-env")
    assert settings().admin_key == "from-env"
    assert settings("--admin-key", "from-flag").admin_key == "from-flag"
    assert "from-flag" not in repr(settings("--admin-key", "from-flag"))  # never in a log or a traceback


def test_public_url_and_timeouts(capsys: pytest.CaptureFixture[str]) -> None:
    chosen = settings("--public-url", "https://sandbox.example.com/", "--header-timeout", "3", "--body-timeout", "4")
    assert (chosen.public_url, chosen.header_timeout, chosen.body_timeout) == ("https://sandbox.example.com", 3, 4)
    assert main(["--public-url", "ftp://sandbox.example.com", "--port", "0"]) == EXIT_CONFIG
    assert "--public-url" in capsys.readouterr().err
