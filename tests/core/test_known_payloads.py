"""Every example in the spec, and every ClickSend payload we have, validates against its operation's schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import spec
from tests.helpers.payloads import KNOWN_FALSE, POSTMAN_PLACEHOLDER, PUBLISHED, PUBLISHED_MAP, known_payloads


def _spec_examples() -> list[tuple[str, str, str, Any]]:
    """(id, operation, kind, value) for every example embedded in the spec."""
    found = []
    for op in spec.operations():
        media_types: list[tuple[str, dict[str, Any]]] = []
        if "requestBody" in op.body:
            media_types.append(("request", spec.resolve(op.body["requestBody"])["content"]["application/json"]))
        for status, response in op.body["responses"].items():
            content = spec.resolve(response).get("content", {})
            if "application/json" in content:
                media_types.append((status, content["application/json"]))
        for kind, media in media_types:
            if "example" in media:
                found.append((f"{op.operation_id}-{kind}", op.operation_id, kind, media["example"]))
            for name, example in media.get("examples", {}).items():
                value = spec.resolve(example)["value"]
                found.append((f"{op.operation_id}-{kind}-{name}", op.operation_id, kind, value))
    return found


SPEC_EXAMPLES = _spec_examples()
PAYLOADS = list(known_payloads())


def _errors(operation_id: str, kind: str, body: Any) -> list[str]:
    if kind == "request":
        return spec.request_errors(operation_id, body)
    return spec.response_errors(operation_id, kind, body)


def test_spec_has_examples_for_every_operation_success() -> None:
    with_success_example = {op for _, op, kind, _ in SPEC_EXAMPLES if kind == "200"}
    assert with_success_example == {op.operation_id for op in spec.operations()}


@pytest.mark.parametrize(
    ("operation_id", "kind", "value"), [e[1:] for e in SPEC_EXAMPLES], ids=[e[0] for e in SPEC_EXAMPLES]
)
def test_spec_example_matches_its_schema(operation_id: str, kind: str, value: Any) -> None:
    assert _errors(operation_id, kind, value) == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.name for p in PAYLOADS])
def test_published_payload_matches_its_schema(payload: Any) -> None:
    assert _errors(payload.operation_id, payload.kind, payload.body) == []


def test_every_payload_source_is_covered() -> None:
    names = {p.name for p in PAYLOADS}
    assert {"seeds/get_mms_history__200", "seeds/send_mms__200", "seeds/send_mms__request"} <= names
    assert sum(n.startswith("apisguru/") for n in names) >= 13
    published = {p.stem for p in PUBLISHED.glob("*.json")}
    assert published == set(PUBLISHED_MAP) | set(KNOWN_FALSE), "a new published example needs a mapping"
    assert {n.split("/", 1)[1] for n in names if n.startswith("published/")} == set(PUBLISHED_MAP)


def test_doc_bug_history_stays_rejected() -> None:
    path = PUBLISHED / "sms_history__200-doc-bug__clicksend-docs-v6.json"
    errors = spec.response_errors("get_mms_history", 200, json.loads(path.read_text())["payload"])
    assert any("http_code" in e for e in errors)


def test_postman_placeholder_is_not_a_media_url() -> None:
    body = {"media_file": POSTMAN_PLACEHOLDER, "messages": [{"to": "+61411111111", "subject": "s", "body": "b"}]}
    assert any("media_file" in e for e in spec.request_errors("send_mms", body))


MEDIA = "https://x.test/a.gif"


def _send(**message: Any) -> dict[str, Any]:
    return {"media_file": MEDIA, "messages": [{"subject": "s", "body": "b", **message}]}


@pytest.mark.parametrize(
    ("operation_id", "body", "field"),
    [
        ("send_mms", {"media_file": MEDIA, "messages": []}, "messages"),
        ("send_mms", _send(subject="x" * 21), "subject"),
        ("send_mms", _send(body=1501), "body"),  # a body is text; a long one is truncated, not refused
        ("send_mms", {**_send(), "media_file": "ftp://x.test/a.gif"}, "media_file"),
        ("send_mms", _send(bogus=1), "bogus"),
        ("mark_mms_receipts_read", {"date_before": "yesterday"}, "date_before"),
    ],
)
def test_request_limits_are_enforced(operation_id: str, body: Any, field: str) -> None:
    errors = spec.request_errors(operation_id, body)
    assert errors and any(field in e for e in errors), errors
