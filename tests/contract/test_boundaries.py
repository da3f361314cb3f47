"""The boundary probes on an unmodified sandbox: every side of every rule as the spec says (the planted bugs that
each side catches are tests/mutants/catalog.py's boundary mutants); a failing side fails the run's statistics."""

from __future__ import annotations

from collections import Counter

from clicksend_mms_fuzz import boundaries, sandboxes
from clicksend_mms_fuzz.target import SANDBOX_API_KEY, SANDBOX_USERNAME, sandbox_server


def test_every_side_of_every_boundary_holds_on_the_sandbox() -> None:
    with sandbox_server(*sandboxes._ACCOUNT, *sandboxes._LIFECYCLE, *sandboxes.seed_flags()) as url:
        sides = boundaries.run(url, SANDBOX_USERNAME, SANDBOX_API_KEY)
    assert [s for s in sides if not s.ok] == []
    boundaries_judged = {
        "page",
        "credit",
        "cancel",
        *(f"body ({alphabet})" for alphabet in boundaries.body_limits()),
        "magic recipient",
        "lifecycle",
        "receipts-read",
    }
    assert {s.boundary for s in sides} == boundaries_judged
    per_boundary = Counter(s.boundary for s in sides)
    assert all(count >= 2 for count in per_boundary.values()), per_boundary  # both sides of each (credit: three)


def test_a_side_on_the_wrong_side_of_its_rule_is_a_failure_of_the_run() -> None:
    data: dict[str, object] = {"checks_run": {}, "checks_failed": {}, "failures": []}
    sides = [boundaries.Side("credit", "balance == price", False, "refused"), boundaries.Side("page", "x", True, "")]
    boundaries.fold(data, sides)
    assert data["checks_run"] == {boundaries.CHECK: 2}
    assert data["checks_failed"] == {boundaries.CHECK: 1}
    assert [f["title"] for f in data["failures"]] == ["credit: balance == price"]  # type: ignore[attr-defined]


def test_the_scheduled_status_is_the_specs() -> None:
    import clicksend_mms_spec

    schemas = clicksend_mms_spec.load()["components"]["schemas"]
    statuses = [
        s["properties"]["status"].get("x-extensible-enum", [])
        for s in schemas.values()
        if "status" in s.get("properties", {})
    ]
    assert any(boundaries.SCHEDULED in known for known in statuses)
