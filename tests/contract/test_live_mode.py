"""Live mode, spend-guarded: `python -m clicksend_mms_fuzz` with credentials targets that API and, unless told
otherwise, does only what costs nothing. Tested as the issue asks: credentials set, URL pointed at a sandbox."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from clicksend_mms_fuzz.guard import CHECKS_LIVE
from clicksend_mms_fuzz.plan import LIVE_MAX_EXAMPLES, plan_from_env
from clicksend_mms_sandbox import Settings, create_app
from clicksend_mms_sandbox.server import ServerThread
from clicksend_mms_sandbox.testing import DEFAULT, SECOND, TEST_RECIPIENTS

from tests.helpers.fuzz_budget import budgeted_fuzz_run

KEY = DEFAULT.api_key


@pytest.fixture
def live_like() -> Iterator[tuple[str, httpx.Client]]:
    server = ServerThread(create_app(Settings(rate_limit=0)))
    server.start()
    try:
        with httpx.Client(base_url=server.url, auth=("sandbox", KEY), timeout=10) as http:
            yield server.url, http
    finally:
        server.stop()


def _history(http: httpx.Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        data = http.get("/mms/history", params={"page": page, "limit": 100}).json()["data"]
        rows.extend(data["data"])
        if page >= data["last_page"]:
            return rows
        page += 1


# The run's size is a case budget, not a time: live mode paces itself at a few requests a second, so a run bound
# by the clock would judge a busy machine's handful of cases. Its examples phase (one case per documented example,
# the same on every run) is enough to exercise every check these tests look for.
LIVE_PHASES = ("examples",)
REHEARSAL_RATE = "40/s"


def _live_run(url: str, cwd: Path, **extra: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {"CLICKSEND_USERNAME": "sandbox", "CLICKSEND_API_KEY": KEY, "CLICKSEND_BASE_URL": url}
    # Rehearse live: the target says it is a sandbox (test_own_sandbox.py). A local target takes a faster pace than
    # ClickSend's default 5/s: the run is the same cases, sooner.
    env |= {"CLICKSEND_FUZZ_LIVE": "1", "CLICKSEND_FUZZ_LIVE_RATE": REHEARSAL_RATE, **extra}
    result = budgeted_fuzz_run(cwd, max_examples=LIVE_MAX_EXAMPLES, phases=LIVE_PHASES, extra_env=env)
    stats_file = cwd / "reports" / "fuzz-stats.json"
    return result, json.loads(stats_file.read_text()) if stats_file.exists() else {}


def test_default_live_run_only_does_free_things(live_like: tuple[str, httpx.Client], tmp_path: Path) -> None:
    url, http = live_like
    # A target whose clock is not this machine's (as after the README's example, which advances it): schedules and
    # "sent at once" are judged on the server's clock, or they would look early or late.
    http.post("/_sandbox/clock/advance", json={"seconds": 120}).raise_for_status()
    balance_before = http.get("/_sandbox/account").json()["data"]["balance"]
    result, stats = _live_run(url, tmp_path)
    output = result.stdout + result.stderr
    # It says up front what it will do, and it did run against the target.
    assert f"Target: LIVE API {url}" in output
    assert "Free operations only" in output
    assert f"Pace: at most {REHEARSAL_RATE} requests" in output  # the pace it was given, and said so
    assert "Skipped: cancel_mms, cancel_all_mms, upload_media" in output
    assert "Isolation: off" in output and "Rate-limit burst: off" in output
    assert result.returncode == 0, output[-3000:]
    # No sandbox was started, and the closing line says what the time was spent against.
    pace = next(line for line in result.stdout.splitlines() if "wall time" in line)
    assert "sandbox" not in pace and pace.endswith(f"cases/s, against {url}."), pace
    # Only the checks that read ran: nothing that verifies a write, nothing that needs the sandbox, no burst.
    ran = {name for name, count in stats["checks_run"].items() if count}
    assert not ran & {name for name, where in CHECKS_LIVE.items() if where != "free"}, ran
    assert {"paginator_arithmetic", "price_matches_send", "invalid_recipient_not_success"} <= ran
    assert not stats["rate_limit"].get("requests")
    # The key appears nowhere: not in the output, not in any report.
    assert KEY not in output
    reports = list((tmp_path / "reports").glob("fuzz-*"))
    assert reports, "the run wrote no report under its current directory"
    for report in reports:
        assert KEY not in report.read_text(errors="replace"), report
    # Every message it sent went to ClickSend's free test recipients; nothing was cancelled or charged.
    rows = _history(http)
    assert rows, "the run sent nothing: the guard was not exercised"
    assert {row["to"] for row in rows} <= set(TEST_RECIPIENTS)
    assert all(row["status"] != "Cancelled" for row in rows)
    assert http.get("/_sandbox/account").json()["data"]["balance"] == balance_before


def test_spending_run_with_a_second_account_verifies_writes_and_isolation(
    live_like: tuple[str, httpx.Client], tmp_path: Path
) -> None:
    url, http = live_like
    result, stats = _live_run(
        url,
        tmp_path,
        CLICKSEND_ALLOW_SPEND="1",
        CLICKSEND_MAX_SENDS="0",
        CLICKSEND_USERNAME_2=SECOND.username,
        CLICKSEND_API_KEY_2=SECOND.api_key,
    )
    output = result.stdout + result.stderr
    assert "Spending ALLOWED" in output and f"Isolation: on, second account {SECOND.username!r}" in output
    assert result.returncode == 0, output[-3000:]
    ran = {name for name, count in stats["checks_run"].items() if count}
    assert {"cancel_takes_effect", "other_account_sees_nothing"} <= ran, ran
    assert not ran & {"balance_matches_charges", "rate_limit_burst"} and not stats["rate_limit"].get("requests")
    assert SECOND.api_key not in output
    # Even spending, every send went to a test recipient (CLICKSEND_MAX_SENDS=0), and the peer's canary, to a test
    # recipient too, was cancelled when the run ended.
    assert {row["to"] for row in _history(http)} <= set(TEST_RECIPIENTS)
    with httpx.Client(base_url=url, auth=SECOND.basic_auth, timeout=10) as peer:
        canaries = peer.get("/mms/history").json()["data"]["data"]
    assert canaries and all(row["status"] == "Cancelled" for row in canaries)


def test_spending_needs_an_explicit_opt_in() -> None:
    base = {"CLICKSEND_USERNAME": "someone", "CLICKSEND_API_KEY": "secret-key"}
    default = plan_from_env(base)
    assert default.live and not default.policy.allow_spend
    assert set(default.policy.excluded_operations) == {"cancel_mms", "cancel_all_mms", "upload_media"}
    opted_in = plan_from_env({**base, "CLICKSEND_ALLOW_SPEND": "1", "CLICKSEND_MAX_SENDS": "2"})
    assert opted_in.policy.allow_spend and opted_in.policy.max_sends == 2
    assert opted_in.policy.excluded_operations == ()
    assert "Spending ALLOWED" in opted_in.describe() and "secret-key" not in opted_in.describe()
    assert not plan_from_env({}).live  # no credentials: the embedded sandbox


def test_the_live_pace_is_five_a_second_unless_the_user_sets_one() -> None:
    base = {"CLICKSEND_USERNAME": "u", "CLICKSEND_API_KEY": "k"}
    assert plan_from_env(base).live_rate == "5/s"
    assert plan_from_env({**base, "CLICKSEND_FUZZ_LIVE_RATE": "600/m"}).live_rate == "600/m"
    for wrong in ("fast", "0/s", "5/h", "5"):
        with pytest.raises(ValueError, match="CLICKSEND_FUZZ_LIVE_RATE"):
            plan_from_env({**base, "CLICKSEND_FUZZ_LIVE_RATE": wrong})
