"""The filter rule for a blank optional body drops exactly that failure: whitespace sent to an operation whose body
the spec makes optional. Real schemathesis cases and responses, judged by the hook the fuzz run uses."""

from __future__ import annotations

import clicksend_mms_spec
import pytest
import requests
import schemathesis
from clicksend_mms_fuzz import hooks
from schemathesis.core.transport import Response


def _answered(method: str, path: str, sent: bytes) -> Response:
    prepared = requests.Request(method, f"http://127.0.0.1:1/v3{path}", data=sent).prepare()
    answer = requests.Response()
    answer.status_code, answer._content, answer.request = 200, b"{}", prepared
    answer.headers["Content-Type"] = "application/json"
    return Response.from_requests(answer, verify=True)


@pytest.mark.parametrize(
    ("method", "path", "sent", "dropped"),
    [
        ("PUT", "/mms/receipts-read", b"\n", True),  # optional body, whitespace only: read as none
        ("PUT", "/mms/receipts-read", b" \t\r\n ", True),
        ("PUT", "/mms/receipts-read", b"\n{", False),  # malformed, not blank: still a failure
        ("POST", "/mms/send", b"\n", False),  # the body is required: a blank one must be refused
    ],
)
def test_only_a_blank_body_where_the_body_is_optional_is_dropped(
    method: str, path: str, sent: bytes, dropped: bool
) -> None:
    schema = schemathesis.openapi.from_dict(clicksend_mms_spec.load())
    case = schema[path][method].Case()
    assert hooks._blank_optional_body(case, _answered(method, path, sent)) is dropped
