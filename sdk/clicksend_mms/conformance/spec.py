"""The spec as the conformance check reads it: operations found by method and path, schema nodes by JSON pointer,
validators, the open and closed value lists, and the runtime codec behind each ``x-codec`` schema.

Needs PyYAML and jsonschema (the CLI's dependencies), so nothing imports this module on the client's path.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import codecs

SPEC_URI = "urn:clicksend-mms-spec"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_TEMPLATE_PARAM = re.compile(r"\{([^}/]+)\}")


class SpecError(Exception):
    """The spec cannot be read, or names a codec the runtime does not have."""


def default_spec_path() -> Path:
    """The packaged spec (``clicksend_mms_spec``, issue 11) when installed, else the checkout's spec/."""
    try:
        package = importlib.import_module("clicksend_mms_spec")
    except ImportError:
        return Path(__file__).resolve().parents[2] / "spec" / "clicksend-mms.yaml"
    return Path(package.path())


def load_document(path: Path | None = None) -> dict[str, Any]:
    import yaml

    source = path or default_spec_path()
    try:
        with source.open(encoding="utf-8") as fh:
            document = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise SpecError(f"cannot read the spec {source}: {exc.strerror or exc} (pass --spec FILE)") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source} is not YAML: {exc}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise SpecError(f"{source} is not an OpenAPI document")
    return document


def resolve_pointer(document: Any, pointer: str) -> Any:
    target = document
    for part in pointer.removeprefix("#").split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        target = target[int(key)] if isinstance(target, list) else target[key]
    return target


def pointer_join(pointer: str, *parts: str | int) -> str:
    return pointer + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def runtime_codecs() -> dict[str, codecs.Codec[Any]]:
    """Every codec object of the runtime, by the name the spec's ``x-codec`` uses (no second table)."""
    return {value.name: value for value in vars(codecs).values() if isinstance(value, codecs.Codec)}


@dataclasses.dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    required: bool
    schema: str  # pointer


@dataclasses.dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    template: str
    pointer: str
    pattern: re.Pattern[str]
    literal_length: int  # more literal characters wins: /mms/cancel-all over /mms/{message_id}/...
    parameters: tuple[Parameter, ...]
    body_schema: str | None  # pointer of the JSON request body schema
    body_required: bool
    responses: dict[str, str | None]  # status key ("200", "4XX", "default") -> JSON schema pointer


@dataclasses.dataclass(frozen=True)
class Match:
    operation: Operation
    path_params: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """Values a field is declared to take: an open list (``x-extensible-enum``) or a closed one (``enum``)."""

    values: tuple[Any, ...]
    lists: tuple[str, ...]  # pointers of the lists that hold them (where a new value would be declared)

    def covers(self, value: Any) -> bool:
        return any(value == known and type(value) is type(known) for known in self.values)

    def speaks(self, value: Any) -> bool:
        """True when ``value`` is of a kind the list holds (a number is not a misspelt status word)."""
        return type(value) in (str, int) and any(type(known) is type(value) for known in self.values)


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        self.document = document
        self.codecs = runtime_codecs()
        # The walk asks the same few hundred pointers again for every row of every page.
        self._derefs: dict[str, tuple[str, dict[str, Any]]] = {}
        self._vocabularies: dict[str, Vocabulary | None] = {}
        unknown = sorted({name for name in self._codec_names() if name not in self.codecs})
        if unknown:
            raise SpecError(f"the spec names x-codec {unknown} but the codec runtime has only {sorted(self.codecs)}")
        self._registry: Any = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(document))
        self.base_paths = sorted(
            {urlsplit(server.get("url", "")).path.rstrip("/") for server in document.get("servers", [])} - {""},
            key=len,
            reverse=True,
        )
        self.operations = sorted(self._operations(), key=lambda op: -op.literal_length)
        self._validators: dict[str, Any] = {}

    # -- nodes --------------------------------------------------------------------------------------------
    def node(self, pointer: str) -> Any:
        return resolve_pointer(self.document, pointer)

    def deref(self, pointer: str) -> tuple[str, dict[str, Any]]:
        """Follow local ``$ref``s to the node they name (responses, parameters and schemas alike)."""
        found = self._derefs.get(pointer)
        if found is None:
            found = self._derefs[pointer] = self._deref(pointer)
        return found

    def _deref(self, pointer: str) -> tuple[str, dict[str, Any]]:
        node = self.node(pointer)
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            if pointer in seen:
                raise SpecError(f"$ref loop at {pointer}")
            seen.add(pointer)
            pointer = node["$ref"][1:]
            node = self.node(pointer)
        return pointer, node if isinstance(node, dict) else {}

    def validator(self, pointer: str) -> Any:
        found = self._validators.get(pointer)
        if found is None:
            from jsonschema import Draft202012Validator

            found = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = found
        return found

    def is_valid(self, pointer: str, value: Any) -> bool:
        return bool(self.validator(pointer).is_valid(value))

    def vocabulary(self, pointer: str) -> Vocabulary | None:
        if pointer not in self._vocabularies:
            self._vocabularies[pointer] = self._vocabulary(pointer)
        return self._vocabularies[pointer]

    def _vocabulary(self, pointer: str) -> Vocabulary | None:
        pointer, node = self.deref(pointer)
        if "x-extensible-enum" in node:
            return Vocabulary(tuple(node["x-extensible-enum"]), (pointer_join(pointer, "x-extensible-enum"),))
        if "enum" in node:
            return Vocabulary(tuple(node["enum"]), (pointer_join(pointer, "enum"),))
        values: list[Any] = []
        lists: list[str] = []
        for key in ("anyOf", "oneOf"):
            for index in range(len(node.get(key, []))):
                branch_pointer, branch = self.deref(pointer_join(pointer, key, index))
                if "enum" in branch:
                    values += branch["enum"]
                    lists.append(pointer_join(branch_pointer, "enum"))
                elif "const" in branch:
                    values.append(branch["const"])
        return Vocabulary(tuple(values), tuple(lists)) if lists else None

    def schema_name(self, pointer: str) -> str | None:
        prefix = "/components/schemas/"
        if pointer.startswith(prefix) and "/" not in pointer[len(prefix) :]:
            return pointer[len(prefix) :]
        return None

    # -- operations ---------------------------------------------------------------------------------------
    def match(self, method: str, url: str) -> Match | str | None:
        """The operation for a request; a string says why none matched (no such path / method)."""
        path = self.api_path(url)
        on_path = [op for op in self.operations if op.pattern.fullmatch(path)]
        for op in on_path:
            if op.method == method.upper():
                found = op.pattern.fullmatch(path)
                assert found is not None
                return Match(op, {name: unquote(value) for name, value in found.groupdict().items()})
        if on_path:
            return f"{method.upper()} is not declared on {on_path[0].template}"
        return None

    def api_path(self, url: str) -> str:
        """The path below the API root: absolute or relative URL, with or without the server's base (/v3)."""
        path = urlsplit(url).path or "/"
        if not path.startswith("/"):
            path = "/" + path
        for base in self.base_paths:
            if path == base or path.startswith(base + "/"):
                path = path[len(base) :] or "/"
                break
        return path.rstrip("/") or "/"

    def _operations(self) -> Iterator[Operation]:
        for template, item in self.document["paths"].items():
            item_pointer = pointer_join("", "paths", template)
            shared = item.get("parameters", [])
            for method in METHODS:
                if method not in item:
                    continue
                op_pointer = pointer_join(item_pointer, method)
                body = item[method]
                params = self._parameters(item_pointer, len(shared), op_pointer, len(body.get("parameters", [])))
                body_schema, body_required = None, False
                if "requestBody" in body:
                    rb_pointer, request_body = self.deref(pointer_join(op_pointer, "requestBody"))
                    if "application/json" in request_body.get("content", {}):
                        body_schema = pointer_join(rb_pointer, "content", "application/json", "schema")
                    body_required = bool(request_body.get("required", False))
                responses: dict[str, str | None] = {}
                for status in body.get("responses", {}):
                    r_pointer, response = self.deref(pointer_join(op_pointer, "responses", status))
                    json_content = "application/json" in response.get("content", {})
                    schema = pointer_join(r_pointer, "content", "application/json", "schema") if json_content else None
                    responses[str(status)] = schema
                regex = "".join(
                    f"(?P<{part[1:-1]}>[^/]+)" if _TEMPLATE_PARAM.fullmatch(part) else re.escape(part)
                    for part in re.split(r"(\{[^}/]+\})", template)
                )
                yield Operation(
                    operation_id=body.get("operationId", f"{method} {template}"),
                    method=method.upper(),
                    template=template,
                    pointer=op_pointer,
                    pattern=re.compile(regex.rstrip("/") or "/"),
                    literal_length=len(_TEMPLATE_PARAM.sub("", template)),
                    parameters=tuple(params),
                    body_schema=body_schema,
                    body_required=body_required,
                    responses=responses,
                )

    def _parameters(self, item_pointer: str, shared: int, op_pointer: str, own: int) -> list[Parameter]:
        found: dict[tuple[str, str], Parameter] = {}
        # Operation-level parameters override path-level ones of the same name and location.
        for base, count in ((item_pointer, shared), (op_pointer, own)):
            for index in range(count):
                p_pointer, param = self.deref(pointer_join(base, "parameters", index))
                if param.get("in") in ("path", "query") and "schema" in param:
                    key = (param["name"], param["in"])
                    schema = pointer_join(p_pointer, "schema")
                    found[key] = Parameter(param["name"], param["in"], bool(param.get("required")), schema)
        return list(found.values())

    def _codec_names(self) -> Iterator[str]:
        stack: list[Any] = [self.document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("x-codec"), str):
                    yield node["x-codec"]
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)


@functools.cache
def default_spec() -> Spec:
    return Spec(load_document())
