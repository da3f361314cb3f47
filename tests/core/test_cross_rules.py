"""The rules JSON Schema cannot state live in one place, the spec's ``x-clicksend-rules``: the sandbox and the SDK's
input check enforce each from there, and nowhere else (without the list, neither refuses)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from clicksend_mms import request_rules
from clicksend_mms.request_check import check_cross
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.spec import Contract, OperationContract
from clicksend_mms_sandbox.testing import DEFAULT
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport

from tests.helpers.spec import load_spec

RULES: list[dict[str, Any]] = load_spec()["x-clicksend-rules"]["rules"]
GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"  # a 1x1 gif


def _operation(operation_id: str) -> tuple[str, str, dict[str, Any]]:
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return method.upper(), path, operation
    raise KeyError(operation_id)


def _cases(rule: dict[str, Any]) -> tuple[tuple[dict[str, Any], Any], list[tuple[dict[str, Any], Any]]]:
    """(a request breaking the rule, requests keeping it): (query parameters, JSON body or None)."""
    _, _, operation = _operation(rule["operation"])
    body: Any = None
    if "requestBody" in operation:
        body = {"content": GIF}  # the one operation with a body among the rules (upload_media) needs only this
    if rule["kind"] == "not-after":
        first, second = rule["inputs"]
        return ({first: 20, second: 10}, body), [({first: 10, second: 20}, body), ({first: 10, second: 10}, body)]
    (name,) = rule["inputs"]
    value = _enum_value(rule["operation"], name)
    return ({}, body), [({name: value}, body), ({}, {**body, name: value}), ({name: value}, {**body, name: value})]


def _enum_value(operation_id: str, name: str) -> Any:
    declared = request_rules.PARAMETERS[operation_id]["properties"][name]
    return declared["enum"][0]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    transport = SandboxTransport(create_app())
    with httpx.Client(base_url=IN_PROCESS_URL, transport=transport, auth=DEFAULT.basic_auth) as http:
        yield http


def _send(client: httpx.Client, rule: dict[str, Any], params: dict[str, Any], body: Any) -> httpx.Response:
    method, path, _ = _operation(rule["operation"])
    return client.request(method, path, params=params, json=body)


def test_the_spec_lists_the_rules_the_issue_named() -> None:
    assert {(r["operation"], r["kind"]) for r in RULES} >= {
        ("get_mms_history", "not-after"),
        ("upload_media", "query-or-body"),
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r['operation']}-{r['kind']}")
def test_the_sandbox_enforces_each_rule_from_the_spec(rule: dict[str, Any], client: httpx.Client) -> None:
    broken, kept = _cases(rule)
    answer = _send(client, rule, *broken)
    assert answer.status_code == 400, answer.text
    assert answer.json()["data"] == {rule["field"]: rule["message"]}, answer.text
    for params, body in kept:
        assert _send(client, rule, params, body).status_code == 200, (params, body)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r['operation']}-{r['kind']}")
def test_the_sdk_check_enforces_each_rule_from_the_spec(rule: dict[str, Any]) -> None:
    broken, kept = _cases(rule)
    problems = check_cross(rule["operation"], *broken)
    assert [(p.path, p.rule) for p in problems] == [((rule["field"],), rule["kind"])], problems
    for params, body in kept:
        assert check_cross(rule["operation"], params, body) == [], (params, body)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r['operation']}-{r['kind']}")
def test_without_the_list_the_sandbox_refuses_nothing(
    rule: dict[str, Any], client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planted bug: the sandbox ignores x-clicksend-rules. No second copy of a rule may then refuse."""
    monkeypatch.setattr(OperationContract, "cross_rule_errors", lambda *_args: {})
    broken, _ = _cases(rule)
    assert _send(client, rule, *broken).status_code == 200


def test_a_kind_the_sandbox_does_not_know_stops_it() -> None:
    spec = load_spec()
    unknown = {**spec, "x-clicksend-rules": {"rules": [{**RULES[0], "kind": "sum-below"}]}}
    with pytest.raises(ValueError, match="sum-below"):
        Contract(unknown)
