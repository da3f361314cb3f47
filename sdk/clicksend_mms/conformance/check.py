"""Check one recorded exchange against its spec operation and sort what is wrong into the four categories.

Two passes over each JSON value, both driven by the spec:
- jsonschema validation: everything the spec forbids (category 1), reported at the deepest failing field;
- a walk of the value beside its schema: keys no schema declares (2), ``x-codec`` fields that the runtime codec of
  the same name cannot decode (3), and values outside a field's declared list, open (``x-extensible-enum``) or
  closed (``enum``) (4). A field the walk reports is not reported again as a violation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..codecs import WireFormatError
from .findings import ABSENT, Category, Finding, Report, json_type, render_path
from .har import Body, Exchange
from .spec import Match, Operation, Spec, pointer_join

Path = tuple[str | int, ...]
_WALKED = frozenset({"additionalProperties", "unevaluatedProperties"})  # reported as undeclared fields instead
_DECLARING = ("properties", "patternProperties", "additionalProperties")
_INTEGER = re.compile(r"^-?[0-9]+$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


class _Sink:
    """Findings of one value; ``handled`` are the paths the walk explained (no violation reported there)."""

    def __init__(self, operation: str, where: str, ref: str) -> None:
        self.operation, self.where, self.ref = operation, where, ref
        self.found: list[tuple[Finding, Any]] = []
        self.handled: set[Path] = set()

    def add(
        self, category: Category, path: Path, expected: str, value: Any, key: Any = "", field: str = "", **extra: Any
    ) -> None:
        if category is Category.UNDECLARED_FIELD:
            extra.setdefault("example", value)  # --suggest infers the new field's schema from it
        finding = Finding(
            category=category,
            operation=self.operation,
            where=self.where,
            field=field or render_path(path),
            expected=expected,
            seen=_excerpt(value),
            first=self.ref,
            first_field=field or render_path(path, generic=False),
            types=set() if value is ABSENT else {json_type(value)},
            **extra,
        )
        self.found.append((finding, key))

    def is_handled(self, path: Path) -> bool:
        return any(path[: len(done)] == done for done in self.handled)


class Checker:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def check(self, exchanges: Iterable[Exchange], report: Report) -> None:
        for exchange in exchanges:
            report.entries += 1
            self._exchange(exchange, report)

    def _exchange(self, ex: Exchange, report: Report) -> None:
        match = self.spec.match(ex.method, ex.url)
        if not isinstance(match, Match):
            path = self.spec.api_path(ex.url)
            report.unmatched[match or f"{ex.method.upper()} {path}: no such path in the spec"] += 1
            return
        report.checked += 1
        op = match.operation
        report.operations[op.operation_id] += 1
        request = self._request(ex, match, report)
        if request:
            if 400 <= ex.status < 500:
                report.refused += 1  # the server refused what the spec forbids: the spec was right
            else:
                for finding, key in request:
                    report.add(finding, key)
        for finding, key in self._response(ex, op, report):
            report.add(finding, key)

    # -- request ------------------------------------------------------------------------------------------
    def _request(self, ex: Exchange, match: Match, report: Report) -> list[tuple[Finding, Any]]:
        op = match.operation
        found: list[tuple[Finding, Any]] = []
        path_sink = _Sink(op.operation_id, "request path", ex.ref)
        query_sink = _Sink(op.operation_id, "request query", ex.ref)
        query: dict[str, str] = {}
        for name, value in ex.query:
            query.setdefault(name, value)
        declared_query = {p.name for p in op.parameters if p.location == "query"}
        for param in op.parameters:
            if param.location == "path":
                raw = match.path_params.get(param.name)
                if raw is not None:
                    self._value(_coerce(raw, self.spec.deref(param.schema)[1]), param.schema, path_sink, (param.name,))
            elif param.name in query:
                value = _coerce(query[param.name], self.spec.deref(param.schema)[1])
                self._value(value, param.schema, query_sink, (param.name,))
            elif param.required:
                query_sink.add(Category.VIOLATION, (param.name,), "required", ABSENT, "required")
        for name in sorted(set(query) - declared_query):
            query_sink.add(Category.UNDECLARED_FIELD, (name,), "not declared", query[name], target=op.pointer)
        body_sink = _Sink(op.operation_id, "request body", ex.ref)
        self._request_body(ex.request_body, op, body_sink, report)
        for sink in (path_sink, query_sink, body_sink):
            found += sink.found
        return found

    def _request_body(self, body: Body | None, op: Operation, sink: _Sink, report: Report) -> None:
        if body is None:
            if op.body_required:
                sink.add(Category.VIOLATION, (), "a JSON body (required)", ABSENT, "required")
            return
        if body.text is None or body.truncated:
            report.not_checked["request body " + ("truncated" if body.truncated else "not recorded")] += 1
            return
        if op.body_schema is None:
            sink.add(Category.UNDECLARED_FIELD, (), "no body declared", _parsed_or_text(body.text))
            return
        try:
            value = json.loads(body.text)
        except json.JSONDecodeError:
            sink.add(Category.VIOLATION, (), "JSON", body.text, "not-json")
            return
        self._value(value, op.body_schema, sink, ())

    # -- response -----------------------------------------------------------------------------------------
    def _response(self, ex: Exchange, op: Operation, report: Report) -> list[tuple[Finding, Any]]:
        sink = _Sink(op.operation_id, f"response {ex.status}", ex.ref)
        if ex.status == 0:
            report.not_checked["no response (status 0)"] += 1
            return []
        key = _status_key(op, ex.status)
        body = ex.response_body
        if key is None:
            declared = ", ".join(sorted(op.responses))
            example = _parsed_or_text(body.text) if body and body.text and not body.truncated else None
            target = pointer_join(op.pointer, "responses")
            sink.add(
                Category.UNDECLARED_VALUE, (), declared, ex.status, ex.status, "(HTTP status)", target=target,
                example=example,
            )  # fmt: skip
            return sink.found
        schema = op.responses[key]
        if schema is None:
            return []
        if body is None or body.text is None or body.truncated:
            report.not_checked["response body " + ("truncated" if body and body.truncated else "not recorded")] += 1
            return []
        try:
            value = json.loads(body.text)
        except json.JSONDecodeError:
            sink.add(Category.VIOLATION, (), "JSON", body.text, "not-json")
            return sink.found
        self._value(value, schema, sink, ())
        return sink.found

    # -- one JSON value against one schema ----------------------------------------------------------------
    def _value(self, value: Any, pointer: str, sink: _Sink, prefix: Path) -> None:
        _Walk(self.spec, sink).walk(value, pointer, prefix)
        seen_required: set[Path] = set()
        for error in self.spec.validator(pointer).iter_errors(value):
            for leaf in _leaves(error):
                if leaf.validator in _WALKED:
                    continue
                path: Path = prefix + tuple(leaf.absolute_path)
                if leaf.validator == "required":
                    for name in leaf.validator_value:
                        if isinstance(leaf.instance, dict) and name not in leaf.instance:
                            missing = (*path, name)
                            if missing not in seen_required and not sink.is_handled(missing):
                                seen_required.add(missing)
                                sink.add(Category.VIOLATION, missing, "required", ABSENT, "required")
                    continue
                if sink.is_handled(path):
                    continue
                expected = _expected(self.spec, leaf)
                sink.add(Category.VIOLATION, path, expected, leaf.instance, expected)


class _Walk:
    def __init__(self, spec: Spec, sink: _Sink) -> None:
        self.spec, self.sink = spec, sink

    def walk(self, value: Any, pointer: str, path: Path) -> None:
        pointer, node = self.spec.deref(pointer)
        codec_name = node.get("x-codec")
        if isinstance(codec_name, str) and not self._codec(value, codec_name, pointer, path):
            return
        vocabulary = self.spec.vocabulary(pointer)
        if vocabulary is not None and vocabulary.speaks(value):
            if not vocabulary.covers(value):
                declared = ", ".join(map(str, vocabulary.values))
                target = next((p for p in vocabulary.lists if _list_speaks(self.spec.node(p), value)), None)
                self.sink.add(Category.UNDECLARED_VALUE, path, declared, value, value, target=target)
                self.sink.handled.add(path)
            return
        if codec_name is not None:
            return  # a codec field is a leaf: its anyOf arms are spellings, not structure
        arms = self._arms(pointer, node, value)
        parts = [pointer_join(pointer, "allOf", i) for i in range(len(node.get("allOf", [])))]
        if isinstance(value, dict):
            self._object(value, [pointer, *arms, *parts], path)
        elif isinstance(value, list):
            for candidate in (pointer, *arms, *parts):
                items_pointer = pointer_join(self.spec.deref(candidate)[0], "items")
                if "items" in self.spec.deref(candidate)[1]:
                    for index, item in enumerate(value):
                        self.walk(item, items_pointer, (*path, index))
                    return
        else:
            for candidate in (*arms[:1], *parts):
                self.walk(value, candidate, path)

    def _arms(self, pointer: str, node: dict[str, Any], value: Any) -> list[str]:
        """The anyOf/oneOf arms that describe ``value``: those it is valid against, else those of its type."""
        arms = [pointer_join(pointer, key, i) for key in ("anyOf", "oneOf") for i in range(len(node.get(key, [])))]
        if not arms:
            return []
        valid = [a for a in arms if self.spec.is_valid(a, value)]
        return valid or [a for a in arms if _type_fits(self.spec.deref(a)[1], value)]

    def _object(self, value: dict[str, Any], branches: list[str], path: Path) -> None:
        schemas = [self.spec.deref(b) for b in branches]
        objects = [(p, n) for p, n in schemas if _type_fits(n, value) and not _composed(n)]
        if not objects:
            return  # nothing here expects an object: the type violation says so
        if any(not any(k in n for k in _DECLARING) for _, n in objects):
            return  # a free-form object (no properties at all): every key is as declared as any other
        owner = next((p for p, n in objects if "properties" in n), objects[0][0])
        for key, item in value.items():
            declared = self._declared(key, objects)
            if declared is not None:
                self.walk(item, declared, (*path, key))
            else:
                self.sink.add(Category.UNDECLARED_FIELD, (*path, key), "not declared", item, target=owner)

    def _declared(self, key: str, objects: list[tuple[str, dict[str, Any]]]) -> str | None:
        for pointer, node in objects:
            if key in node.get("properties", {}):
                return pointer_join(pointer, "properties", key)
        for pointer, node in objects:
            for pattern in node.get("patternProperties", {}):
                if re.search(pattern, key):
                    return pointer_join(pointer, "patternProperties", pattern)
        for pointer, node in objects:
            if isinstance(node.get("additionalProperties"), dict):
                return pointer_join(pointer, "additionalProperties")
        return None

    def _codec(self, value: Any, name: str, pointer: str, path: Path) -> bool:
        """Decode with the runtime codec the spec names; False (and a finding) when it cannot."""
        try:
            self.spec.codecs[name].decode(value)
        except WireFormatError as exc:
            expected = _describe(self.spec, self.spec.node(pointer))
            key = (name, json_type(value))
            self.sink.add(Category.UNKNOWN_VARIANT, path, expected, value, key, codec=name, detail=str(exc))
            self.sink.handled.add(path)
            return False
        return True


# -- helpers ----------------------------------------------------------------------------------------------


def _status_key(op: Operation, status: int) -> str | None:
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in op.responses:
            return key
    return None


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    """A query or path string as the JSON value the schema means (page=2 is the integer 2)."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "integer" in types and _INTEGER.match(raw):
        return int(raw)
    if "number" in types and _NUMBER.match(raw):
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    return raw


def _type_fits(node: dict[str, Any], value: Any) -> bool:
    declared = node.get("type")
    if declared is None:
        return True
    types = {declared} if isinstance(declared, str) else set(declared)
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


def _composed(node: dict[str, Any]) -> bool:
    """A bare anyOf/oneOf/allOf node: its arms, walked beside it, say what it declares."""
    return any(k in node for k in ("anyOf", "oneOf", "allOf")) and not any(k in node for k in _DECLARING)


def _list_speaks(values: Any, value: Any) -> bool:
    return isinstance(values, list) and any(type(v) is type(value) for v in values)


def _leaves(error: Any) -> Iterator[Any]:
    """The errors that say what is wrong: inside an anyOf, the arm that fitted the shape best, at its deepest."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        depth = len(error.absolute_path)
        arms: dict[Any, list[Any]] = {}
        for sub in error.context:
            arms.setdefault(sub.relative_schema_path[0], []).append(sub)
        deep = [errs for errs in arms.values() if all(len(e.absolute_path) > depth for e in errs)]
        if deep:
            for sub in min(deep, key=len):
                yield from _leaves(sub)
            return
    yield error


def _expected(spec: Spec, error: Any) -> str:
    validator, value = error.validator, error.validator_value
    if validator == "type":
        return " | ".join(value) if isinstance(value, list) else str(value)
    if validator in ("anyOf", "oneOf"):
        return " | ".join(_describe(spec, arm) for arm in value)
    if validator == "const":
        return f"= {json.dumps(value)}"
    if validator == "enum":
        return "one of " + ", ".join(map(json.dumps, value))
    if validator == "pattern":
        return f"matching {value}"
    return f"{validator} {json.dumps(value)}"


def _describe(spec: Spec, schema: Any) -> str:
    if not isinstance(schema, dict):
        return str(schema)
    if "$ref" in schema:
        pointer, node = spec.deref(schema["$ref"][1:])
        return spec.schema_name(pointer) or _describe(spec, node)
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(map(json.dumps, schema["enum"]))
    arms = schema.get("anyOf") or schema.get("oneOf")
    if arms:
        return " | ".join(_describe(spec, arm) for arm in arms)
    kind = schema.get("type", "any")
    text = " | ".join(kind) if isinstance(kind, list) else str(kind)
    if schema.get("maxLength") == 0:
        return '""'
    if "pattern" in schema:
        text += f" matching {schema['pattern']}"
    if "minimum" in schema:
        text += f" >= {schema['minimum']}"
    return text


def _excerpt(value: Any, limit: int = 120) -> Any:
    """The value as seen, cut for the report when it is long (nested containers become their JSON text)."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= limit else text[:limit] + "…"
    return value


def _parsed_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return _excerpt(text)
