"""A fuzz run's two JSON reports as the runner and schemathesis write them, with one failure quoting markup."""

from __future__ import annotations

from typing import Any

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"

STATS: dict[str, Any] = {
    "cases_by_operation": {"GET /mms/history": 120, "POST /mms/send": 80},
    "cases_by_phase": {"examples": 10, "coverage": 40, "fuzzing": 100, "stateful": 50},
    "checks_run": {"not_a_server_error": 200, "response_schema_conformance": 198},
    "checks_failed": {"not_a_server_error": 3},
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
