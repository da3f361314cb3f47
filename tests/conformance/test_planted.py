"""Planted deviations from the spec: each is reported in its own category and nowhere else, exits as documented,
and --suggest's patch declares exactly what can be declared."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms.conformance import Category, Report, check
from clicksend_mms.conformance.spec import Spec, default_spec
from clicksend_mms.conformance.suggest import apply_merge_patch, merge_patch, suggest

from tests.conformance.har import entry, url_for, write_har
from tests.helpers.spec import ROOT

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SEND_REQUEST = json.loads((SEEDS / "send_mms__request.json").read_text())
SEND_ANSWER = json.loads((SEEDS / "send_mms__200.json").read_text())
HISTORY_ANSWER = json.loads((SEEDS / "get_mms_history__200.json").read_text())


def _send(mutate: Any = None, status: int = 200, body: Any = None) -> dict[str, Any]:
    answer = copy.deepcopy(SEND_ANSWER) if body is None else body
    if mutate is not None:
        mutate(answer["data"]["messages"][0])
    return entry("POST", url_for("send_mms"), request=SEND_REQUEST, status=status, response=answer)


def _set(key: str, value: Any) -> Any:
    return lambda message: message.__setitem__(key, value)


TEAPOT = {"http_code": 418, "response_code": "I_AM_A_TEAPOT", "response_msg": "No coffee.", "data": None}
# name -> (entry, category, field, seen)
PLANTED: dict[str, tuple[dict[str, Any], Category, str, Any]] = {
    "unknown field": (
        _send(_set("is_shared_system_number", True)),
        Category.UNDECLARED_FIELD,
        "data.messages[].is_shared_system_number",
        True,
    ),
    "new status value": (
        _send(_set("status", "QUEUED_FOR_REVIEW")),
        Category.UNDECLARED_VALUE,
        "data.messages[].status",
        "QUEUED_FOR_REVIEW",
    ),
    "object where money should be": (
        _send(_set("message_price", {"amount": "2.42", "currency": "AUD"})),
        Category.UNKNOWN_VARIANT,
        "data.messages[].message_price",
        {"amount": "2.42", "currency": "AUD"},
    ),
    "undeclared 418": (_send(status=418, body=TEAPOT), Category.UNDECLARED_VALUE, "(HTTP status)", 418),
    "integer message_id": (
        _send(_set("message_id", 123456)),
        Category.VIOLATION,
        "data.messages[].message_id",
        123456,
    ),
    "new response_code": (
        _send(body={**SEND_ANSWER, "response_code": "QUEUED"}),
        Category.UNDECLARED_VALUE,
        "response_code",
        "QUEUED",
    ),
    "new history status": (
        entry(
            "GET",
            url_for("get_mms_history"),
            response={
                **HISTORY_ANSWER,
                "data": {
                    **HISTORY_ANSWER["data"],
                    "data": [{**HISTORY_ANSWER["data"]["data"][0], "status": "Queued:Carrier"}],
                },
            },
        ),
        Category.UNDECLARED_VALUE,
        "data.data[].status",
        "Queued:Carrier",
    ),
}


def _report(tmp_path: Path, *entries: dict[str, Any]) -> Report:
    return check([write_har(tmp_path / "planted.har", list(entries))])


@pytest.mark.parametrize("name", PLANTED)
def test_each_planted_deviation_lands_in_its_category_only(name: str, tmp_path: Path) -> None:
    har_entry, category, field, seen = PLANTED[name]
    report = _report(tmp_path, har_entry)
    assert [(f.category, f.field, f.seen) for f in report.findings] == [(category, field, seen)]
    finding = report.findings[0]
    assert (finding.operation, finding.first) == (
        "send_mms" if "history" not in name else "get_mms_history",
        "planted.har#0",
    )
    expected_exit = 1 if category in (Category.VIOLATION, Category.UNKNOWN_VARIANT) else 0
    assert report.exit_code() == expected_exit
    assert report.exit_code(strict=True) == 1


def test_the_money_variant_is_named_by_its_codec_and_explained(tmp_path: Path) -> None:
    (finding,) = _report(tmp_path, PLANTED["object where money should be"][0]).findings
    assert finding.codec == "money"
    assert "money" in finding.detail and "dict" in finding.detail  # the runtime codec's own words
    assert "Money" not in finding.expected and "number" in finding.expected  # the spec's Money schema, spelled out


def test_violation_says_field_expected_and_seen(tmp_path: Path) -> None:
    (finding,) = _report(tmp_path, PLANTED["integer message_id"][0]).findings
    assert (finding.where, finding.expected, finding.first_field) == (
        "response 200",
        "string",
        "data.messages[0].message_id",
    )


def test_undeclared_values_list_what_is_declared(tmp_path: Path) -> None:
    status = _report(tmp_path, PLANTED["new status value"][0]).findings[0]
    assert "SUCCESS" in status.expected and "INVALID_RECIPIENT" in status.expected
    teapot = _report(tmp_path, PLANTED["undeclared 418"][0]).findings[0]
    assert teapot.expected.split(", ") == ["200", "400", "401", "403", "404", "413", "429", "500"]


def test_findings_are_counted_with_their_first_example(tmp_path: Path) -> None:
    twice = _send(lambda m: m.update(is_shared_system_number=False))
    report = _report(tmp_path, PLANTED["unknown field"][0], twice, _send())
    (finding,) = report.findings
    assert (finding.count, finding.seen, finding.first) == (2, True, "planted.har#0")
    assert finding.types == {"boolean"}


def test_a_closed_enum_outside_value_is_an_undeclared_value(tmp_path: Path) -> None:
    limited = {"http_code": 429, "response_code": "RATE_LIMITED", "response_msg": "Slow down.", "data": None}
    report = _report(tmp_path, _send(status=429, body=limited))
    assert [(f.category, f.field, f.seen) for f in report.findings] == [
        (Category.UNDECLARED_VALUE, "response_code", "RATE_LIMITED")
    ]


def test_suggested_patch_declares_fields_and_values_and_leaves_the_rest_to_a_human(tmp_path: Path) -> None:
    import yaml

    entries = [planted[0] for planted in PLANTED.values()]
    report = _report(tmp_path, *entries)
    spec = default_spec()
    text = suggest(report, spec)
    patch = yaml.safe_load(text)
    assert "! schema violation data.messages[].message_id" in text
    assert "! unknown wire variant data.messages[].message_price" in text
    schemas = patch["components"]["schemas"]
    assert schemas["MmsMessageResult"]["properties"]["is_shared_system_number"]["type"] == "boolean"
    assert "QUEUED_FOR_REVIEW" in schemas["MmsMessageResult"]["properties"]["status"]["x-extensible-enum"]
    assert schemas["ResponseCode"]["x-extensible-enum"] == ["SUCCESS", "QUEUED"]
    assert "418" in patch["paths"]["/mms/send"]["post"]["responses"]

    patched = Spec(apply_merge_patch(spec.document, patch))
    after = check([tmp_path / "planted.har"], patched)
    assert {f.category for f in after.findings} == {Category.VIOLATION, Category.UNKNOWN_VARIANT}
    assert after.exit_code(strict=True) == 1 and after.exit_code() == 1
    assert merge_patch(spec.document, patched.document) == patch  # the patch is exactly the difference


def test_suggest_declares_an_undeclared_query_parameter(tmp_path: Path) -> None:
    import yaml

    url = url_for("get_mms_history") + "?limit=15&include_deleted=1"
    report = _report(tmp_path, entry("GET", url, response=HISTORY_ANSWER))
    assert [(f.category, f.where, f.field) for f in report.findings] == [
        (Category.UNDECLARED_FIELD, "request query", "include_deleted")
    ]
    spec = default_spec()
    patched = Spec(apply_merge_patch(spec.document, yaml.safe_load(suggest(report, spec))))
    assert check([tmp_path / "planted.har"], patched).findings == []
