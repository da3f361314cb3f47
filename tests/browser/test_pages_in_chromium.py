"""The pages people look at, in a real browser: headless Chromium against a running sandbox and a real fuzz run.

- `/docs` renders every operation of the spec, the wire-quirk and sandbox sections, with no console error and
  no request leaving the sandbox;
- reports/fuzz-report.html from a short `make fuzz` run (bounded by a case budget, not the clock: the same cases
  on any machine) renders its tables from disk (file://), numbers matching the run's JSON; a failure quoting
  hostile markup shows as text.

Screenshots go to reports/screenshots/. Needs Chromium (Debian's `chromium` package): under CI=true the tests
must run; elsewhere they skip with how to enable them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms_fuzz import report_html
from clicksend_mms_sandbox.docs.facts import sandbox_facts

from tests.docs._fuzz_sample import HOSTILE, RUN, STATS
from tests.helpers import short_fuzz
from tests.helpers.spec import ROOT, load_spec, operations

from ._chromium import CHROMIUM_ENV, Chromium, Page, find_chromium

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "reports" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    executable = find_chromium()
    if executable is None:
        how = (
            f"install Debian's Chromium (`apt-get install -y chromium`, as root) or point {CHROMIUM_ENV} at a "
            "Chromium/Chrome binary"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI=true and no Chromium found: {how} (.ci/run installs it when missing)")
        pytest.skip(f"no Chromium found: {how} to run the browser tests (CI=true makes them mandatory)")
    with Chromium(executable, width=1400, height=1000) as chromium:
        yield chromium


def _count(page: Page, selector: str) -> int:
    return int(page.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length"))


def _text(page: Page, selector: str) -> str:
    """The text of every element the selector matches."""
    script = f"[...document.querySelectorAll({json.dumps(selector)})].map(e => e.innerText).join('\\n')"
    return str(page.evaluate(script))


def _show(page: Page, selector: str, path: Path) -> Path:
    page.evaluate(f"document.querySelector({json.dumps(selector)}).scrollIntoView()")
    time.sleep(0.3)  # timing-safe: Redoc updates its menu highlight on scroll; only the screenshot shows it
    return page.screenshot(path)


def _requests(page: Page) -> list[str]:
    return [e["params"]["request"]["url"] for e in page.events() if e["method"] == "Network.requestWillBeSent"]


def test_the_reference_renders_every_operation_with_no_console_error(
    browser: Chromium, clicksend_sandbox_url: str
) -> None:
    page = browser.new_page()
    page.send("Network.enable")
    page.goto(f"{clicksend_sandbox_url}/docs")
    ops = list(operations())
    page.wait_for(f"document.querySelectorAll('[data-section-id^=\"operation/\"]').length >= {len(ops)}")
    for op in ops:
        heading = _text(page, f'[data-section-id="operation/{op.operation_id}"] h2')
        assert heading == op.body["summary"], op.operation_id

    money = _text(page, '[data-section-id="tag/Wire-quirks/Money"]')
    assert "x-codec: money" in money and "Wire variant" in money and '"2.4200"' in money
    sandbox = _text(page, '[data-section-id^="tag/Sandbox"]')  # the section and its subsections
    found = sandbox_facts()
    for shown in [*(a.username for a in found.accounts), *found.test_recipients, found.magic_recipients[0].number]:
        assert shown in sandbox
    quirks = [n for n, s in load_spec()["components"]["schemas"].items() if "x-codec" in s]
    assert _count(page, '[data-section-id^="tag/Wire-quirks/"]') == len(quirks)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(SCREENSHOTS / "docs-top.png")
    _show(page, '[data-section-id="operation/get_mms_history"]', SCREENSHOTS / "docs-operation.png")
    _show(page, '[data-section-id="tag/Wire-quirks/Money"]', SCREENSHOTS / "docs-quirk-money.png")
    _show(page, '[data-section-id="tag/Sandbox"]', SCREENSHOTS / "docs-sandbox.png")

    assert page.console_errors() == []
    foreign = [url for url in _requests(page) if not url.startswith((clicksend_sandbox_url, "data:", "blob:"))]
    assert foreign == [], "the reference must load everything from the sandbox"


def test_the_fuzz_report_of_a_short_run_renders_its_tables(
    browser: Chromium, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The session's short run (tests/helpers/short_fuzz.py), which test_reproducible also reads: one run, not two.
    result = short_fuzz.shared(tmp_path_factory)
    reports = result.reports
    report = reports / report_html.REPORT_NAME
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    assert f"HTML report: {report.resolve()}" in result.stdout
    stats: dict[str, Any] = json.loads((reports / report_html.STATS_NAME).read_text(encoding="utf-8"))

    page = browser.new_page()
    page.goto(report.as_uri())
    assert _count(page, "#operations tbody tr") == len(stats["cases_by_operation"]) == len(list(operations()))
    assert _count(page, "#checks tbody tr") == len(stats["checks_run"])
    assert _count(page, "#phases tbody tr") >= len(stats["cases_by_phase"])
    total = sum(stats["cases_by_operation"].values())
    assert f"{total:,}" in _text(page, ".cards")
    assert _count(page, "details.failure") == len(stats["failures"])
    # What the oracles write beside the counts: follow-ups, reach, the burst, each filter rule with an example.
    follow_ups = sum(stats["followups_by_operation"].values())
    assert f'{total + follow_ups:,} "generated" = {total:,} cases + {follow_ups:,} follow-ups' in _text(
        page, "#counting"
    )
    assert _count(page, "#reach tbody tr") == len(stats["reach"]) > 0
    assert f"sent {stats['rate_limit']['requests']:,} requests" in _text(page, "#burst")
    rules = _text(page, "#filtered-rules tbody")
    assert _count(page, "#filtered-rules tbody tr") == len(stats["filtered_rules"])
    for rule in stats["filtered_rules"]:
        assert rule["rule"] in rules and (rule["example"] is None or rule["example"]["request"] in rules)
    assert sum(rule["count"] for rule in stats["filtered_rules"]) == stats["filtered"] > 0
    assert "fuzz/README.md" not in _text(page, "body")  # not in the wheel: the page explains itself
    # Each table really is laid out (a table that failed to render has no height).
    assert page.evaluate("[...document.querySelectorAll('table')].every(t => t.getBoundingClientRect().height > 40)")
    page.screenshot(SCREENSHOTS / "fuzz-report.png", full_page=True)
    _show(page, "#filtered", SCREENSHOTS / "fuzz-report-filtered.png")
    assert page.console_errors() == []


def test_a_failure_quoting_markup_shows_as_text(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / report_html.STATS_NAME).write_text(json.dumps(STATS), encoding="utf-8")
    (tmp_path / report_html.RUN_NAME).write_text(json.dumps(RUN), encoding="utf-8")
    page = browser.new_page()
    page.goto(report_html.write(tmp_path).as_uri())
    assert _count(page, "script, img") == 0
    assert HOSTILE in _text(page, "#failure-1 pre")
    _show(page, "#failure-1", SCREENSHOTS / "fuzz-report-failure.png")
    assert page.console_errors() == []


def test_make_docs_links_the_sdk_reference_which_renders(browser: Chromium, tmp_path: Path) -> None:
    """`make docs` builds the Python SDK's reference (pdoc) beside the API's, linked from it; both open from disk."""
    out = tmp_path / "docs"
    done = subprocess.run(
        ["make", "--no-print-directory", "docs", f"DOCS_OUT={out}"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    href = page.evaluate("document.querySelector('#sdk-link a').getAttribute('href')")
    assert href == "sdk/index.html"
    assert page.console_errors() == []

    assert "url=./clicksend_mms.html" in (out / href).read_text(encoding="utf-8")  # pdoc's index: a redirect
    sdk = browser.new_page()
    sdk.goto((out / "sdk" / "clicksend_mms.html").as_uri())
    modules = _text(sdk, "body")
    for name in ("ClickSend", "AsyncClickSend", "InvalidRequestError", "RetryPolicy"):  # the package's face
        assert name in modules, modules[:2000]
    for module, names in {
        "clicksend_mms/facade.html": ("ClickSend", "history", "GetMmsHistoryOptions"),
        "clicksend_mms/async_facade.html": ("AsyncClickSend", "send_bulk"),
        "clicksend_mms/exceptions.html": ("InvalidRequestError", "may_have_been_sent"),
        "clicksend_mms/models.html": ("MmsReceipt", "SendMmsRequest"),
        "clicksend_mms/inputs.html": ("GetMmsHistoryOptions", "date_from"),
        "clicksend_mms/cli.html": ("history", "receipts", "send"),
    }.items():
        sdk.goto((out / "sdk" / module).as_uri())
        text = _text(sdk, "main")
        assert all(name in text for name in names), f"{module}: {[n for n in names if n not in text]}"
        assert sdk.console_errors() == []
    foreign = [url for url in _requests(sdk) if not url.startswith(("file:", "data:", "blob:"))]
    assert foreign == [], "the SDK reference must open offline"
    sdk.screenshot(SCREENSHOTS / "docs-sdk.png")
