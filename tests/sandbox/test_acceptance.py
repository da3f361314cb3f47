"""The compiled acceptance check (sandbox acceptance.py) says "valid" exactly where jsonschema finds no error.

Held against the sandbox's own validators on every request body the spec documents, each changed one field at a time
to values derived from that field's schema: every bound and its neighbours, each pattern's examples and near misses,
each enum value and near misses, every JSON type, the field left out, an unknown field added. Then each keyword the
spec's request schemas use is dropped from the compiler in turn, and the same values must expose it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from clicksend_mms_sandbox import acceptance
from clicksend_mms_sandbox.spec import Contract, load_spec

GENERIC: tuple[Any, ...] = (None, True, False, 0, -1, 1, 1.0, 1.5, -0.5, 2**63, -(2**63) - 1, 1e20, "", "a", [], {})


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(load_spec())


def _bodies(contract: Contract) -> Iterator[tuple[str, Any, Any]]:
    """(operation, its body schema as the sandbox validates it, a documented example body) for every example."""
    for op_id, op in contract.operations.items():
        if op.body_validator is None:
            continue
        content = contract._resolve(contract.spec["paths"][op.path][op.method]["requestBody"])["content"]
        media = content["application/json"]
        examples = [media["example"]] if "example" in media else []
        examples += [contract._resolve(e)["value"] for e in media.get("examples", {}).values()]
        assert examples, f"{op_id}: the spec documents no request example to start from"
        for example in examples:
            yield op_id, op.body_validator.schema, example


def _near(schema: dict[str, Any]) -> list[Any]:
    """Values on and around each of the schema's own assertions (what a wrong compiler would get wrong)."""
    values: list[Any] = list(GENERIC)
    for keyword, limit in schema.items():
        if keyword in ("minLength", "maxLength"):
            values += ["a" * n for n in (limit - 1, limit, limit + 1) if n >= 0]
            values += ["\N{GRINNING FACE}" * n for n in (limit, limit + 1)]  # code points, not UTF-16 units
        elif keyword in ("minimum", "maximum"):
            values += [limit - 1, limit, limit + 1, limit - 0.5, limit + 0.5, float(limit)]
        elif keyword == "enum":
            values += [*limit, *(str(v).upper() + " " for v in limit), *(str(v)[:-1] for v in limit)]
        elif keyword in ("examples", "example"):
            examples = limit if isinstance(limit, list) else [limit]
            values += [*examples, *(f"{e}\n" for e in examples), *(f" {e}" for e in examples)]
    for part in schema.get("allOf", []):
        values += _near(part)
    return values


def _variants(schema: dict[str, Any], value: Any) -> Iterator[Any]:
    """`value` changed in one place: itself, then each field (the schema's and the value's) replaced, removed or
    added, recursively; arrays at and around their length bounds, and their first item changed the same way."""
    yield value
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            for replacement in [*_near(sub), *(_variants(sub, value[name]) if name in value else ())]:
                yield {**value, name: replacement}
            if name in value:
                yield {k: v for k, v in value.items() if k != name}
        yield {**value, "not_a_field": "x"}
    if isinstance(value, list) and value:
        item_schema = schema.get("items", {})
        for bound in ("minItems", "maxItems"):
            if bound in schema:
                for n in (schema[bound] - 1, schema[bound], schema[bound] + 1):
                    yield [copy.deepcopy(value[0]) for _ in range(max(n, 0))]
        for changed in _variants(item_schema, value[0]):
            yield [changed, *value[1:]]


Case = tuple[str, dict[str, Any], Any, bool]  # operation, its body schema, a body, jsonschema's verdict on it


@pytest.fixture(scope="module")
def cases(contract: Contract) -> list[Case]:
    found: list[Case] = []
    for op_id, schema, example in _bodies(contract):
        validator = contract.operations[op_id].body_validator
        assert validator is not None
        found += [(op_id, schema, body, validator.is_valid(body)) for body in _variants(schema, example)]
    return found


def _disagreements(cases: list[Case], compile_check: Callable[[Any], Any]) -> list[str]:
    found: list[str] = []
    checks: dict[str, Any] = {}
    for op_id, schema, body, valid in cases:
        if op_id not in checks:
            checks[op_id] = compile_check(schema)
            assert checks[op_id] is not None, f"{op_id}: its request schema no longer compiles (the fast path is gone)"
        if checks[op_id](body) is not valid:
            found.append(f"{op_id}: compiled {not valid}, jsonschema {valid}: {str(body)[:160]}")
    return found


def test_the_compiled_check_agrees_with_jsonschema(cases: list[Case]) -> None:
    found = _disagreements(cases, acceptance.compile_check)
    assert not found, "\n".join(found[:20])
    verdicts = [valid for *_, valid in cases]
    assert verdicts.count(True) > 50 and verdicts.count(False) > 500  # both sides of every schema were exercised


def _asserting_keywords(contract: Contract) -> set[str]:
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            used.update(k for k in node if k not in acceptance._ANNOTATIONS and not k.startswith("x-"))
            for key, value in node.items():
                if key in ("properties",):
                    for sub in value.values():
                        walk(sub)
                elif key in ("items", "allOf", "additionalProperties"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for _, schema, _ in _bodies(contract):
        walk(schema)
    return used - {"properties"}


def test_dropping_any_keyword_from_the_compiler_is_caught(
    contract: Contract, cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planted bug per keyword: the compiler ignores it. The differential above must then disagree."""
    keywords = _asserting_keywords(contract)
    assert {"type", "required", "additionalProperties", "maxLength", "minimum", "pattern", "enum"} <= keywords
    real = acceptance._keyword
    for dropped in sorted(keywords):
        with monkeypatch.context() as patch:
            patch.setattr(
                acceptance,
                "_keyword",
                lambda keyword, value, schema, dropped=dropped: (
                    (lambda _v: True) if keyword == dropped else real(keyword, value, schema)
                ),
            )
            found = _disagreements(cases, acceptance.compile_check)
        assert found, f"a compiler that ignores {dropped!r} went unnoticed"


def test_an_unknown_assertion_keyword_is_never_compiled() -> None:
    """Conservative: a keyword it does not implement leaves jsonschema to judge, rather than being ignored."""
    assert acceptance.compile_check({"type": "string", "maxLength": 3}) is not None
    assert acceptance.compile_check({"type": "string", "not": {"const": "x"}}) is None
    assert acceptance.compile_check({"type": "object", "properties": {"a": {"multipleOf": 2}}}) is None
    assert acceptance.compile_check({"enum": [1, True]}) is None  # JSON equality of numbers and booleans differs
