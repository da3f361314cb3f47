"""A fast "valid" for a request value: a spec schema compiled into plain Python checks that answer True only when
jsonschema would find no error. False (an invalid value) or no check at all (the schema uses a keyword this
compiler does not know) sends the value to jsonschema, which names the errors (spec.field_errors).

Why: most requests are valid, and jsonschema walks every message's fields keyword by keyword through its own
machinery. On a 1,000-message send that was about 40% of the sandbox's time, and each optional field a client adds
(a custom_string per message, say) cost the whole sandbox several per cent of its throughput.

The compiled check is conservative by construction: an assertion keyword it does not implement makes the whole
schema uncompilable (None), never silently ignored. tests/sandbox/test_acceptance.py holds it to jsonschema's verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clicksend_mms_spec.ecma_regex import compile_ecma

Check = Callable[[Any], bool]

# Keywords that assert nothing under Draft 2020-12 as spec.py builds its validators (no format checker, so `format`
# and `contentEncoding` only annotate), and the spec's own x-... extensions.
_ANNOTATIONS = frozenset(
    {"description", "examples", "example", "default", "format", "contentEncoding", "title", "deprecated", "$comment"}
)

_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    # jsonschema's integer: an int that is not a bool, or a float with no fractional part (1.0)
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


class Unsupported(Exception):
    """The schema uses something the compiler does not implement: jsonschema alone must judge it."""


def compile_check(schema: Any) -> Check | None:
    """A check for `schema`, or None when it cannot be compiled faithfully."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return lambda _value: True
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema)[:80])
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword == "properties":
            continue
        checks.append(_keyword(keyword, value, schema))
    if "properties" in schema:
        properties: dict[str, Check] = {name: _compile(sub) for name, sub in schema["properties"].items()}

        def check_properties(value: Any) -> bool:
            if isinstance(value, dict):
                for name, item in value.items():  # the value's few keys, not the schema's many
                    sub = properties.get(name)
                    if sub is not None and not sub(item):
                        return False
            return True

        checks.append(check_properties)
    return _every(checks)


def _every(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)

    def check(value: Any) -> bool:
        for one in every:  # noqa: SIM110 - a loop, not all(generator): this runs per field of every message
            if not one(value):
                return False
        return True

    return check


def _keyword(keyword: str, value: Any, schema: dict[str, Any]) -> Check:
    if keyword == "type":
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or any(name not in _TYPES for name in names):
            raise Unsupported(f"type {value!r}")
        kinds = tuple(_TYPES[name] for name in names)
        return kinds[0] if len(kinds) == 1 else lambda v: any(kind(v) for kind in kinds)
    if keyword == "enum":
        # Strings only: they compare as plain Python (JSON equality's bool-is-not-1 rule never arises).
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise Unsupported("enum of non-strings")
        allowed = frozenset(value)
        return lambda v: isinstance(v, str) and v in allowed
    if keyword in ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"):
        return _bound(keyword, value)
    if keyword == "pattern":
        regex = compile_ecma(value)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None
    if keyword == "required":
        names = tuple(value)
        return lambda v: not isinstance(v, dict) or all(name in v for name in names)
    if keyword == "additionalProperties":
        if value is True:
            return lambda _v: True
        if value is not False or "patternProperties" in schema:
            raise Unsupported("additionalProperties other than false")
        known = frozenset(schema.get("properties", {}))
        return lambda v: not isinstance(v, dict) or known.issuperset(v)
    if keyword == "items":
        item = _compile(value)

        def check_items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item(x):
                        return False
            return True

        return check_items
    if keyword == "allOf":
        return _every([_compile(sub) for sub in value])
    raise Unsupported(keyword)


def _bound(keyword: str, limit: Any) -> Check:
    if not _is_number(limit):
        raise Unsupported(f"{keyword} {limit!r}")
    if keyword == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= limit
    if keyword == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= limit
    if keyword == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= limit
    if keyword == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= limit
    if keyword == "minimum":
        return lambda v: not _is_number(v) or v >= limit
    return lambda v: not _is_number(v) or v <= limit  # maximum
