"""Response schemas from spec/, flattened so a JSON-schema generator and validator can use them alone."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import clicksend_mms_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Marks where an inlined schema came from, so a walker can tell which anyOf branch a model belongs to.
REF_KEY = "x-ref"


@functools.cache
def load_spec() -> dict[str, Any]:
    return clicksend_mms_spec.load()


def _resolve(pointer: str) -> tuple[str, Any]:
    node: Any = load_spec()
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part]
    return pointer.rsplit("/", 1)[-1], node


def inline(node: Any) -> Any:
    """Replace every local $ref by its target (the spec has no recursive schemas), keeping the name in x-ref."""
    if isinstance(node, dict):
        if "$ref" in node:
            name, target = _resolve(node["$ref"])
            resolved = inline(target)
            return {**resolved, REF_KEY: name} if isinstance(resolved, dict) else resolved
        # `example`/`examples` are annotations; dropping them keeps generated strategies' reprs short.
        return {k: inline(v) for k, v in node.items() if k not in ("example", "examples")}
    if isinstance(node, list):
        return [inline(v) for v in node]
    return node


def iter_responses() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operationId, tag, status, inlined JSON schema) for every documented JSON response."""
    for item in load_spec()["paths"].values():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for status, response in operation["responses"].items():
                resolved = inline(response)
                schema = resolved.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    yield operation["operationId"], operation["tags"][0], status, schema


def api_module(operation_id: str, tag: str) -> ModuleType:
    return importlib.import_module(f"clicksend_mms.api.{tag.lower()}.{operation_id}")


def component(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = inline({"$ref": f"#/components/schemas/{name}"})
    return schema
