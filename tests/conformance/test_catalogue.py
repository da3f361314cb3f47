"""Every payload ClickSend published or was seen sending, replayed as traffic, conforms to the spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clicksend_mms.conformance import Category, check

from tests.conformance.har import catalogue_entries, entry, url_for, write_har
from tests.helpers.payloads import KNOWN_FALSE, PUBLISHED

ENTRIES = catalogue_entries()
SOURCES = sorted({payload.name.split("/")[0] for payload, _ in ENTRIES})


def test_the_catalogue_covers_every_source() -> None:
    expected = {"seeds", "apisguru", "published"}
    assert set(SOURCES) == expected


@pytest.mark.parametrize("source", SOURCES)
def test_catalogue_as_traffic_conforms_even_strictly(source: str, tmp_path: Path) -> None:
    entries = [e for payload, e in ENTRIES if payload.name.startswith(source + "/")]
    report = check([write_har(tmp_path / f"{source}.har", entries)])
    assert report.entries == report.checked == len(entries)
    assert [(f.category, f.operation, f.field, f.seen) for f in report.findings] == []
    assert report.exit_code(strict=True) == 0


def test_request_only_payloads_are_checked_and_say_no_response_was_recorded(tmp_path: Path) -> None:
    requests = [e for payload, e in ENTRIES if payload.kind == "request"]
    report = check([write_har(tmp_path / "requests.har", requests)])
    assert report.not_checked["no response (status 0)"] == len(requests)
    assert report.findings == []


@pytest.mark.parametrize(("stem", "reason"), sorted(KNOWN_FALSE.items()))
def test_intentionally_rejected_payloads_stay_excluded_for_their_reason(stem: str, reason: str, tmp_path: Path) -> None:
    """Left out of the catalogue above on purpose (tests/helpers/payloads.KNOWN_FALSE); checked, they still fail."""
    path = PUBLISHED / f"{stem}.json"
    assert reason
    body = json.loads(path.read_text())["payload"]
    har = write_har(tmp_path / "doc-bug.har", [entry("GET", url_for("get_mms_history"), response=body)])
    report = check([har])
    violations = {f.field for f in report.of(Category.VIOLATION)}
    assert "http_code" in violations  # the doc bug: "status" instead of "http_code"
    assert report.exit_code() == 1
