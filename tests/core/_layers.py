"""Does every input of the spec reach every layer? One probe per (operation, input, layer).

The inputs are read from the spec itself (not from the generated ``clicksend_mms.inputs``, which is what is being
checked): every parameter, every top-level body field and every field of a body list's items (a message). Each
is given a valid value (its example, else one built from its schema) and, per layer:

* ``ClickSend`` / ``AsyncClickSend``: the facade method of the operation is called with it; the request that
  reaches the (recording) transport must carry it where the spec says (query, path, body, each message);
* ``CLI``: the command of the operation is run with it as an option or argument; the same request check;
* ``SDK input check``: a value of the wrong JSON type is refused (``InvalidRequestError`` naming the input) and
  nothing is sent;
* ``reference``: the rendered reference's spec documents it, with its whole description;
* ``fuzzer``: schemathesis, loading the spec as ``make fuzz`` does, generates it.

``python -m tests.core._layers SPEC`` prints the failures as JSON (the regeneration test runs it against a copy
of the spec and a client generated from it).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

LAYERS = ("ClickSend", "AsyncClickSend", "CLI", "SDK input check", "reference", "fuzzer")
_WRONG = {"string": 12345, "integer": "not a number", "number": "not a number", "boolean": "not a bool"}


@dataclasses.dataclass(frozen=True)
class Input:
    operation: str
    wire: str
    place: str  # query, path, body or item (a field of each element of the body's list)
    schema: dict[str, Any]
    required: bool
    example: Any
    list_field: str | None = None  # for an item: the body field holding the list

    @property
    def name(self) -> str:
        return f"{self.operation}.{self.wire}" + (" (each message)" if self.place == "item" else "")


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _sample(schema: dict[str, Any], *examples: Any) -> Any:
    for example in (*examples, *schema.get("examples", ()), schema.get("example")):
        if example is not None:
            return example
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "string" and "pattern" not in schema:
        return "a" * max(1, schema.get("minLength", 1))
    raise AssertionError(f"no example for {schema}: give the input an `examples` entry in the spec")


def spec_inputs(spec: dict[str, Any]) -> list[Input]:
    found: list[Input] = []
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            op_id = operation["operationId"]
            for raw in operation.get("parameters", []):
                parameter = _resolve(spec, raw)
                schema = _resolve(spec, parameter["schema"])
                example = _sample(schema, parameter.get("example"))
                found.append(
                    Input(op_id, parameter["name"], parameter["in"], schema, bool(parameter.get("required")), example)
                )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            body_schema = _resolve(spec, body["schema"])
            body_example = body.get("example") or {}
            for name, field in body_schema.get("properties", {}).items():
                field = _resolve(spec, field)
                required = name in body_schema.get("required", ())
                if field.get("type") == "array":
                    items = _resolve(spec, field["items"])
                    for item_name, item in items.get("properties", {}).items():
                        item = _resolve(spec, item)
                        in_items = item_name in items.get("required", ())
                        found.append(Input(op_id, item_name, "item", item, in_items, _sample(item), name))
                    continue
                found.append(Input(op_id, name, "body", field, required, _sample(field, body_example.get(name))))
    return found


# -- the request a layer sends -------------------------------------------------------------------------------


class Sent(Exception):
    """Raised by the recording transport: the request is captured, nothing is answered."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__("captured")
        self.request = request


def _record(request: httpx.Request) -> httpx.Response:
    request.read()
    raise Sent(request)


def carried(item: Input, request: httpx.Request, value: Any, either: bool = False) -> bool:
    """Whether ``request`` carries ``value`` for ``item`` where the spec puts it (``either``: in the query or
    the body, for an input of a query-or-body rule)."""
    if either:
        query, body = (dataclasses.replace(item, place=place) for place in ("query", "body"))
        return carried(query, request, value) or carried(body, request, value)
    if item.place == "query":
        return request.url.params.get(item.wire) == _text(value)
    if item.place == "path":
        return _text(value) in request.url.path.split("/")
    body = json.loads(request.content or b"null")
    if item.place == "body":
        return isinstance(body, dict) and body.get(item.wire) == value
    listed = body.get(item.list_field) if isinstance(body, dict) else None
    return bool(listed) and all(m.get(item.wire) == value for m in listed)


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _query_or_body(spec: dict[str, Any]) -> set[tuple[str, str]]:
    rules = spec.get("x-clicksend-rules", {}).get("rules", [])
    return {(r["operation"], name) for r in rules if r["kind"] == "query-or-body" for name in r["inputs"]}


# What a layer leaves out on purpose, and why (the test prints these with its result).
EXEMPT = {("price_mms.schedule (each message)", "CLI"): "price has no --schedule: a schedule changes no price"}


def _call_values(inputs: list[Input], item: Input, value: Any) -> dict[str, Any]:
    """Keyword arguments for the facade method: the operation's required inputs plus ``item``."""
    from clicksend_mms.inputs import INPUTS

    python = {entry["wire"]: name for name, entry in INPUTS[item.operation].items()}
    kwargs: dict[str, Any] = {}
    message: dict[str, Any] = {}
    for other in inputs:
        if other.operation != item.operation or not (other.required or other is item):
            continue
        given = value if other is item else other.example
        if other.place == "item":
            message[other.wire] = given
        elif other.schema.get("contentEncoding") == "base64":
            kwargs[python.get(other.wire, other.wire)] = base64.b64decode(given)  # the facade encodes the bytes
        else:
            kwargs[python.get(other.wire, other.wire)] = given
    lists = {other.list_field for other in inputs if other.operation == item.operation and other.list_field}
    for list_field in lists:
        kwargs[list_field] = [{"to": "+61411111111", **message}] if "to" not in message else [message]
    return kwargs


def _facade_method(client: Any, operation: str) -> Callable[..., Any]:
    from clicksend_mms._ops import OPERATIONS

    if operation not in OPERATIONS:
        raise AssertionError(f"no facade method serves {operation} (_ops.OPERATIONS)")
    return getattr(client, OPERATIONS[operation])  # type: ignore[no-any-return]


def sync_request(inputs: list[Input], item: Input, value: Any) -> httpx.Request | BaseException:
    from clicksend_mms import ClickSend

    with ClickSend("u", "k", base_url="http://s/v3", transport=httpx.MockTransport(_record)) as client:
        try:
            _facade_method(client, item.operation)(**_call_values(inputs, item, value))
        except Sent as sent:
            return sent.request
        except Exception as exc:
            return exc
    return AssertionError("nothing was sent")


def async_request(inputs: list[Input], item: Input, value: Any) -> httpx.Request | BaseException:
    from clicksend_mms import AsyncClickSend

    async def run() -> httpx.Request | BaseException:
        transport = httpx.MockTransport(_record)
        async with AsyncClickSend("u", "k", base_url="http://s/v3", transport=transport) as client:
            try:
                await _facade_method(client, item.operation)(**_call_values(inputs, item, value))
            except Sent as sent:
                return sent.request
            except Exception as exc:
                return exc
        return AssertionError("nothing was sent")

    return asyncio.run(run())


def cli_request(inputs: list[Input], item: Input, value: Any) -> httpx.Request | BaseException:
    import typer
    from clicksend_mms.cli import Options, app
    from clicksend_mms.cli_inputs import COMMANDS, flag
    from typer.testing import CliRunner

    commands = [name for name, operation in COMMANDS.items() if operation == item.operation]
    if not commands:
        return AssertionError(f"no command serves {item.operation}")
    command = typer.main.get_command(app).commands[commands[0]]  # type: ignore[attr-defined]
    argv: list[str] = [commands[0]]
    base = {  # the base message the facades are given (a recipient), as options too
        other.wire: other.example
        for other in inputs
        if other.operation == item.operation and other.place == "item" and other.wire == "to" and other is not item
    }
    with tempfile.TemporaryDirectory() as folder:
        for other in inputs:
            wanted = other.required or other is item or (other.place == "item" and other.wire in base)
            if other.operation != item.operation or not wanted:
                continue
            if other.list_field is None and other.schema.get("type") == "array":
                continue  # a list is given through its items' options
            given = value if other is item else other.example
            param = next((p for p in command.params if flag(other.wire) in p.opts), None)
            if param is None and other.schema.get("contentEncoding") == "base64":
                # the command reads the file it is given (its one path argument)
                param = next((p for p in command.params if p.param_type_name == "argument"), None)
                file = Path(folder) / "input"
                file.write_bytes(base64.b64decode(given))
                given = str(file)
            param = param or next((p for p in command.params if p.name == other.wire), None)
            if param is None:
                return AssertionError(f"`{commands[0]}` has no option or argument for {other.wire}")
            argv += [_text(given)] if param.param_type_name == "argument" else [param.opts[0], _text(given)]
        result = CliRunner().invoke(
            app,
            ["--username", "u", "--api-key", "k", *argv],
            obj=Options(base_url="http://s/v3", transport=httpx.MockTransport(_record)),
        )
    if isinstance(result.exception, Sent):
        return result.exception.request
    return AssertionError(f"exit {result.exit_code}: {result.output}")


def _check_refuses(inputs: list[Input], item: Input) -> str | None:
    """None when the SDK refuses a wrong-typed value naming the input, before sending; else what happened."""
    from clicksend_mms import InvalidRequestError

    wrong = _WRONG.get(str(item.schema.get("type")))
    if wrong is None:
        return None
    if item.schema.get("contentEncoding") == "base64":
        return None  # the facade takes bytes and encodes them itself: a wrong type cannot be given
    outcome = sync_request(inputs, item, wrong)
    if not isinstance(outcome, InvalidRequestError):
        return f"a {type(wrong).__name__} was not refused: {outcome!r}"
    if item.wire not in {p.key for p in outcome.problems}:
        return f"the refusal does not name it: {outcome}"
    return None


def _reference_documents(spec: dict[str, Any], item: Input) -> bool:
    from clicksend_mms_sandbox.docs.facts import sandbox_facts
    from clicksend_mms_sandbox.docs.reference import reference_spec

    shown = reference_spec(spec, sandbox_facts())
    for path_item in shown["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == item.operation:
                return _documented(shown, operation, item)
    return False


def _documented(spec: dict[str, Any], operation: dict[str, Any], item: Input) -> bool:
    if item.place in ("query", "path"):
        params = [_resolve(spec, p) for p in operation.get("parameters", [])]
        return any(p["name"] == item.wire and p["in"] == item.place for p in params)
    schema = _resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
    if item.place == "item":
        schema = _resolve(spec, _resolve(spec, schema["properties"][item.list_field])["items"])
    field = schema.get("properties", {}).get(item.wire)
    description = item.schema.get("description")
    return field is not None and (description is None or _resolve(spec, field).get("description") == description)


def _fuzzer_generates(spec_path: Path, item: Input) -> bool:
    import schemathesis

    schema = schemathesis.openapi.from_path(str(spec_path))
    operation = schema.find_operation_by_id(item.operation)
    if item.place == "query":
        return item.wire in [p.name for p in operation.query]
    if item.place == "path":
        return item.wire in [p.name for p in operation.path_parameters]
    root = operation.body[0].definition["schema"]  # bundled: its refs point into itself
    body = _resolve(root, root)
    if item.place == "item":
        body = _resolve(root, _resolve(root, body["properties"][item.list_field])["items"])
    return item.wire in body.get("properties", {})


def failures(spec_path: Path) -> dict[str, list[str]]:
    """input name -> the layers it does not reach (every input listed, [] when it reaches all)."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    inputs = spec_inputs(spec)
    either = _query_or_body(spec)
    out: dict[str, list[str]] = {}
    for item in inputs:
        missing: list[str] = []
        for layer, probe in (("ClickSend", sync_request), ("AsyncClickSend", async_request), ("CLI", cli_request)):
            if (item.name, layer) in EXEMPT:
                continue
            outcome = probe(inputs, item, item.example)
            where = (item.operation, item.wire) in either
            if not (isinstance(outcome, httpx.Request) and carried(item, outcome, item.example, where)):
                missing.append(f"{layer}: {outcome!r}"[:300])
        problem = _check_refuses(inputs, item)
        if problem:
            missing.append(f"SDK input check: {problem}"[:300])
        if not _reference_documents(spec, item):
            missing.append("reference")
        if not _fuzzer_generates(spec_path, item):
            missing.append("fuzzer")
        out[item.name] = missing
    return out


def _main(argv: Iterator[str]) -> None:
    print(json.dumps(failures(Path(next(argv)))))


if __name__ == "__main__":
    _main(iter(sys.argv[1:]))
