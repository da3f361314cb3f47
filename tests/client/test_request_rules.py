"""The request rules come from the spec, and the small checker judges bodies exactly as JSON Schema does.

The oracle is jsonschema over spec/clicksend-mms.yaml itself (tests/helpers/spec.py): for any body, "no problems"
from ``clicksend_mms.request_check`` must mean "valid" there, and every problem must point where jsonschema does.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from clicksend_mms import request_rules
from clicksend_mms.request_check import check, rule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overrides.request_rules import UnsupportedRule
from overrides.request_rules import request_rules as emit
from tests.helpers.spec import load_spec, request_errors

MESSAGE_KEYS = list(load_spec()["components"]["schemas"]["MmsMessageInput"]["properties"])
# Strings around every length limit of the request schemas, plus URLs and codes that patterns care about.
EDGES = sorted({n + d for n in (1, 2, 4, 8, 20, 32, 50, 255, 1500, 2048) for d in (-1, 0, 1) if n + d >= 0} | {0, 3})
POOL: list[Any] = [
    None,
    True,
    False,
    *(-1, 0, 1, 2, 99999999999, 100000000000, 1.0, 2.5, -0.0),
    *("x" * n for n in EDGES),
    *("https://example.com/cat.jpg", "HTTP://e.co/x", "ftp://e.com/a", "cat.jpg", "https://a b", "https://"),
    *("AU", "au", "AUS", "A1", "QUJD", "QUJD==", "QUJD===", "not base64!"),
    [],
    [1],
    {},
    {"a": 1},
]
values = st.one_of(st.sampled_from(POOL), st.text(max_size=25), st.integers(min_value=-3, max_value=10**12))
message = st.dictionaries(st.sampled_from([*MESSAGE_KEYS, "shedule", "from_", "Subject"]), values, max_size=6)
good_message = st.fixed_dictionaries({"subject": st.just("Hi"), "body": st.just("Hello")}, optional={"to": values})
send_body = st.dictionaries(
    st.sampled_from(["media_file", "messages", "extra"]),
    st.one_of(values, st.lists(st.one_of(message, good_message, values), max_size=3)),
    max_size=3,
)


def places(errors: list[str]) -> set[str]:
    return {error.split(":", 1)[0] for error in errors}


def problem_places(body: Any, operation_id: str) -> set[str]:
    out = set()
    for problem in check(operation_id, body):
        # jsonschema reports an unknown key and a missing one at the object that has (or lacks) it.
        path = problem.path[:-1] if problem.rule in ("additionalProperties", "required") else problem.path
        out.add("/".join(map(str, path)) or "<root>")
    return out


VALID = {"to": "+61411111111", "subject": "Hi", "body": "Hello"}
SWEEPS = [
    *(("send_mms", ("messages", 0, key)) for key in MESSAGE_KEYS),
    ("send_mms", ("media_file",)),
    ("send_mms", ("messages",)),
    ("send_mms", ("messages", 0)),
    ("upload_media", ("content",)),
    ("mark_mms_receipts_read", ("date_before",)),
]
BASES: dict[str, Any] = {
    "send_mms": {"media_file": "https://example.com/cat.jpg", "messages": [VALID]},
    "upload_media": {"content": "QUJD"},
    "mark_mms_receipts_read": {},
}


def with_value(base: Any, path: tuple[str | int, ...], value: Any) -> Any:
    body = copy.deepcopy(base)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("operation_id", "path"), SWEEPS, ids=lambda p: p if isinstance(p, str) else "/".join(map(str, p))
)
def test_every_field_against_every_edge_value(operation_id: str, path: tuple[str | int, ...]) -> None:
    """Each field of each request body, set to each value around its limits, types and patterns."""
    pool = [*POOL, [VALID] * 1000, [VALID] * 1001] if path == ("messages",) else POOL
    wrong = []
    for value in pool:
        body = with_value(BASES[operation_id], path, value)
        expected = request_errors(operation_id, body)
        if problem_places(body, operation_id) != places(expected):
            wrong.append((repr(value)[:40], [str(p) for p in check(operation_id, body)], expected))
    assert wrong == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=send_body)
def test_send_body_judged_like_json_schema(body: dict[str, Any]) -> None:
    expected = request_errors("send_mms", body)
    assert (check("send_mms", body) == []) == (expected == [])
    assert problem_places(body, "send_mms") == places(expected)


@settings(max_examples=200, deadline=None)
@given(body=st.one_of(values, st.dictionaries(st.sampled_from(["content", "date_before", "x"]), values, max_size=2)))
def test_other_bodies_judged_like_json_schema(body: Any) -> None:
    for operation_id in ("upload_media", "mark_mms_receipts_read"):
        assert (check(operation_id, body) == []) == (request_errors(operation_id, body) == [])


def test_emitted_rules_are_the_specs() -> None:
    schemas, bodies, _, python_names = emit(load_spec())
    assert schemas == request_rules.SCHEMAS
    assert (
        bodies
        == request_rules.REQUEST_BODIES
        == {
            "mark_mms_receipts_read": "MarkReceiptsReadRequest",
            "price_mms": "SendMmsRequest",
            "send_mms": "SendMmsRequest",
            "upload_media": "UploadRequest",
        }
    )
    assert python_names == request_rules.PYTHON_NAMES


def test_a_changed_limit_in_the_spec_changes_the_rules() -> None:
    spec = copy.deepcopy(load_spec())
    spec["components"]["schemas"]["MmsMessageInput"]["properties"]["subject"]["maxLength"] = 5
    schemas, _, _, _ = emit(spec)
    assert schemas["MmsMessageInput"]["properties"]["subject"]["maxLength"] == 5
    assert rule("send_mms", "messages", "items", "subject", keyword="maxLength") == 20  # the committed spec's


@pytest.mark.parametrize(
    "keyword", [{"anyOf": [{"type": "string"}]}, {"format": "uri"}, {"additionalProperties": {"type": "string"}}]
)
def test_a_keyword_the_checker_lacks_stops_generation(keyword: dict[str, Any]) -> None:
    spec = copy.deepcopy(load_spec())
    spec["components"]["schemas"]["MmsMessageInput"]["properties"]["subject"].update(keyword)
    with pytest.raises(UnsupportedRule):
        emit(spec)


def test_the_unix_time_format_reaches_the_rules() -> None:
    # The millisecond hint keys on the spec's `format: unix-time`, not on a field name kept here.
    assert rule("send_mms", "messages", "items", "schedule", keyword="format") == "unix-time"
    assert rule("mark_mms_receipts_read", "date_before", keyword="format") == "unix-time"
    body = {**BASES["send_mms"], "messages": [{**VALID, "list_id": 2**64}]}  # not a unix time: no such hint
    [problem] = check("send_mms", body)
    assert problem.rule == "maximum" and "milliseconds" not in problem.message
    spec = copy.deepcopy(load_spec())
    del spec["components"]["schemas"]["MmsMessageInput"]["properties"]["schedule"]["format"]
    assert "format" not in emit(spec)[0]["MmsMessageInput"]["properties"]["schedule"]


def test_help_and_errors_use_the_short_form_which_names_no_other_layer() -> None:
    # The reference's cross-reference to the upload operation stays in the long form (tests/core checks every one).
    text = rule("send_mms", "media_file", keyword="description")
    assert "upload_media" not in text and "SDK" not in text and "CLI" not in text
