"""A fuzz run's two JSON reports as the runner and schemathesis write them, with one failure quoting markup."""

from __future__ import annotations

from typing import Any

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"

STATS: dict[str, Any] = {
    "cases_by_operation": {"GET /mms/history": 120, "POST /mms/send": 80},
    "cases_by_phase": {"examples": 10, "coverage": 40, "fuzzing": 100, "stateful": 50},
    "followups_by_operation": {"GET /mms/history": 30, "POST /mms/send": 2},
    "ok_by_operation": {"GET /mms/history": 100, "POST /mms/send": 60},
    "checks_run": {"not_a_server_error": 200, "response_schema_conformance": 198, "rate_limit_burst": 1},
    "checks_failed": {"not_a_server_error": 3},
    "filtered": 12,
    "filtered_rules": [
        {
            "rule": "ClickSend's 404 for a wrong method",
            "check": "unsupported_method",
            "reason": "the check wants 405; ClickSend answers 404 NOT_FOUND",
            "count": 12,
            "example": {
                "request": "DELETE /v3/mms/send",
                "phase": "coverage",
                "case": "Unspecified HTTP method: DELETE",
                "status": 404,
                "response": '{"http_code":404,"response_code":"NOT_FOUND"}',
            },
        },
        {
            "rule": "positive case filed as negative",
            "check": "negative_data_rejection",
            "reason": "r",
            "count": 0,
            "example": None,
        },
    ],
    "unjudged": {"follow_ups": 32, "cases": 0},
    "narrow_cases": {"Unspecified HTTP method": 2},
    "narrow_checks": ["missing_required_header", "not_a_server_error", "unsupported_method"],
    "reach": {"cancel_mms": {"cases": 40, "reaching_a_stored_message": 31}},
    "rate_limit": {"requests": 13, "429": 2},
    "warnings": {"base_url_mismatch": ["PUT /mms/{message_id}/cancel"]},
    "failures": [
        {
            "operation": "POST /mms/send",
            "check": "not_a_server_error",
            "title": "Server error",
            "message": f"Received a response with 5xx status code: 500\n{HOSTILE}",
            "curl": "curl -X POST -H 'Authorization: [Filtered]' -d '{\"x\": \"</pre>\"}' http://127.0.0.1:1/mms/send",
            "count": 3,
        }
    ],
}
RUN: dict[str, Any] = {
    "schemathesis_version": "4.32.5",
    "seed": 42,
    "started_at": "2026-11-30T15:02:20.534538+00:00",
    "running_time": 14.9,
    "stop_reason": "max_time",
    "exit_code": 1,
    "phases": {
        "examples": {"status": "success", "skip_reason": None},
        "coverage": {"status": "success", "skip_reason": None},
        "fuzzing": {"status": "failure", "skip_reason": None},
        "stateful": {"status": "skipped", "skip_reason": "no links"},
    },
    "errors": [{"title": "Runtime Error", "count": 2}],
    "filtered": 12,
    "warnings": {"base_url_mismatch": ["PUT /mms/{message_id}/cancel"], "missing_auth": []},
}
