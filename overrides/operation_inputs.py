"""Emit ``clicksend_mms/inputs.py``: every input of every operation, as the facades and the CLI take them.

The facades' keyword arguments and the CLI's options are built from this module, so a parameter or body field
added to the spec reaches ``ClickSend``, ``AsyncClickSend`` and ``clicksend-mms`` with ``make generate`` alone:

* ``{Operation}Options``: a ``TypedDict`` of the operation's optional inputs (query parameters and optional
  top-level body fields), which the facades take as ``**options: Unpack[...]``; ``{Operation}PagedOptions`` is
  the same without ``page`` (for the page iterators, which count pages themselves);
* ``INPUTS``: per operationId, each input's wire name, Python name, place (``query``, ``path``, ``body`` or
  ``item``: a field of each element of the body's list, e.g. a message), JSON type, whether it is required,
  ClickSend's default, and its short description.

Descriptions: the first sentence of a spec description is its short form (``--help``, docstrings, SDK errors)
and must make sense on its own, without naming another layer; the whole text is the reference's.
"""

from __future__ import annotations

import pprint
import re
from pathlib import Path
from typing import Any

import yaml
from openapi_python_client.strings import PythonIdentifier

MODULE = "inputs.py"
_FIELD_PREFIX = "field_"  # openapi-python-client's default, as in overrides/config.yaml
_PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}

_HEADER = '''"""Every input of every operation of spec/clicksend-mms.yaml, for the facades and the CLI.

``{Operation}Options`` are the optional inputs the facades take as keyword arguments (``PagedOptions``: without
``page``); ``INPUTS`` maps an operationId to its inputs by Python name (wire name, place, JSON type, required,
ClickSend's default, short description).
"""

from typing import Any, Final, TypedDict

'''


def short(text: str) -> str:
    """The short form of a description: its first sentence (a full stop before a capital letter ends one)."""
    first = re.split(r"\.\s+(?=[A-Z])", " ".join(text.split()))[0]
    return first.rstrip(".")


def _python(name: str) -> str:
    return str(PythonIdentifier(value=name, prefix=_FIELD_PREFIX))


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = spec["components"][section][name]
    return node


def _kind(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if not isinstance(kind, str) or kind not in _PYTHON_TYPES | {"array": "", "object": ""}:
        raise ValueError(f"an input of type {kind!r} cannot be taken by the facades and the CLI")
    return kind


def _entry(wire: str, where: str, schema: dict[str, Any], required: bool, description: str | None) -> dict[str, Any]:
    about = description or schema.get("description") or ""
    return {
        "wire": wire,
        "in": where,
        "type": _kind(schema),
        "required": required,
        "default": schema.get("default"),
        "help": short(about),
    }


def operation_inputs(spec: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """operationId -> {python name: entry} for every parameter and body field (see the module docstring)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            inputs: dict[str, dict[str, Any]] = {}
            for raw in operation.get("parameters", []):
                parameter = _resolve(spec, raw)
                schema = _resolve(spec, parameter["schema"])
                inputs[_python(parameter["name"])] = _entry(
                    parameter["name"],
                    parameter["in"],
                    schema,
                    bool(parameter.get("required")),
                    parameter.get("description"),
                )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schema = _resolve(spec, body["schema"])
                required = set(schema.get("required", ()))
                for name, field in schema.get("properties", {}).items():
                    field = _resolve(spec, field)
                    # One input per name: a body field that is also a query parameter is sent as the parameter
                    # (x-clicksend-rules says ClickSend takes either).
                    if _python(name) not in inputs:
                        inputs[_python(name)] = _entry(name, "body", field, name in required, None)
                    items = _resolve(spec, field.get("items", {}))
                    for item_name, item in items.get("properties", {}).items():
                        entry = _entry(
                            item_name, "item", _resolve(spec, item), item_name in items.get("required", ()), None
                        )
                        inputs.setdefault(_python(item_name), entry)
            out[operation["operationId"]] = inputs
    return dict(sorted(out.items()))


def _class_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))


def _typed_dict(name: str, operation_id: str, fields: dict[str, dict[str, Any]]) -> str:
    lines = [f"class {name}(TypedDict, total=False):", f'    """Optional inputs of ``{operation_id}``.']
    if fields:
        lines.append("")
        lines.extend(f"    * ``{python}``: {entry['help'] or entry['wire']}." for python, entry in fields.items())
    lines.append('    """')
    if fields:
        lines.append("")
    for python, entry in fields.items():
        lines.append(f"    {python}: {_PYTHON_TYPES[entry['type']]}")
    return "\n".join(lines) + "\n\n\n"


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    inputs = operation_inputs(spec)
    text = _HEADER
    for operation_id, fields in inputs.items():
        optional = {
            python: entry
            for python, entry in fields.items()
            if not entry["required"] and entry["in"] in ("query", "body") and entry["type"] in _PYTHON_TYPES
        }
        text += _typed_dict(f"{_class_name(operation_id)}Options", operation_id, optional)
        if "page" in optional:
            paged = {python: entry for python, entry in optional.items() if python != "page"}
            text += _typed_dict(f"{_class_name(operation_id)}PagedOptions", operation_id, paged)
    literal = pprint.pformat(inputs, sort_dicts=False, width=110)
    return text + f"INPUTS: Final[dict[str, dict[str, dict[str, Any]]]] = {literal}\n"


def write_inputs(spec_path: Path, package_dir: Path) -> Path:
    """Write the inputs module into the generated package (formatted and stamped with the rest of it)."""
    target = package_dir / MODULE
    target.write_text(render(spec_path), encoding="utf-8")
    return target
