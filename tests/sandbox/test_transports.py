"""The sync in-process transport's helper thread: close() ends it, and one never closed neither blocks the garbage
collector nor the interpreter's exit (its finalizer used to wait on the thread, which deadlocks at exit)."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import textwrap
import threading

import httpx
import pytest
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import SandboxTransport, sandbox_client

from tests.helpers.spec import ROOT

EXIT_WITHIN = 120.0  # seconds: a clean exit takes about one (a few on a busy machine); the bug was a hang forever
THREAD = "clicksend-mms-sandbox-transport"

UNCLOSED_CLIENT = """
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import sandbox_client

app = create_app()
http = sandbox_client(app)
app.state.sandbox.clock.advance(60)
print(http.get("/mms/history", params={"q": "status:Sent"}).status_code)  # a filter runs in a worker thread too
"""

UNCLOSED_FACADE = """
from clicksend_mms import ClickSend
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport

cs = ClickSend("sandbox", "sandbox-key", base_url=IN_PROCESS_URL, transport=SandboxTransport(create_app()))
print(cs.history().total)
"""


def run_script(source: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-c", source], capture_output=True, text=True, timeout=EXIT_WITHIN, check=False
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the script printed {exc.stdout!r} and did not exit within {EXIT_WITHIN} s")


@pytest.mark.parametrize("source", [UNCLOSED_CLIENT, UNCLOSED_FACADE], ids=["sandbox_client", "facade"])
def test_an_unclosed_transport_does_not_hang_the_exit(source: str) -> None:
    result = run_script(source)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {"200", "0"}


def test_the_readme_in_process_snippet_runs_and_exits() -> None:
    readme = (ROOT / "sandbox" / "README.md").read_text(encoding="utf-8")
    snippet = next(
        body
        for body in re.findall(r"^```python\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
        if "sandbox_client(app)" in body
    )
    result = run_script(textwrap.dedent(snippet))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def transport_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD]


def test_close_ends_the_helper_thread_and_refuses_later_requests() -> None:
    before = len(transport_threads())
    transport = SandboxTransport(create_app())
    assert len(transport_threads()) == before + 1
    with sandbox_client(create_app()) as http:
        assert http.get("/mms/history").status_code == 200
    transport.close()
    transport.close()  # idempotent
    assert len(transport_threads()) == before
    with pytest.raises(RuntimeError, match="closed"):
        transport.handle_request(httpx.Request("GET", "http://sandbox.local/v3/mms/history"))


def test_a_forgotten_transport_ends_its_thread_when_collected() -> None:
    before = set(transport_threads())
    http = sandbox_client(create_app())
    assert http.get("/mms/history").status_code == 200
    (thread,) = set(transport_threads()) - before
    del http
    gc.collect()
    thread.join(timeout=EXIT_WITHIN)  # the finalizer only asked the loop to stop; the thread ends by itself
    assert not thread.is_alive()
