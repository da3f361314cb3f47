"""The contract, loaded once: request-body and parameter validators compiled at start-up."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import clicksend_mms_spec
from clicksend_mms_spec.ecma_regex import compile_ecma
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .acceptance import Check, compile_check

_SPEC_URI = "urn:clicksend-mms-spec"
METHODS = ("get", "put", "post", "delete", "patch")
CROSS_KINDS = frozenset({"not-after", "query-or-body"})  # the x-clicksend-rules kinds the sandbox enforces


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """JSON Schema's `pattern` with ECMA-262 semantics (jsonschema's own uses Python's `re` dialect as it is)."""
    if validator.is_type(instance, "string") and not compile_ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 whose patterns mean what they mean in ECMA-262 (every JSON Schema tool outside Python).
EcmaValidator = cast(
    type[Draft202012Validator],
    validators.extend(Draft202012Validator, {"pattern": _ecma_pattern}),  # type: ignore[no-untyped-call]
)


@functools.cache
def load_spec() -> dict[str, Any]:
    return clicksend_mms_spec.load()


def base_path(spec: dict[str, Any]) -> str:
    """Where ClickSend serves the API: the path of the spec's first server (`/v3` of https://rest.clicksend.com/v3)."""
    return urlsplit(str(spec["servers"][0]["url"])).path.rstrip("/")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query" or "path"
    required: bool
    is_integer: bool
    validator: Draft202012Validator


@dataclass(frozen=True)
class OperationContract:
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body_validator: Draft202012Validator | None
    body_required: bool
    cross_rules: tuple[dict[str, Any], ...] = ()  # the spec's x-clicksend-rules of this operation
    # True only for a body body_validator finds no error in (acceptance.py); None: the validator alone judges.
    body_check: Check | None = None

    def body_errors(self, body: Any) -> dict[str, str]:
        """field_errors of the body: none at once when the compiled check accepts it, else jsonschema's."""
        if self.body_validator is None or (self.body_check is not None and self.body_check(body)):
            return {}
        return field_errors(self.body_validator, body)

    def cross_rule_errors(self, params: dict[str, Any], body: Any) -> dict[str, str]:
        """The field-keyed 400 messages of the x-clicksend-rules this request breaks (params already valid)."""
        errors: dict[str, str] = {}
        for rule in self.cross_rules:
            names = rule["inputs"]
            if rule["kind"] == "not-after":
                first, second = (params.get(name) for name in names)
                broken = first is not None and second is not None and first > second
            else:  # query-or-body
                broken = names[0] not in params and not (isinstance(body, dict) and names[0] in body)
            if broken:
                errors.setdefault(rule["field"], rule["message"])
        return errors


class Contract:
    """Validators for every operation of the spec, keyed by operationId."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.base_path = base_path(spec)
        resource: Resource[Any] = DRAFT202012.create_resource(spec)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self.operations: dict[str, OperationContract] = {}
        for path, item in spec["paths"].items():
            for method in METHODS:
                if method in item:
                    op = item[method]
                    self.operations[op["operationId"]] = self._compile(method, path, op)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        try:
            # Local refs inlined once: validating then never resolves a reference (about 40% less time per body).
            return EcmaValidator(self._inline(schema, ()))
        except _NotInlinable:
            return self.registry_validator(schema)

    def registry_validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        """The reference validator: refs resolved through the registry on every use (slower; same errors)."""
        return EcmaValidator({"$id": "urn:probe", "allOf": [_rebase(schema)]}, registry=self._registry)

    def _inline(self, node: Any, trail: tuple[str, ...]) -> Any:
        """`node` with every local $ref replaced by its target. A $ref with sibling keywords becomes an allOf in
        the $ref's place (the same assertions in the same order, so the same errors come out in the same order)."""
        if isinstance(node, list):
            return [self._inline(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref is None:
            return {key: self._inline(value, trail) for key, value in node.items()}
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in trail or "allOf" in node:
            raise _NotInlinable(ref)  # remote, recursive or awkward: keep the registry
        target = self._inline(self._resolve({"$ref": ref}), (*trail, ref))
        if len(node) == 1:
            return target
        return {
            ("allOf" if key == "$ref" else key): ([target] if key == "$ref" else self._inline(value, trail))
            for key, value in node.items()
        }

    def _compile(self, method: str, path: str, op: dict[str, Any]) -> OperationContract:
        params: list[Parameter] = []
        for raw in op.get("parameters", []):
            param = self._resolve(raw)
            schema = param["schema"]
            resolved = self._resolve(schema)
            params.append(
                Parameter(
                    name=param["name"],
                    location=param["in"],
                    required=bool(param.get("required", False)),
                    is_integer=resolved.get("type") == "integer",
                    validator=self._validator(schema),
                )
            )
        body_validator = None
        body_required = False
        if "requestBody" in op:
            body = self._resolve(op["requestBody"])
            body_required = bool(body.get("required", False))
            body_validator = self._validator(body["content"]["application/json"]["schema"])
        rules = tuple(
            r for r in self.spec.get("x-clicksend-rules", {}).get("rules", []) if r["operation"] == op["operationId"]
        )
        unknown = {r["kind"] for r in rules} - CROSS_KINDS
        if unknown:
            raise ValueError(f"x-clicksend-rules: the sandbox does not implement {sorted(unknown)}")
        body_check = None if body_validator is None else compile_check(body_validator.schema)
        return OperationContract(
            op["operationId"], method, path, tuple(params), body_validator, body_required, rules, body_check
        )


class _NotInlinable(Exception):
    """A schema whose references cannot simply be inlined."""


def _rebase(node: Any) -> Any:
    """Point local refs at the registered spec resource (the probe schema has its own base URI)."""
    if isinstance(node, dict):
        return {k: (f"{_SPEC_URI}{v}" if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def field_errors(validator: Draft202012Validator, value: Any, prefix: str = "") -> dict[str, str]:
    """ClickSend-style per-field messages: {"messages.0.subject": "..."}; one message per field."""
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        parts = [str(p) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                errors.setdefault(".".join([*parts, name]), "This field is required.")
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            for name in error.instance:
                if name not in allowed:
                    errors.setdefault(".".join([*parts, str(name)]), "This field is not allowed.")
            continue
        key = ".".join(parts) or prefix or "body"
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        errors.setdefault(key, message)
    return errors
