"""What the summary and the HTML report say about a run adds up: every filtered failure is recorded with its rule
and an example, schemathesis' "generated" and "skipped" are the summary's cases and follow-ups, and the cases a
check leaves out are accounted for. A short in-process run (the coverage phase: it sends the wrong methods and
Content-Types that the filter and the narrow checks are about)."""

from __future__ import annotations

from clicksend_mms_fuzz import boundaries, filtered, stats

from ._harness import operation_ids, run_engine, sandbox_app


def test_the_summary_accounts_for_every_request_and_every_filtered_failure() -> None:
    before = {rule["rule"]: rule["count"] for rule in filtered.summary()}
    # Every operation but the two that take the send body: the accounting is the same for any operation, and that
    # body's coverage cases (a 2,049-character URL, 1,001 messages) were most of this test's 15 s.
    operations = tuple(o for o in operation_ids() if o not in {"send_mms", "price_mms"})
    run = run_engine(sandbox_app(), max_examples=3, phases=("examples", "coverage"), operations=operations)
    run.finish()
    data = run.to_json()

    rules = {rule["rule"]: rule for rule in data["filtered_rules"]}
    dropped = {name: rule["count"] - before[name] for name, rule in rules.items()}
    assert sum(dropped.values()) == data["filtered"] > 0  # each failure schemathesis filtered has its rule
    wrong_method = rules[filtered.WRONG_METHOD_404.name]
    assert dropped[wrong_method["rule"]] > 0 and wrong_method["example"]["status"] == 404
    assert "NOT_FOUND" in wrong_method["example"]["response"] and "Authorization" not in str(wrong_method)

    cases = sum(data["cases_by_operation"].values())
    follow_ups = sum(data["followups_by_operation"].values())
    assert sum(data["cases_by_phase"].values()) == cases
    assert data["unjudged"] == {"follow_ups": follow_ups, "cases": 0}  # schemathesis' "skipped"
    # The checks schemathesis leaves out of the coverage cases that are no well-formed request are accounted for.
    assert data["narrow_cases"].get("Unspecified HTTP method", 0) > 0
    narrow = sum(data["narrow_cases"].values())
    assert cases - data["checks_run"]["response_schema_conformance"] == narrow
    assert data["narrow_checks"] == ["missing_required_header", "not_a_server_error", "unsupported_method"]

    text = " ".join(stats.render(data).split())  # as read, whatever the line wrapping
    assert f'{cases + follow_ups:,} "generated" = {cases:,} cases + {follow_ups:,} follow-ups' in text
    assert f"{narrow:,} coverage cases are no well-formed request" in text
    assert f"{wrong_method['rule']} (unsupported_method): {wrong_method['count']}" in text
    assert "why: the check wants 405" in text and "e.g. " in text

    # The boundary probes judge sides of rules, not cases: more sides than cases is no negative "n/a" (a short run
    # once printed "boundary_probe 24 -8").
    sides = [boundaries.Side("page", f"side {i}", True, "") for i in range(cases + 1)]
    boundaries.fold(data, sides)
    row = next(line.split() for line in stats.render(data).splitlines() if line.split()[:1] == [boundaries.CHECK])
    assert row[1:3] == [f"{cases + 1:,}", "(run)"], row
