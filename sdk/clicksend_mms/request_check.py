"""Check a request body and its query/path parameters against the spec's rules before anything is sent.

The rules are ``request_rules.py``, emitted from spec/clicksend-mms.yaml by ``make generate``; this module is the
small interpreter of the JSON Schema keywords they use (the generator refuses any keyword it does not handle, so
nothing in the spec is skipped silently). Every problem is collected, not just the first, each with its place
(``messages[3].subject``) and what is wrong in plain words.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Mapping
from typing import Any

from .exceptions import InvalidRequestError
from .request_rules import CROSS_RULES, PARAMETERS, PYTHON_NAMES, REQUEST_BODIES, SCHEMAS

_TYPE_NAMES = {
    "object": "an object (a dict)",
    "array": "a list",
    "string": "text (a str)",
    "integer": "a whole number (an int)",
    "number": "a number",
    "boolean": "true or false",
    "null": "None",
}
_SHOWN = 40  # characters of a value quoted in a message


@dataclasses.dataclass(frozen=True)
class Problem:
    """One way the body breaks the rules: where (``path``), which keyword (``rule``) and what is wrong."""

    path: tuple[str | int, ...]
    rule: str
    message: str

    @property
    def location(self) -> str:
        """``messages[3].subject``; ``(body)`` for the body itself."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "(body)"

    @property
    def index(self) -> int | None:
        """The message's position in the list it came in (for a message-level problem)."""
        return next((part for part in self.path if isinstance(part, int)), None)

    @property
    def key(self) -> str | None:
        """The key at fault (``subject``), None for a problem with a whole value."""
        return self.path[-1] if self.path and isinstance(self.path[-1], str) else None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def check(operation_id: str, body: Any) -> list[Problem]:
    """Every problem of ``body`` as the JSON body of ``operation_id`` (an empty list when it is valid)."""
    problems: list[Problem] = []
    _check({"$ref": REQUEST_BODIES[operation_id]}, body, (), problems, None)
    return problems


def require_valid(operation_id: str, body: Any, *, advice: str | None = None) -> None:
    """Raise ``InvalidRequestError`` (nothing was sent) unless ``body`` is a valid body for ``operation_id``."""
    problems = check(operation_id, body)
    if problems:
        raise InvalidRequestError(problems, advice=advice)


def check_parameters(operation_id: str, params: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the query and path parameters given to ``operation_id``, by wire name (``limit``);
    a parameter given as None is left out of the request, so it is not checked."""
    problems: list[Problem] = []
    given = {name: value for name, value in params.items() if value is not None}
    _check(PARAMETERS[operation_id], given, (), problems, None)
    return problems


def require_valid_parameters(operation_id: str, **params: Any) -> None:
    """Raise ``InvalidRequestError`` (nothing was sent) unless the parameters are valid for ``operation_id``."""
    problems = check_parameters(operation_id, params)
    problems += check_cross(operation_id, params, None)
    if problems:
        raise InvalidRequestError(problems)


def check_cross(operation_id: str, params: Mapping[str, Any], body: Any) -> list[Problem]:
    """The rules JSON Schema cannot state (the spec's ``x-clicksend-rules``), over the parameters (wire names, None
    meaning left out) and the body. ``body=None``: the body is not known here, so body-side rules are skipped."""
    problems: list[Problem] = []
    given = {name: value for name, value in params.items() if value is not None}
    for cross in CROSS_RULES.get(operation_id, ()):
        inputs = cross["inputs"]
        if cross["kind"] == "not-after":
            first, second = (given.get(name) for name in inputs)
            # A wrong type is the schema's problem, not this rule's.
            if _is(first, "number") and _is(second, "number") and first > second:  # type: ignore[operator]
                problems.append(Problem((cross["field"],), "not-after", f"{second} is before {inputs[0]} {first}"))
        elif cross["kind"] == "query-or-body" and body is not None:
            in_body = isinstance(body, Mapping) and inputs[0] in body
            if inputs[0] not in given and not in_body:
                problems.append(
                    Problem((cross["field"],), "query-or-body", "missing: give it as a parameter or in the body")
                )
    return problems


def rule(operation_id: str, *path: str, keyword: str) -> Any:
    """A rule from the spec, e.g. ``rule("send_mms", "messages", keyword="maxItems")`` -> 1000.

    ``path`` names properties; ``"items"`` steps into a list's items. KeyError if the spec has no such rule.
    """
    rules = _resolve({"$ref": REQUEST_BODIES[operation_id]})
    for step in path:
        rules = _resolve(rules["items"] if step == "items" else rules["properties"][step])
    return rules[keyword]


def parameter_rule(operation_id: str, name: str, keyword: str) -> Any:
    """A parameter's rule from the spec, e.g. ``parameter_rule("get_mms_history", "limit", "minimum")`` -> 15.

    KeyError if the spec has no such rule.
    """
    declared = PARAMETERS[operation_id]["properties"][name]
    if keyword in declared:  # the parameter's own words (its description) before its schema's
        return declared[keyword]
    return _resolve(declared)[keyword]


def _resolve(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in rules:
        rules = SCHEMAS[rules["$ref"]]
    return rules


def _check(
    rules: Mapping[str, Any],
    value: Any,
    path: tuple[str | int, ...],
    out: list[Problem],
    model: str | None,
    *,
    required: bool = False,
) -> None:
    while "$ref" in rules:
        model = rules["$ref"]
        rules = SCHEMAS[model]
    kinds = rules.get("type")
    if kinds is not None:
        allowed = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        if not any(_is(value, kind) for kind in allowed):
            expected = " or ".join(_TYPE_NAMES.get(kind, kind) for kind in allowed)
            hint = ""
            if value is None and path and isinstance(path[-1], str):  # a key given as None
                hint = f"; {path[-1]} is required" if required else " (leave the key out to omit it)"
            out.append(Problem(path, "type", f"must be {expected}, got {_describe(value)}{hint}"))
            return
    if "enum" in rules and value not in rules["enum"]:
        choices = ", ".join(repr(choice) for choice in rules["enum"])
        out.append(Problem(path, "enum", f"got {_show(value)}; expected one of {choices}"))
        return
    if isinstance(value, str):
        _check_text(rules, value, path, out)
    elif _is(value, "number"):
        _check_number(rules, value, path, out)
    elif isinstance(value, Mapping):
        _check_object(rules, value, path, out, model)
    elif isinstance(value, list | tuple):
        _check_list(rules, value, path, out, model)


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        # JSON Schema: 5.0 is an integer, True is not.
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, list | tuple)
    return kind == "null" and value is None


def _check_text(rules: Mapping[str, Any], value: str, path: tuple[str | int, ...], out: list[Problem]) -> None:
    pattern = rules.get("pattern")  # already the Python form of the spec's ECMA-262 pattern (request_rules.py)
    if pattern is not None and not _compiled(pattern).search(value):
        about = rules.get("description")
        expected = about[0].lower() + about[1:] if about else f"text matching {pattern}"
        out.append(Problem(path, "pattern", f"got {_show(value)}; expected {expected}"))
        return
    shortest, longest = rules.get("minLength"), rules.get("maxLength")
    if shortest is not None and len(value) < shortest:
        message = "must not be empty" if not value else f"{len(value)} characters, at least {shortest} required"
        out.append(Problem(path, "minLength", message))
    elif longest is not None and len(value) > longest:
        out.append(Problem(path, "maxLength", f"{len(value)} characters, at most {longest} allowed"))


def _check_number(rules: Mapping[str, Any], value: float, path: tuple[str | int, ...], out: list[Problem]) -> None:
    lowest, highest = rules.get("minimum"), rules.get("maximum")
    if lowest is not None and value < lowest:
        out.append(Problem(path, "minimum", f"{value} is below the minimum {lowest}"))
    elif highest is not None and value > highest:
        hint = ""
        seconds = int(value // 1000)
        # JavaScript's Date.now() and Java's currentTimeMillis() give milliseconds; the spec's unix times are seconds.
        if rules.get("format") == "unix-time" and (lowest or 0) <= seconds <= highest:
            hint = f": that looks like a unix time in milliseconds, and this field takes seconds ({seconds})"
        out.append(Problem(path, "maximum", f"{value} is above the maximum {highest}{hint}"))


def _check_object(
    rules: Mapping[str, Any],
    value: Mapping[Any, Any],
    path: tuple[str | int, ...],
    out: list[Problem],
    model: str | None,
) -> None:
    declared: Mapping[str, Any] = rules.get("properties", {})
    if rules.get("additionalProperties") is False:
        for key in value:
            if key not in declared:
                out.append(Problem((*path, str(key)), "additionalProperties", _unknown_key(key, declared, model)))
    for name in rules.get("required", ()):
        if name not in value:
            out.append(Problem((*path, name), "required", "missing (required)"))
    required = rules.get("required", ())
    for name, sub in declared.items():
        if name in value:
            _check(sub, value[name], (*path, name), out, None, required=name in required)


def _check_list(
    rules: Mapping[str, Any],
    value: list[Any] | tuple[Any, ...],
    path: tuple[str | int, ...],
    out: list[Problem],
    model: str | None,
) -> None:
    fewest, most = rules.get("minItems"), rules.get("maxItems")
    if fewest is not None and len(value) < fewest:
        out.append(Problem(path, "minItems", "is empty" if not value else f"{len(value)} given, at least {fewest}"))
    elif most is not None and len(value) > most:
        out.append(Problem(path, "maxItems", f"{len(value)} given, at most {most} per request"))
    items = rules.get("items")
    if items is not None:
        for index, item in enumerate(value):
            _check(items, item, (*path, index), out, model)


def _unknown_key(key: object, declared: Mapping[str, Any], model: str | None) -> str:
    if not isinstance(key, str):
        return f"unknown key {key!r}: keys are text; allowed: {', '.join(declared)}"
    wire = PYTHON_NAMES.get(model or "", {}).get(key)
    if wire is not None:
        return f"unknown key; write {wire!r} ({key!r} is the model's Python attribute name, a dict takes wire names)"
    by_lower = {name.lower(): name for name in declared}
    close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {by_lower[close[0]]!r}?"
    return f"unknown key; allowed: {', '.join(declared)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, Mapping | list | tuple):
        return f"{type(value).__name__} of {len(value)} item(s)"
    return f"{type(value).__name__} {_show(value)}"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
