"""Every README snippet and CLI example runs as written, against sandboxes on free 127.0.0.1 ports.

The README speaks of the sandbox at its documented address; ``README_SANDBOX`` below is the one place that maps
it to a free port (so when the documented URL changes, e.g. to ``/v3``, only the README changes). ``make`` lines
are not run: they are this repository's own entry points (``make test`` runs this very test).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from clicksend_mms import ClickSend, RetryPolicy
from clicksend_mms.config import SANDBOX_BASE_URL
from clicksend_mms_sandbox.testing import DEFAULT, free_port

from tests.client.sandbox_server import sandbox_server
from tests.helpers.spec import ROOT
from tests.helpers.waiting import HANG

SCRIPT_HANG = 10 * HANG
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_SANDBOX = "http://127.0.0.1:8765"  # the sandbox address the README uses (scheme, host, port)
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# What a snippet prints, where printing is the point of it.
EXPECTED_OUTPUT = {"InvalidRequestError": ["did you mean 'schedule'?", "0 shedule"]}


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == language]


def moved(text: str, url: str) -> str:
    """``text`` with the README's sandbox address (any path after it kept) at ``url``'s host and port instead."""
    parts = urlsplit(url)
    return text.replace(README_SANDBOX, f"{parts.scheme}://{parts.netloc}")


def user_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command[-1][:300]}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with sandbox_server() as url:
        yield url


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A user's working directory in a clone: relative paths in the README (examples/, .venv/) resolve."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    venv = ROOT / ".venv"
    if venv.is_dir():
        (tmp_path / ".venv").symlink_to(venv)
    else:
        (tmp_path / ".venv" / "bin").mkdir(parents=True)
        (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_only_known_block_languages() -> None:
    # A block in another language would silently escape this test.
    assert {lang for lang, _ in FENCE.findall(README)} <= {"python", "sh", ""}


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_snippet(index: int, server: str, workdir: Path) -> None:
    """Each snippet as a user runs it right after `make sandbox`: no CLICKSEND_* set, except the sandbox's URL (the
    documented knob for a sandbox on another port: here a free one). A snippet that reads credentials from the
    environment by name (recording real traffic) gets the sandbox's, as its text says it needs them."""
    code = moved(blocks("python")[index], server)
    env = user_env(CLICKSEND_SANDBOX_URL=server)
    if re.search(r"os\.environ\[\"CLICKSEND_", code):
        credentials = {"CLICKSEND_USERNAME": DEFAULT.username, "CLICKSEND_API_KEY": DEFAULT.api_key}
        env |= {**credentials, "CLICKSEND_BASE_URL": server}
    if re.search(r"^def test_", code, re.MULTILINE):
        (workdir / "test_snippet.py").write_text(code, encoding="utf-8")
        # -p no:cacheprovider: nothing written next to the snippet; the plugin comes from the installed package.
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", "test_snippet.py"]
        run(command, workdir, env)
        return
    output = run([sys.executable, "-c", code], workdir, env)
    for marker, expected in EXPECTED_OUTPUT.items():
        if marker in code:
            for text in expected:
                assert text in output, output


def _shell_lines() -> list[str]:
    # Comment lines are prose inside a block (bash would skip them too).
    lines = [line for body in blocks("sh") for line in body.splitlines() if line.strip() and not line.startswith("#")]
    # `make` lines are what CI itself runs; `pip install` lines are what tests/packaging/test_wheel.py runs
    # (the wheel into fresh venvs, each extra): neither belongs inside this test's sandbox session.
    elsewhere = ("make ", "pip install ")
    skipped = [line for line in lines if line.startswith(elsewhere)]
    runnable = [line for line in lines if not line.startswith(elsewhere)]
    assert all(line.split()[0] in {"clicksend-mms", ".venv/bin/python"} or "=$(" in line for line in runnable)
    assert {line.split()[0] for line in skipped} == {"make", "pip"}, (
        "the README's make/pip lines moved: check what this test skips"
    )
    return runnable


@contextlib.contextmanager
def documented_sandbox(line: str, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run the README's sandbox line on a free port (never the documented one: other sessions may use it)."""
    port = free_port()
    command = line.split("#")[0].replace(f"--port {urlsplit(README_SANDBOX).port}", f"--port {port}")
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    url = moved(SANDBOX_BASE_URL, f"http://127.0.0.1:{port}")
    try:
        # Up once it answers: the SDK's own retries wait out "connection refused" while it starts. The bound only
        # catches a server that never comes up (a busy machine can take many seconds to start one).
        patience = RetryPolicy(attempts=1200, timeout=120, wait_initial=0.1, wait_max=0.2, wait_jitter=0)
        with ClickSend("sandbox", "sandbox-key", base_url=url, retry=patience) as probe:
            probe.history()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_shell_lines_in_order(server: str, workdir: Path) -> None:
    lines = _shell_lines()
    starts = [line for line in lines if line.startswith("clicksend-mms sandbox")]
    assert len(starts) == 1, starts
    with documented_sandbox(starts[0], workdir, user_env()) as cli_sandbox:
        script = ["set -euo pipefail"]
        for number, line in enumerate(lines):
            if line in starts:
                continue
            script += [f"echo '::: {number}' >&2", line]
        # The quick start's example reads CLICKSEND_BASE_URL; --sandbox reads CLICKSEND_SANDBOX_URL; lines without
        # --sandbox (recording "Keep the spec true") run as a user with credentials configured, here the sandbox's.
        credentials = {"CLICKSEND_USERNAME": DEFAULT.username, "CLICKSEND_API_KEY": DEFAULT.api_key}
        env = user_env(CLICKSEND_SANDBOX_URL=cli_sandbox, CLICKSEND_BASE_URL=server, **credentials)
        # A hang guard, not a time limit: 15 commands and a fuzz run took over 300 s on a loaded 2-core machine.
        run(["bash", "-c", "\n".join(script)], workdir, env, timeout=SCRIPT_HANG)
    assert (workdir / "history.csv").read_text(encoding="utf-8").startswith("message_id,")
    assert DEFAULT.api_key not in (workdir / "traffic.har").read_text(encoding="utf-8")  # recorded, key redacted


def _install_section() -> str:
    return README.split("## Install", 1)[1].split("\n## ", 1)[0]


def test_the_install_section_installs_this_version() -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    wheels = set(re.findall(r"dist/clicksend_mms-([^-\s]+)-py3-none-any\.whl", _install_section()))
    assert wheels == {version}, "the README installs another version than pyproject.toml builds"


def test_the_install_section_says_what_each_extra_brings() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    rows = {
        cells[0].strip("`"): cells[1]
        for line in _install_section().splitlines()
        if line.startswith("| ") and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 3
    }

    def brought(requirement: str) -> str:
        extra = re.fullmatch(r"clicksend-mms\[(\w+)\]", requirement)  # another extra, by its name
        return f"[{extra.group(1)}]" if extra else re.split(r"[<>=~!;\s\[]", requirement, maxsplit=1)[0]

    expected = {"(none)": project["dependencies"]}
    expected |= {f"[{name}]": reqs for name, reqs in project["optional-dependencies"].items() if name != "dev"}
    for extra, requirements in expected.items():
        if extra == "[all]":
            continue  # "all three"
        missing = [brought(r) for r in requirements if brought(r) not in rows[extra]]
        assert missing == [], f"the README's {extra} row does not name {missing}"


def test_the_sandbox_url_default_is_the_clis() -> None:
    # One form of the default (with /v3), the one `clicksend-mms --help` shows from config.py.
    assert f"(`CLICKSEND_SANDBOX_URL`, default `{SANDBOX_BASE_URL}`)" in README


def test_the_bulk_example_sends_to_no_number_with_a_special_outcome() -> None:
    """The bulk example's recipients are ordinary numbers: none is a sandbox magic recipient (rejected, failed,
    never delivered) or one of ClickSend's test recipients (never delivered), so all 10,000 go through."""
    from clicksend_mms_sandbox.numbers import MAGIC_RECIPIENTS
    from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

    lines = [line.strip() for code in blocks("python") for line in code.splitlines()]
    generated = [line for line in lines if line.startswith("messages = ") and " for i in range(" in line]
    assert generated, "no generated message list in the README: the check would pass on anything"
    special = set(MAGIC_RECIPIENTS) | set(TEST_RECIPIENTS)
    assert special, "no special numbers found: the check would pass on anything"
    for line in generated:  # every bulk example: each sends to as many ordinary numbers as it has messages
        scope: dict[str, object] = {}
        exec(line, scope)  # the README's own list: whatever range it writes is what is checked
        messages = scope["messages"]
        recipients = {message["to"] for message in messages}  # type: ignore[attr-defined]
        assert len(recipients) == len(messages), line  # type: ignore[arg-type]
        assert sorted(recipients & special) == [], line
