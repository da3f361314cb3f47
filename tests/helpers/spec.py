"""The spec as test data: load it once, find an operation's request/response schema, validate payloads.

Used by every test folder that checks "does this payload tell the truth per spec/".
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import clicksend_mms_spec
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = clicksend_mms_spec.path()
_SPEC_URI = "urn:clicksend-mms-spec"
METHODS = ("get", "put", "post", "delete", "patch")


@functools.cache
def load_spec() -> dict[str, Any]:
    return clicksend_mms_spec.load()


@functools.cache
def _registry() -> Registry:
    resource: Resource[Any] = DRAFT202012.create_resource(load_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (responses, parameters, examples) to the object it names."""
    while "$ref" in node:
        target: Any = load_spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    pointer: str  # JSON pointer of the operation object inside the spec
    body: dict[str, Any]


def operations() -> Iterator[Operation]:
    for path, item in load_spec()["paths"].items():
        for method in METHODS:
            if method in item:
                escaped = path.replace("~", "~0").replace("/", "~1")
                yield Operation(item[method]["operationId"], method, path, f"/paths/{escaped}/{method}", item[method])


def operation(operation_id: str) -> Operation:
    for op in operations():
        if op.operation_id == operation_id:
            return op
    raise KeyError(operation_id)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=_registry())


def response_schema(operation_id: str, status: int | str) -> dict[str, Any]:
    response = resolve(operation(operation_id).body["responses"][str(status)])
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def request_schema(operation_id: str) -> dict[str, Any]:
    body = resolve(operation(operation_id).body["requestBody"])
    schema: dict[str, Any] = body["content"]["application/json"]["schema"]
    return schema


def _errors(schema: dict[str, Any], payload: Any) -> list[str]:
    # The schema holds local "#/components/..." refs: point them at the spec document so they resolve.
    validator = _validator({"$id": "urn:probe", "allOf": [_rebase(schema)]})
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(payload)]


def _rebase(node: Any) -> Any:
    """Point local refs at the spec resource (the probe schema has its own base URI)."""
    if isinstance(node, dict):
        return {k: (f"{_SPEC_URI}{v}" if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def response_errors(operation_id: str, status: int | str, payload: Any) -> list[str]:
    return _errors(response_schema(operation_id, status), payload)


def request_errors(operation_id: str, payload: Any) -> list[str]:
    return _errors(request_schema(operation_id), payload)


def assert_valid_response(operation_id: str, status: int | str, payload: Any) -> None:
    errors = response_errors(operation_id, status, payload)
    if errors:
        raise ValidationError(f"{operation_id} {status} does not match the spec:\n  " + "\n  ".join(errors))


def parameter_errors(operation_id: str, name: str, value: Any) -> list[str]:
    """jsonschema's verdict on one query or path parameter's value (its schema as the spec declares it)."""
    for raw in operation(operation_id).body.get("parameters", []):
        parameter = resolve(raw)
        if parameter["name"] == name:
            return _errors(parameter["schema"], value)
    raise KeyError(f"{operation_id} has no parameter {name!r}")
