"""The coverage matrix (clicksend_mms_fuzz.matrix): derived from the spec, every row claimed, published in
fuzz/README.md, and a new parameter or field with no claim fails."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import clicksend_mms_spec
import pytest
from clicksend_mms_fuzz import config_file, credentials, floors, matrix
from clicksend_mms_fuzz.matrix import Row

from tests.mutants.catalog import every_mutant

README = Path(__file__).resolve().parents[2] / "fuzz" / "README.md"
BEGIN, END = matrix.README_BEGIN, matrix.README_END


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return clicksend_mms_spec.load()


def test_every_row_is_claimed_and_every_claim_names_a_row(spec: dict[str, Any]) -> None:
    assert len(matrix.rows(spec)) > 200
    assert matrix.uncovered(spec) == []
    assert matrix.stale_claims(spec) == []


def test_a_new_spec_parameter_or_field_without_a_claim_fails(spec: dict[str, Any]) -> None:
    planted = copy.deepcopy(spec)
    history = planted["paths"]["/mms/history"]["get"]
    history["parameters"].append({"name": "direction", "in": "query", "schema": {"type": "string"}})
    planted["components"]["schemas"]["CancelAllData"] = {
        "type": "object",
        "properties": {"count": {"type": "integer"}, "cancelled_ids": {"type": "array"}},
    }
    planted["paths"]["/mms/cancel-all"]["put"]["responses"]["200"] = {
        "description": "x",
        "content": {
            "application/json": {"schema": {"properties": {"data": {"$ref": "#/components/schemas/CancelAllData"}}}}
        },
    }
    assert matrix.uncovered(planted) == [
        Row("get_mms_history", "query", "direction"),
        Row("cancel_all_mms", "response", "data.cancelled_ids"),
    ]


def test_a_new_test_account_in_the_spec_is_a_security_row_without_a_claim(spec: dict[str, Any]) -> None:
    planted = copy.deepcopy(spec)
    planted["x-clicksend-testing"]["accounts"]["expired"] = "401 when the account expired"
    assert matrix.uncovered(planted) == [Row(matrix.SECURITY, "basicAuth", "account:expired")]


def test_each_claim_names_an_enabled_check_and_a_planted_bug_that_exists(spec: dict[str, Any]) -> None:
    enabled = set(config_file.enabled_checks())
    mutants = {m.name for m in every_mutant()}
    for row, claim in matrix.matrix(spec):
        assert claim is not None
        assert claim.oracle is None or claim.oracle in enabled, (row.key, claim.oracle)
        assert claim.mutant is None or claim.mutant in mutants, (row.key, claim.mutant)
        assert claim.mutant or claim.reason, f"{row.key}: neither a planted bug nor a reason"


def test_the_readme_publishes_the_current_matrix(spec: dict[str, Any]) -> None:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "fuzz/README.md lacks the matrix markers"
    published = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert published == matrix.markdown(spec).strip(), "stale: run `python -m clicksend_mms_fuzz.matrix --write`"


def test_credential_expectations_come_from_the_spec(spec: dict[str, Any]) -> None:
    ways = {way: (status, refuses) for way, _, status, refuses in credentials.expectations("me", "key")}
    assert ways["account:notactive"] == (401, False)
    assert ways["account:banned"] == (403, False)
    assert ways["account:nocredit"] == (None, True)
    rows = {row.name for row in matrix.rows(spec) if row.operation == matrix.SECURITY}
    assert set(ways) <= rows


def test_floors_name_what_is_under_them_and_the_cap() -> None:
    data = {
        "checks_enabled": ["a", "b", "rate_limit_burst"],
        "checks_run": {"a": floors.CHECK_FLOOR, "b": floors.CHECK_FLOOR - 1, "rate_limit_burst": 1},
        "rows_judged": {"r1": floors.ROW_FLOOR, "r2": 0},
        "capped": True,
        "cap_seconds": 9,
    }
    found = floors.shortfalls(data, {"r1": "a", "r2": "a"}, examples=None, default_examples=100)
    assert [(s.what, s.name) for s in found] == [("cap", "9"), ("check", "b"), ("row", "r2")]
    assert "UNDER FLOOR" in floors.render(found, strict=True)
    clean = dict(
        data, capped=False, checks_run={"a": 99, "b": 99, "rate_limit_burst": 1}, rows_judged={"r1": 9, "r2": 9}
    )
    assert floors.shortfalls(clean, {"r1": "a", "r2": "a"}, examples=None, default_examples=100) == []
    # a smaller budget, smaller floors
    assert floors.scale(floors.CHECK_FLOOR, 10, 100) < floors.CHECK_FLOOR
