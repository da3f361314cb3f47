"""reports/fuzz-report.html: the tables hold the run's numbers, every failure has its curl, nothing from the run
can inject markup, and the page needs nothing but itself."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from clicksend_mms_fuzz import report_html

from ._fuzz_sample import RUN, STATS

STATS_RULE_REASON = STATS["filtered_rules"][0]["reason"]


class _Tables(HTMLParser):
    """Cell texts of every table by id, and every element's start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self._table = dict(attrs).get("id") or "?"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def test_the_tables_hold_the_runs_numbers() -> None:
    tables = _parse(report_html.render(STATS, RUN)).tables
    operations = {row[0]: row for row in tables["operations"][1:]}
    assert operations["GET /mms/history"][1] == "120" and operations["GET /mms/history"][3:] == ["30", "0", "0"]
    assert operations["POST /mms/send"][1:2] + operations["POST /mms/send"][3:] == ["80", "2", "1", "3"]
    checks = {row[0]: row[1:] for row in tables["checks"][1:]}
    assert checks == {
        "not_a_server_error": ["200", "0", "3", "1.5%"],
        "response_schema_conformance": ["198", "2", "0", "0.0%"],
        "rate_limit_burst": ["1", "the run, once", "0", "0.0%"],
    }
    assert tables["reach"][1] == ["cancel_mms", "31", "40"]
    phases = {row[0]: row[1:] for row in tables["phases"][1:]}
    assert phases["fuzzing"] == ["failure", "100", ""] and phases["stateful"] == ["skipped", "50", "no links"]
    assert tables["errors"][1] == ["Runtime Error", "2"]
    warnings = tables["warnings"][1:]  # kinds with no operation are left out
    assert [row[:2] for row in warnings] == [
        ["Base URL may be missing a path: returned only 404 responses", "PUT /mms/{message_id}/cancel"]
    ]
    assert warnings[0][2].startswith("misleading here: 2 other operation(s) answered 2xx")


def test_each_failure_shows_its_message_and_curl_as_text_only() -> None:
    page = report_html.render(STATS, RUN)
    parsed = _parse(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags  # the page has no script; the run adds none
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "curl -X POST -H &#x27;Authorization: [Filtered]&#x27; -d &#x27;{&quot;x&quot;: &quot;&lt;/pre&gt;" in page
    assert 'id="failure-1"' in page and 'id="failure-2"' not in page
    assert "Failed: 1 distinct failure(s) and 2 error(s)" in page


def test_filtered_results_are_counted_and_each_rule_says_why_with_an_example() -> None:
    page = report_html.render(STATS, RUN)
    assert '<p id="filtered"><strong>12</strong> failure(s) filtered out' in page
    assert "fuzz/README.md" not in page  # the wheel has no README: the page says it all
    rules = _parse(page).tables["filtered-rules"]
    assert rules[1][:4] == ["ClickSend's 404 for a wrong method", "unsupported_method", "12", STATS_RULE_REASON]
    assert rules[1][4].startswith("DELETE /v3/mms/send (coverage, Unspecified HTTP method: DELETE) answered 404 {")
    assert rules[2][2:] == ["0", "r", "–"]
    assert "without a recorded rule" not in page
    unexplained = report_html.render({**STATS, "filtered_rules": STATS["filtered_rules"][1:]}, RUN)
    assert "12 of them without a recorded rule" in unexplained


def test_the_counts_are_explained_so_they_add_up() -> None:
    page = report_html.render(STATS, RUN)
    # schemathesis' "generated" is cases + follow-ups, its "skipped" the follow-ups no check judged.
    assert "232 &quot;generated&quot; = 200 cases + 32 follow-ups; its 32 &quot;skipped&quot;" in page
    assert (
        "2 coverage cases are no well-formed request for their operation (Unspecified HTTP method 2): schemathesis "
        "judges those with missing_required_header, not_a_server_error, unsupported_method only"
    ) in page
    assert '<p id="burst">Beside the phases, the rate-limit burst sent <strong>13</strong> requests' in page


def test_a_clean_run_passes_and_a_run_without_schemathesis_report_still_renders() -> None:
    clean = {**STATS, "checks_failed": {}, "failures": []}
    page = report_html.render(clean, {**RUN, "exit_code": 0, "errors": []})
    assert "<title>clicksend-mms fuzz report: PASS, 200 cases</title>" in page and "No failures." in page
    bare = report_html.render(clean, None)
    assert "PASS" in bare and "schemathesis wrote no JSON report" in bare


def test_write_reads_the_reports_folder_and_links_only_what_exists(tmp_path: Path) -> None:
    (tmp_path / "fuzz-stats.json").write_text(json.dumps(STATS), encoding="utf-8")
    (tmp_path / "fuzz-run.json").write_text(json.dumps(RUN), encoding="utf-8")
    path = report_html.write(tmp_path)
    assert path == tmp_path / "fuzz-report.html"
    page = path.read_text(encoding="utf-8")
    assert '<a href="fuzz-run.json">' in page and '<a href="fuzz-stats.json">' in page
    assert "fuzz-junit.xml" not in page
    assert "http://" not in page.replace("http://127.0.0.1:1/mms/send", "")  # nothing to fetch from elsewhere
