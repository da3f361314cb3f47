"""Emit ``clicksend_mms/request_rules.py``: the spec's request-body and parameter schemas as plain Python data.

The SDK checks every request body and every query/path parameter against these rules before anything is sent
(``clicksend_mms.request_check``): a misspelled key, a missing field, a wrong type, an over-long subject or a
``limit`` below ClickSend's minimum never reaches the wire. Emitting the rules
at generation time keeps the spec the only place they are written, and the installed client needs neither PyYAML
nor jsonschema. Only keywords the checker implements are emitted; any other keyword in a request schema stops
generation, so the spec cannot outgrow the checker unnoticed.
"""

from __future__ import annotations

import pprint
from pathlib import Path
from typing import Any

import yaml
from clicksend_mms_spec.ecma_regex import to_python
from openapi_python_client.strings import PythonIdentifier

from overrides.operation_inputs import short

MODULE = "request_rules.py"
# Keywords clicksend_mms.request_check enforces.
CHECKED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "enum",
    }
)
# Formats request_check knows (a unix time given in milliseconds gets a hint); any other stops generation too.
FORMATS = frozenset({"unix-time"})
# Keywords that document rather than constrain (contentEncoding is an annotation in JSON Schema 2020-12;
# x-clicksend-truncate says where ClickSend cuts a long body, which it keeps rather than refuses; a default is
# what ClickSend assumes when a parameter is left out).
DOCUMENTATION = frozenset(
    {"description", "example", "examples", "title", "default", "contentEncoding", "x-clicksend-truncate"}
)
_REF_PREFIX = "#/components/schemas/"
_PARAM_PREFIX = "#/components/parameters/"
_FIELD_PREFIX = "field_"  # openapi-python-client's default, as in overrides/config.yaml

_HEADER = '''"""The request-body rules of spec/clicksend-mms.yaml, for ``clicksend_mms.request_check``.

``SCHEMAS`` maps a component name to its rules (JSON Schema keywords; ``$ref`` names another entry,
``description`` is the first sentence of the spec's, used to explain a pattern in plain words).
``REQUEST_BODIES`` maps an operationId to the schema of its JSON body; ``PARAMETERS`` maps an operationId to its
query and path parameters as one object schema (keys are the wire names); ``PYTHON_NAMES`` maps a model's Python
attribute name to the wire key where the two differ (``from_`` -> ``from``). ``CROSS_RULES`` maps an operationId
to the rules JSON Schema cannot state (the spec's ``x-clicksend-rules``). A ``pattern`` is the spec's ECMA-262
pattern written as a Python ``re`` pattern that matches the same strings (``clicksend_mms_spec.ecma_regex``).
"""

from typing import Any, Final

'''


class UnsupportedRule(Exception):
    """A request schema uses a keyword the checker does not implement."""


def _ref_name(ref: str) -> str:
    if not ref.startswith(_REF_PREFIX):
        raise UnsupportedRule(f"request schemas may only $ref {_REF_PREFIX}*, got {ref!r}")
    return ref.removeprefix(_REF_PREFIX)


def _rules(schema: dict[str, Any], where: str, refs: list[str]) -> dict[str, Any]:
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        refs.append(name)
        return {"$ref": name}
    unknown = set(schema) - CHECKED - DOCUMENTATION - {"format"}
    if unknown:
        raise UnsupportedRule(f"{where}: request_check does not implement {sorted(unknown)}")
    if "format" in schema and schema["format"] not in FORMATS:
        raise UnsupportedRule(f"{where}: request_check does not know the format {schema['format']!r}")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _rules(sub, f"{where}.{name}", refs) for name, sub in value.items()}
        elif key == "items":
            out[key] = _rules(value, f"{where}[]", refs)
        elif key == "additionalProperties":
            if not isinstance(value, bool):
                raise UnsupportedRule(f"{where}: additionalProperties must be true or false")
            out[key] = value
        elif key == "required":
            out[key] = tuple(value)
        elif key == "description":
            out[key] = short(value)
        elif key == "pattern":
            out[key] = to_python(value)  # ECMA-262 (JSON Schema's dialect) as Python re: the same strings match
        elif key in CHECKED or key == "format":
            out[key] = value
    return out


def _parameter(spec: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    ref = parameter.get("$ref")
    if ref is None:
        return parameter
    if not ref.startswith(_PARAM_PREFIX):
        raise UnsupportedRule(f"parameters may only $ref {_PARAM_PREFIX}*, got {ref!r}")
    found: dict[str, Any] = spec["components"]["parameters"][ref.removeprefix(_PARAM_PREFIX)]
    return found


def _parameter_rules(spec: dict[str, Any], operation: dict[str, Any], refs: list[str]) -> dict[str, Any]:
    """An operation's query and path parameters as one object schema keyed by wire name."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for raw in operation.get("parameters", []):
        parameter = _parameter(spec, raw)
        if parameter["in"] not in ("query", "path"):
            raise UnsupportedRule(f"{operation['operationId']}: {parameter['in']} parameters are not checked")
        where = f"{operation['operationId']}({parameter['name']})"
        rules = _rules(parameter["schema"], where, refs)
        if "description" in parameter:  # the parameter's own words explain it better than its schema's
            rules["description"] = short(parameter["description"])
        properties[parameter["name"]] = rules
        if parameter.get("required"):
            required.append(parameter["name"])
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        out["required"] = tuple(required)
    return out


def request_rules(
    spec: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str], dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """(schemas, operationId -> body schema, operationId -> parameters schema, schema -> {python name: wire key})
    for every JSON request body and every operation's parameters."""
    bodies: dict[str, str] = {}
    parameters: dict[str, dict[str, Any]] = {}
    pending: list[str] = []
    parameter_refs: list[str] = []  # after the bodies' schemas, so SCHEMAS opens with the bodies
    for path_item in spec["paths"].values():
        if "parameters" in path_item:
            raise UnsupportedRule("path-level parameters are not emitted; declare them on each operation")
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            parameters[operation["operationId"]] = _parameter_rules(spec, operation, parameter_refs)
            if "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            bodies[operation["operationId"]] = _ref_name(schema["$ref"])
            pending.append(bodies[operation["operationId"]])
    pending.extend(parameter_refs)
    components = spec["components"]["schemas"]
    schemas: dict[str, Any] = {}
    python_names: dict[str, dict[str, str]] = {}
    while pending:
        name = pending.pop(0)
        if name in schemas:
            continue
        refs: list[str] = []
        schemas[name] = _rules(components[name], name, refs)
        renamed = {
            str(PythonIdentifier(value=key, prefix=_FIELD_PREFIX)): key
            for key in components[name].get("properties", {})
            if str(PythonIdentifier(value=key, prefix=_FIELD_PREFIX)) != key
        }
        if renamed:
            python_names[name] = renamed
        pending.extend(refs)
    return schemas, dict(sorted(bodies.items())), dict(sorted(parameters.items())), python_names


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schemas, bodies, parameters, python_names = request_rules(spec)

    def literal(value: object) -> str:
        return pprint.pformat(value, sort_dicts=False, width=110)

    return (
        _HEADER
        + f"SCHEMAS: Final[dict[str, dict[str, Any]]] = {literal(schemas)}\n\n"
        + f"REQUEST_BODIES: Final[dict[str, str]] = {literal(bodies)}\n\n"
        + f"PARAMETERS: Final[dict[str, dict[str, Any]]] = {literal(parameters)}\n\n"
        + f"PYTHON_NAMES: Final[dict[str, dict[str, str]]] = {literal(python_names)}\n\n"
        + f"CROSS_RULES: Final[dict[str, tuple[dict[str, Any], ...]]] = {literal(cross_rules(spec))}\n"
    )


CROSS_KINDS = frozenset({"not-after", "query-or-body"})  # what request_check implements


def cross_rules(spec: dict[str, Any]) -> dict[str, tuple[dict[str, Any], ...]]:
    """operationId -> its x-clicksend-rules entries (without the operation key); an unknown kind stops generation."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in spec.get("x-clicksend-rules", {}).get("rules", []):
        if entry["kind"] not in CROSS_KINDS:
            raise UnsupportedRule(f"x-clicksend-rules: request_check does not implement {entry['kind']!r}")
        rule = {key: (tuple(value) if isinstance(value, list) else value) for key, value in entry.items()}
        out.setdefault(str(rule.pop("operation")), []).append(rule)
    return {operation: tuple(rules) for operation, rules in sorted(out.items())}


def write_request_rules(spec_path: Path, package_dir: Path) -> Path:
    """Write the rules module into the generated package (formatted and stamped with the rest of it)."""
    target = package_dir / MODULE
    target.write_text(render(spec_path), encoding="utf-8")
    return target
