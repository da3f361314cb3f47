"""Without an extra, each entry point says which one to install; nothing ends in a traceback.

A missing package is simulated with ``sys.modules[name] = None`` (Python then refuses to import it); the real
thing, a wheel installed without extras, is in test_wheel.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from clicksend_mms import RetryPolicy
from clicksend_mms.cli import Options, app
from clicksend_mms_spec.distribution import pip_install
from typer.testing import CliRunner

NO_RETRY = RetryPolicy(attempts=1)


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_console_script_without_the_cli_extra() -> None:
    result = _python("""
        import sys
        sys.modules["typer"] = None
        from clicksend_mms.__main__ import main
        main()
    """)
    assert result.returncode == 3
    expected = f"clicksend-mms: the command line needs the cli extra: {pip_install('cli')}"
    assert result.stderr.strip() == expected


def test_sandbox_script_without_the_sandbox_extra() -> None:
    result = _python("""
        import sys
        sys.modules["uvicorn"] = None
        from clicksend_mms_sandbox.__main__ import main
        sys.exit(main())
    """)
    assert result.returncode == 3, result.stderr
    assert "no module 'uvicorn'" in result.stderr and pip_install("sandbox") in result.stderr
    assert "Traceback" not in result.stderr


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _run(*args: str) -> tuple[int, str]:
    obj = Options(transport=httpx.MockTransport(_unreachable), retry=NO_RETRY)
    result = CliRunner().invoke(app, list(args), obj=obj)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def _without_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "clicksend_mms_sandbox.cli", raising=False)
    monkeypatch.setitem(sys.modules, "uvicorn", None)


def test_sandbox_flag_unreachable_says_how_to_start_it() -> None:
    code, err = _run("--sandbox", "history")
    assert code == 9
    assert "hint: start the sandbox with `clicksend-mms sandbox`" in err


def test_sandbox_flag_unreachable_and_not_installed_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_the_sandbox(monkeypatch)
    code, err = _run("--sandbox", "history")
    assert code == 9
    assert pip_install("sandbox") in err and "clicksend-mms sandbox" in err


def test_other_targets_get_no_sandbox_hint() -> None:
    code, err = _run(
        "--username", "u", "--api-key", "k", "--base-url", "http://192.0.2.1:9/v3", "history"
    )  # not loopback: no sandbox hint at all
    assert code == 9 and "sandbox" not in err


def test_sandbox_command_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_the_sandbox(monkeypatch)
    code, err = _run("sandbox", "--help")
    assert code == 3
    assert pip_install("sandbox") in err


def test_pytest_starts_without_the_sandbox_extra_and_its_fixtures_say_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        "def test_plain():\n    assert True\n\n\ndef test_uses_sandbox(clicksend_sandbox):\n    pass\n"
    )
    # starlette blocked before pytest loads the plugins (the pytest11 entry point imports the plugin module).
    result = _python(
        """
        import sys
        sys.modules["starlette"] = None
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "test_user.py"]))
        """,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    # The plain test passes; the one asking for a sandbox errors in setup with the install command, no traceback.
    assert "1 passed, 1 error" in output, output
    assert "During handling" not in output and "Traceback" not in output
    assert pip_install("sandbox") in output  # from the plugin: it loaded
