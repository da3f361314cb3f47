"""``spec_rules_hold``: the rules JSON Schema cannot state, read from the spec's ``x-clicksend-rules``, judged on
every case of their operation.

Each rule names its operation, a ``kind``, the ``inputs`` it relates and the field-keyed 400 it answers. Kinds:
``not-after`` (when both inputs are given, the first is not greater than the second) and ``query-or-body`` (the
input is given as a query parameter, as a body field, or both). What the request did to a rule is decided here,
from the spec's words, not from the sandbox's code (which would share its bugs):

- a request that breaks a rule is never accepted (2xx);
- a request that keeps every rule is never refused with a rule's own message under its field.

A kind this module does not know fails the run at once: a new kind in the spec needs its oracle here.
"""

from __future__ import annotations

import functools
from typing import Any

import clicksend_mms_spec
from schemathesis import CheckContext, Response

from . import wire
from .probes import PASSED, SKIP, AnyCase, operation_id

KINDS = frozenset({"not-after", "query-or-body"})


@functools.cache
def rules_by_operation() -> dict[str, tuple[dict[str, Any], ...]]:
    rules: list[dict[str, Any]] = clicksend_mms_spec.load().get("x-clicksend-rules", {}).get("rules", [])
    unknown = {rule["kind"] for rule in rules} - KINDS
    if unknown:
        raise ValueError(f"x-clicksend-rules: no oracle for the kind(s) {sorted(unknown)} (cross_rules.py)")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for rule in rules:
        grouped.setdefault(rule["operation"], []).append(rule)
    return {operation: tuple(found) for operation, found in grouped.items()}


def _integer(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.lstrip("-").isdigit():
        return int(raw)
    return None


def broken(rule: dict[str, Any], query: dict[str, Any], body: object) -> bool | None:
    """Whether the request breaks the rule; None when the spec's words do not decide it (an input that is not a
    number where the rule compares numbers)."""
    names: list[str] = rule["inputs"]
    if rule["kind"] == "not-after":
        if any(name not in query for name in names):
            return False
        first, second = (_integer(query[name]) for name in names)
        if first is None or second is None:
            return None
        return first > second
    name = names[0]  # query-or-body
    return name not in query and not (isinstance(body, dict) and name in body)


def _refused_by(rule: dict[str, Any], response: Response) -> bool:
    """The response is the rule's own 400: its message under its field."""
    if response.status_code != 400:
        return False
    data = wire.envelope_data(response.content)
    if not isinstance(data, dict):
        return False
    said = data.get(rule["field"])
    messages = said if isinstance(said, list) else [said]
    return rule["message"] in messages


def spec_rules_hold(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    rules = rules_by_operation().get(operation_id(case), ())
    if not rules:
        return SKIP
    query = dict(case.query or {})
    body = case.body if isinstance(case.body, dict) else None
    judged = False
    for rule in rules:
        verdict = broken(rule, query, body)
        if verdict is None:
            continue
        judged = True
        if verdict and 200 <= response.status_code < 300:
            raise AssertionError(
                f"the request breaks the spec's rule ({rule['kind']} {rule['inputs']}: {rule['message']}), "
                f"yet the API accepted it ({response.status_code})"
            )
        if not verdict and _refused_by(rule, response):
            raise AssertionError(
                f"the request keeps the spec's rule ({rule['kind']} {rule['inputs']}), yet the API refused it with "
                f"the rule's own 400 ({rule['field']}: {rule['message']})"
            )
    return PASSED if judged else SKIP
