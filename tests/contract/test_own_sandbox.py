"""A sandbox the user started (a CI service container, a teammate's) gets the full run, not the live guard: the
sandbox says what it is (testing.SANDBOX_HEADER on every answer) and the fuzzer asks before choosing. Also: the
banner names the spec the run reads, and the summary's headings read as headings."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import clicksend_mms_spec
import httpx
import pytest
from clicksend_mms_fuzz.guard import CHECKS_LIVE
from clicksend_mms_fuzz.plan import plan_from_env, says_sandbox
from clicksend_mms_fuzz.stats import heading
from clicksend_mms_sandbox import Settings, create_app
from clicksend_mms_sandbox.server import ServerThread
from clicksend_mms_sandbox.testing import DEFAULT, SANDBOX_HEADER, SECOND, free_port

from tests.contract.test_live_mode import _live_run


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[str]:
    server = ServerThread(create_app(Settings(rate_limit=0)))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def not_a_sandbox() -> Iterator[str]:
    """Something else that answers HTTP (as ClickSend would): a 404 without the sandbox's header."""

    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v3"
    finally:
        server.shutdown()


def test_every_sandbox_answer_says_what_it_is(own_sandbox: str) -> None:
    with httpx.Client(base_url=own_sandbox, timeout=10) as http:
        answers = [http.get("/mms/history", auth=DEFAULT.basic_auth), http.get("/mms/history"), http.get("/nowhere")]
    assert [a.status_code for a in answers] == [200, 401, 404]
    assert all(a.headers.get(SANDBOX_HEADER) for a in answers)


def test_the_fuzzer_tells_a_sandbox_from_anything_else(own_sandbox: str, not_a_sandbox: str) -> None:
    assert says_sandbox(own_sandbox)
    assert not says_sandbox(not_a_sandbox)
    assert not says_sandbox(f"http://127.0.0.1:{free_port()}/v3")  # nothing listening: the live guard


def test_a_sandbox_of_ones_own_is_planned_as_a_sandbox(own_sandbox: str, not_a_sandbox: str) -> None:
    credentials = {"CLICKSEND_USERNAME": DEFAULT.username, "CLICKSEND_API_KEY": DEFAULT.api_key}
    plan = plan_from_env({**credentials, "CLICKSEND_BASE_URL": own_sandbox})
    assert not plan.live and plan.base_url == own_sandbox
    assert plan.policy.excluded_checks == () and plan.policy.excluded_operations == ()
    assert plan.peer is not None and plan.peer.username == SECOND.username  # its second account: isolation on
    text = plan.describe()
    assert f"Target: your sandbox at {own_sandbox}" in text and "Isolation: on" in text
    assert DEFAULT.api_key not in text and SECOND.api_key not in text
    rehearsal = plan_from_env({**credentials, "CLICKSEND_BASE_URL": own_sandbox, "CLICKSEND_FUZZ_LIVE": "1"})
    assert rehearsal.live and "LIVE API" in rehearsal.describe()
    elsewhere = plan_from_env({**credentials, "CLICKSEND_BASE_URL": not_a_sandbox})
    assert elsewhere.live


def test_the_banner_names_the_spec_it_reads() -> None:
    """From a checkout and from a wheel alike: the path clicksend_mms_spec finds, not the checkout's name for it."""
    assert f"every operation in {clicksend_mms_spec.path()};" in plan_from_env({}).describe()


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "Warnings: none"), (1, "Warnings (1 kind):"), (2, "Warnings (2 kinds):")]
)
def test_summary_headings_read_as_headings(count: int, expected: str) -> None:
    assert heading("Warnings", count, "kind") == expected  # never "Warnings: 2:"


def test_the_full_run_against_ones_own_sandbox(own_sandbox: str, tmp_path: Path) -> None:
    # As the live-mode tests run it, but without their rehearsal switch: what the target says decides.
    result, stats = _live_run(own_sandbox, tmp_path, CLICKSEND_FUZZ_LIVE="0")
    output = result.stdout + result.stderr
    assert f"Target: your sandbox at {own_sandbox}" in output and "LIVE API" not in output
    assert result.returncode == 0, output[-3000:]
    ran = {name for name, count in stats["checks_run"].items() if count}
    # What a live run leaves out runs here: the checks that need the sandbox's balance or verify writes.
    assert {"balance_matches_charges", "other_account_sees_nothing"} <= ran, ran
    assert {name for name, where in CHECKS_LIVE.items() if where == "spend"} & ran, ran
    operations = set(stats["cases_by_operation"])  # "PUT /mms/cancel-all", ...: what live leaves out ran
    assert all(any(op.endswith(end) for op in operations) for end in ("/cancel", "/cancel-all", "/uploads")), operations
