"""Which entries are checked and how: matching by method and path, HAR from other tools, what is not checked."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest
from clicksend_mms.conformance import Category, HarError, check

from tests.conformance.har import entry, url_for, write_har
from tests.helpers.spec import ROOT

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
HISTORY = json.loads((SEEDS / "get_mms_history__200.json").read_text())
SEND_REQUEST = json.loads((SEEDS / "send_mms__request.json").read_text())
CANCELLED = {"http_code": 200, "response_code": "SUCCESS", "response_msg": "MMS has been cancelled.", "data": None}
BAD_HISTORY = copy.deepcopy(HISTORY)
BAD_HISTORY["data"]["data"][0]["message_id"] = 7  # a violation, to prove the entry was checked


@pytest.mark.parametrize(
    "url",
    [
        "https://rest.clicksend.com/v3/mms/history",
        "https://rest.clicksend.com/mms/history",
        "http://127.0.0.1:8765/v3/mms/history?page=1",
        "/v3/mms/history",
        "/mms/history",
        "mms/history/",
    ],
)
def test_entries_match_with_or_without_v3_absolute_or_relative(url: str, tmp_path: Path) -> None:
    report = check([write_har(tmp_path / "t.har", [entry("GET", url, response=BAD_HISTORY)])])
    assert report.checked == 1
    assert [f.operation for f in report.of(Category.VIOLATION)] == ["get_mms_history"]


def test_literal_paths_win_over_templates_and_path_params_are_checked(tmp_path: Path) -> None:
    entries = [
        entry("PUT", "/v3/mms/cancel-all", response={**CANCELLED, "data": {"count": 0}}),
        entry("PUT", "/v3/mms/ABC-123/cancel", response=CANCELLED),
        entry("PUT", "/v3/mms/not%20an%20id!/cancel", response=CANCELLED),
    ]
    report = check([write_har(tmp_path / "t.har", entries)])
    assert [(f.operation, f.where, f.field) for f in report.findings] == [("cancel_mms", "request path", "message_id")]


def test_unknown_paths_and_wrong_methods_are_counted_not_checked(tmp_path: Path) -> None:
    entries = [
        entry("GET", "https://rest.clicksend.com/v3/sms/history", response={"anything": 1}),
        entry("GET", "https://cdn.example.com/app.js", response_text="console.log(1)"),
        entry("DELETE", "/v3/mms/history", response={"http_code": 404}),
    ]
    report = check([write_har(tmp_path / "t.har", entries)])
    assert (report.entries, report.checked, report.findings) == (3, 0, [])
    assert report.unmatched == {
        "GET /sms/history: no such path in the spec": 1,
        "GET /app.js: no such path in the spec": 1,
        "DELETE is not declared on /mms/history": 1,
    }


def test_invalid_requests_refused_with_a_4xx_are_what_the_spec_predicts(tmp_path: Path) -> None:
    bad = {**SEND_REQUEST, "messages": [{**SEND_REQUEST["messages"][0], "subject": "x" * 21, "colour": "red"}]}
    refused = {"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": "Subject too long.", "data": None}
    report = check(
        [write_har(tmp_path / "t.har", [entry("POST", url_for("send_mms"), request=bad, status=400, response=refused)])]
    )
    assert (report.refused, report.findings) == (1, [])


def test_an_invalid_request_the_server_accepted_is_reported(tmp_path: Path) -> None:
    bad = {**SEND_REQUEST, "messages": [{**SEND_REQUEST["messages"][0], "subject": "x" * 21, "colour": "red"}]}
    answer = json.loads((SEEDS / "send_mms__200.json").read_text())
    report = check([write_har(tmp_path / "t.har", [entry("POST", url_for("send_mms"), request=bad, response=answer)])])
    assert sorted((f.category, f.where, f.field) for f in report.findings) == [
        (Category.VIOLATION, "request body", "messages[].subject"),
        (Category.UNDECLARED_FIELD, "request body", "messages[].colour"),
    ]


def test_missing_required_body_and_query_are_violations(tmp_path: Path) -> None:
    answer = json.loads((SEEDS / "send_mms__200.json").read_text())
    link = {"http_code": 200, "response_code": "SUCCESS", "response_msg": "ok", "data": {"url": "https://x/f"}}
    entries = [entry("POST", "/v3/mms/send", response=answer), entry("GET", "/v3/mms/history/export", response=link)]
    report = check([write_har(tmp_path / "t.har", entries)])
    assert sorted((f.operation, f.where, f.field, f.seen) for f in report.findings) == [
        ("export_mms_history", "request query", "filename", "(absent)"),
        ("send_mms", "request body", "(root)", "(absent)"),
    ]


def test_query_values_are_read_as_their_declared_types(tmp_path: Path) -> None:
    entries = [entry("GET", "/v3/mms/history?page=2&limit=15&date_from=1443501617", response=HISTORY)]
    assert check([write_har(tmp_path / "ok.har", entries)]).findings == []
    entries = [entry("GET", "/v3/mms/history?limit=ten", response=HISTORY)]
    (finding,) = check([write_har(tmp_path / "bad.har", entries)]).findings
    assert (finding.where, finding.field, finding.expected, finding.seen) == (
        "request query",
        "limit",
        "integer",
        "ten",
    )


def test_a_body_that_is_not_json_is_a_violation(tmp_path: Path) -> None:
    html = "<html><body>502 Bad Gateway</body></html>"
    report = check([write_har(tmp_path / "t.har", [entry("GET", "/v3/mms/history", status=500, response_text=html)])])
    assert [(f.category, f.where, f.expected, f.seen) for f in report.findings] == [
        (Category.VIOLATION, "response 500", "JSON", html)
    ]


def test_truncated_or_unrecorded_bodies_are_not_checked(tmp_path: Path) -> None:
    cut = entry("GET", "/v3/mms/history", response_text=json.dumps(BAD_HISTORY)[:200])
    cut["response"]["content"]["size"] = 9999  # a tool that cut the body without saying so
    flagged = entry("GET", "/v3/mms/history", response=BAD_HISTORY)
    flagged["response"]["content"]["_truncated"] = True
    missing = entry("GET", "/v3/mms/history", response=BAD_HISTORY)
    del missing["response"]["content"]["text"]  # browsers may leave bodies out
    report = check([write_har(tmp_path / "t.har", [cut, flagged, missing])])
    assert report.findings == []
    assert report.not_checked == {"response body truncated": 2, "response body not recorded": 1}


def test_base64_bodies_from_browsers_are_read(tmp_path: Path) -> None:
    browser = entry("GET", "https://rest.clicksend.com/v3/mms/history", response=BAD_HISTORY)
    content = browser["response"]["content"]
    content["text"], content["encoding"] = base64.b64encode(content["text"].encode()).decode(), "base64"
    browser["_resourceType"] = "xhr"  # Chrome's custom fields are ignored
    report = check([write_har(tmp_path / "t.har", [browser])])
    assert [f.field for f in report.findings] == ["data.data[].message_id"]


def test_the_fuzz_runs_failure_har_is_a_valid_input(tmp_path: Path) -> None:
    from clicksend_mms_fuzz.stats import har_entry
    from clicksend_mms_fuzz.stats import write_har as write_fuzz_har

    class Req:
        method, uri, headers, body = "GET", "http://127.0.0.1:9/mms/history?limit=15", {"Authorization": ["x"]}, None

    class Resp:
        status_code, message, headers, elapsed = 200, "OK", {}, 0.01
        content = json.dumps(BAD_HISTORY).encode()

    class Interaction:
        request, response = Req(), Resp()

    path = tmp_path / "fuzz-failures.har"
    write_fuzz_har([har_entry(Interaction(), "a check failed")], path)
    report = check([path])
    assert [f.field for f in report.findings] == ["data.data[].message_id"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe", "not JSON"), (b"[]", "no log.entries"), (b'{"log": {"entries": [{"request": {}}]}}', "#0")],
)
def test_files_that_are_not_har_are_named_with_the_reason(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    path.write_bytes(content)
    with pytest.raises(HarError, match=message) as raised:
        check([path])
    assert "x.har" in str(raised.value)
