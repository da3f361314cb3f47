"""Emits ``clicksend_mms/fast_decode.py``: compiled decoders from response bytes to the generated models.

For every model a response can hold, the emitted module has a msgspec Struct that mirrors its wire object (wire
names, unknown keys refused) and a converter from Structs to the generated attrs model. msgspec parses and checks
the shape in C; the converter builds a list's rows in one comprehension, each with one positional constructor
call whose arguments are the codec expressions of ``codec_property.CODECS`` (the one place that knows the quirks)
inlined, and a column's unix times in one call.

The contract that makes it safe: the fast path only ever *accepts* what ``from_dict`` accepts, and then returns an
equal model. Anything else (an unknown key, a spelling msgspec refuses, a value a codec rejects) makes it decline,
and the caller runs ``Model.from_dict`` on the parsed JSON, the reference path, which gives its own result or
error. So every field type below is a subset of what the generated ``from_dict`` takes, never a superset:
- x-codec fields: the raw JSON types the codec's ``fast_wire`` names, a subset of what it decodes (never a
  boolean or a container, which every codec refuses), converted by its expressions;
- plain strings, integers, numbers and booleans: exactly that JSON type (``from_dict`` passes any value through;
  msgspec must not convert, so a number is ``int | float``, never ``float``);
- consts and literal enums: ``Literal`` of their values (a float ``200.0`` is refused, where ``from_dict`` keeps it);
- nested models and lists of them: their Structs; a union of models: the branches in from_dict's order, a branch
  passed over only where from_dict's would surely fail (a required key missing); ``Any``: msgspec's plain JSON
  values, which equal ``json.loads``'s wherever msgspec accepts the text.
A model with a property kind not listed gets no decoder: decoding it is always the reference path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path

from openapi_python_client.parser.openapi import GeneratorData
from openapi_python_client.parser.properties.any import AnyProperty
from openapi_python_client.parser.properties.boolean import BooleanProperty
from openapi_python_client.parser.properties.const import ConstProperty
from openapi_python_client.parser.properties.float import FloatProperty
from openapi_python_client.parser.properties.int import IntProperty
from openapi_python_client.parser.properties.list_property import ListProperty
from openapi_python_client.parser.properties.literal_enum_property import LiteralEnumProperty
from openapi_python_client.parser.properties.model_property import ModelProperty
from openapi_python_client.parser.properties.none import NoneProperty
from openapi_python_client.parser.properties.protocol import PropertyProtocol
from openapi_python_client.parser.properties.string import StringProperty
from openapi_python_client.parser.properties.union import UnionProperty

from overrides.codec_property import CodecProperty

MODULE = "fast_decode.py"
# Names the codec expressions may use (runtime/codecs.py): imported once by the emitted module.
CODEC_RUNTIME = (
    "decode_money_seen",
    "decode_integer_seen",
    "decode_status_code_seen",
    "decode_text",
    "decode_unix_times",
    "money_seen",
    "integer_seen",
    "status_code_seen",
    "require_integer",
    "require_money",
    "require_status_code",
    "require_text",
    "require_unix_time",
)

HEAD = '''"""Compiled decoding: response bytes -> the generated models (the classes ``from_dict`` builds), via msgspec.

``decode(Model, content)`` returns the model, or None when the fast path declines (an unknown key, a spelling it
does not take, a value a codec rejects): then ``Model.from_dict`` on the parsed JSON, the reference path, decides.
It accepts only what ``from_dict`` accepts and then returns an equal model (tests/core/test_fast_decode.py and
tests/client_fuzz/test_fuzz_fast_decode.py hold it to that). Emitted by overrides/fast_decode.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

import msgspec

from .codecs import ({codec_names})
from .models import ({model_names})
from .types import UNSET

M = TypeVar("M")
# The package's UNSET as a Struct default: a plain optional key that is absent stays UNSET, as in from_dict.
_ABSENT: Any = UNSET
_new = object.__new__


def _first_branch(raw: msgspec.Raw, branches: tuple[tuple[Callable[[msgspec.Raw], Any], frozenset[str]], ...]) -> Any:
    """A union of models as from_dict decodes it: the first branch that takes the object. A branch is passed over
    only when a key it requires is missing, where from_dict's surely fails too; any other refusal declines."""
    for decode_branch, required in branches[:-1]:
        try:
            return decode_branch(raw)
        except Exception:
            found = msgspec.json.decode(raw)
            if not isinstance(found, dict) or required <= found.keys():
                raise
    return branches[-1][0](raw)


'''

TAIL = '''

_DECODERS: dict[type[Any], Callable[[bytes], Any]] = {{
{registry}
}}


def decode(model: type[M], content: bytes) -> M | None:
    """``model`` from the JSON ``content``, or None if the fast path declines (then use ``model.from_dict``)."""
    decoder = _DECODERS.get(model)
    if decoder is None:
        return None
    try:
        decoded: M = decoder(content)
    except Exception:  # any refusal, msgspec's or a codec's: the reference path decides, and raises its own error
        return None
    return decoded


def supported() -> frozenset[type[Any]]:
    """The models with a compiled decoder; every other model decodes through from_dict."""
    return frozenset(_DECODERS)
'''


# A plain property's Struct type: exactly its JSON type, which from_dict passes through as it is (a number is
# `int | float`: msgspec would make an int a float, where from_dict keeps it).
PLAIN: dict[type, str] = {
    StringProperty: "str",
    IntProperty: "int",
    FloatProperty: "int | float",
    BooleanProperty: "bool",
    NoneProperty: "None",
    AnyProperty: "Any",
}


@dataclasses.dataclass(frozen=True)
class Field:
    python_name: str
    wire_name: str
    annotation: str  # the Struct field's type, for msgspec
    default: str | None  # Python source, or None when the key is required
    # The model's value from the Struct attribute: `{w}` its first evaluated use, `{v}` any later one.
    expression: str
    column: str | None = None  # a runtime function decoding this field of every row of a list at once

    def value(self, attribute: str) -> str:
        if "{v}" not in self.expression:
            return self.expression.replace("{w}", attribute)
        local = f"v_{self.python_name}"
        return self.expression.replace("{w}", f"({local} := {attribute})").replace("{v}", local)


class Unsupported(Exception):
    pass


def _model_name(prop: ModelProperty) -> str:
    return str(prop.class_info.name)


def _struct(name: str) -> str:
    return f"_{name}"


def _converter(name: str) -> str:
    return f"_to_{name}"


def _list_converter(name: str) -> str:
    return f"_to_list_{name}"


class Emitter:
    def __init__(self, models: Iterable[ModelProperty]) -> None:
        self.models = {_model_name(m): m for m in models}
        self.fields: dict[str, list[Field]] = {}
        self.order: list[str] = []  # dependencies first
        self.raw_decoded: set[str] = set()  # models decoded from a msgspec.Raw (a union's branches)

    def supports(self, name: str) -> bool:
        if name in self.fields:
            return True
        if name in self.order:  # being visited: the spec has no recursive models
            raise Unsupported(f"{name} is recursive")
        self.order.append(name)
        try:
            model = self.models[name]
            fields = [self.field(p) for p in _init_order(model)]
        except Unsupported:
            self.order.remove(name)
            return False
        self.order.remove(name)
        self.order.append(name)
        self.fields[name] = fields
        return True

    def field(self, prop: PropertyProtocol) -> Field:
        wire = prop.name.get_untrusted_value()
        required = prop.required
        annotation, expression = self.kind(prop)
        column = None
        if isinstance(prop, CodecProperty):
            default = None if required else "None"  # an absent codec field decodes like null
            column = prop.spec.fast_column if prop.nullable else None
        else:
            default = None if required else "_ABSENT"
            if not required and expression != "{w}":
                expression = f"UNSET if {{w}} is UNSET else {expression.replace('{w}', '{v}')}"
        return Field(str(prop.python_name), wire, annotation, default, expression, column)

    def kind(self, prop: PropertyProtocol) -> tuple[str, str]:
        """(Struct annotation, expression over the raw value) for a property, or Unsupported."""
        if isinstance(prop, CodecProperty):
            return prop.spec.fast_wire, prop.spec.fast_expression(nullable=prop.nullable)
        if type(prop) in PLAIN:
            return PLAIN[type(prop)], "{w}"
        if isinstance(prop, ConstProperty | LiteralEnumProperty):
            return f"Literal[{', '.join(_literals(prop))}]", "{w}"
        if isinstance(prop, ModelProperty):
            name = self.supported_model(prop)
            return _struct(name), f"{_converter(name)}({{w}})"
        if isinstance(prop, ListProperty):
            item = prop.inner_property
            if isinstance(item, ModelProperty):
                name = self.supported_model(item)
                return f"list[{_struct(name)}]", f"{_list_converter(name)}({{w}})"
            inner, expression = self.kind(item)
            if expression != "{w}":
                raise Unsupported("a list of converted values")
            return f"list[{inner}]", "{w}"
        if isinstance(prop, UnionProperty):
            return self.union(prop)
        raise Unsupported(type(prop).__name__)

    def union(self, prop: UnionProperty) -> tuple[str, str]:
        inner = prop.inner_properties
        literals = [p for p in inner if isinstance(p, ConstProperty | LiteralEnumProperty)]
        models = [p for p in inner if isinstance(p, ModelProperty)]
        if len(literals) == len(inner):
            # from_dict tries each in turn and keeps the value: one Literal of all of them takes the same values.
            return f"Literal[{', '.join(v for p in literals for v in _literals(p))}]", "{w}"
        if len(models) == len(inner):
            # from_dict keeps the first branch that parses. A later branch is sound here only where from_dict's
            # earlier ones surely fail: the raw object is kept (msgspec.Raw) and tried branch by branch.
            names = [self.supported_model(m) for m in models]
            self.raw_decoded.update(names)
            branches = ", ".join(f"(_decode_{name}, _REQUIRED_{name})" for name in names)
            return "msgspec.Raw", f"_first_branch({{w}}, ({branches}))"
        kinds = [self.kind(p) for p in inner]
        if any(expression != "{w}" for _, expression in kinds):
            raise Unsupported("union with converted members")
        return " | ".join(annotation for annotation, _ in kinds), "{w}"

    def supported_model(self, prop: ModelProperty) -> str:
        name = _model_name(prop)
        if not self.supports(name):
            raise Unsupported(name)
        return name


def _literals(prop: ConstProperty | LiteralEnumProperty) -> list[str]:
    values = [prop.value.raw_value] if isinstance(prop, ConstProperty) else sorted(prop.values, key=repr)
    return [repr(v) for v in values]


def _init_order(model: ModelProperty) -> list[PropertyProtocol]:
    """The attrs __init__'s parameter order: model.py.jinja declares required fields without a default first."""
    props: list[PropertyProtocol] = [*(model.required_properties or []), *(model.optional_properties or [])]
    first = [p for p in props if p.default is None and p.required]
    return first + [p for p in props if not (p.default is None and p.required)]


def _wire_order(model: ModelProperty) -> list[str]:
    """The model's wire names in the order the spec lists its properties."""
    return [name.get_untrusted_value() for name in model.data.properties or {}]


def response_models(openapi: GeneratorData) -> list[str]:
    """Names of the models that are a JSON response body of some operation, in spec order."""
    names: list[str] = []
    for collection in openapi.endpoint_collections_by_tag.values():
        for endpoint in collection.endpoints:
            for response in endpoint.responses:
                prop = response.prop
                if isinstance(prop, ModelProperty) and _model_name(prop) not in names:
                    names.append(_model_name(prop))
    return names


def _struct_source(name: str, fields: list[Field], wire_order: list[str]) -> Iterator[str]:
    yield f"class {_struct(name)}(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, gc=False):"
    # Fields in the spec's order, which is ClickSend's (its v6 examples, its live envelope): msgspec looks for each
    # key at the field after the last one matched first, so a body in that order costs no search.
    for f in sorted(fields, key=lambda f: wire_order.index(f.wire_name)):
        if f.wire_name != f.python_name:
            default = f", default={f.default}" if f.default is not None else ""
            yield f"    {f.python_name}: {f.annotation} = msgspec.field(name={f.wire_name!r}{default})"
        elif f.default is not None:
            yield f"    {f.python_name}: {f.annotation} = {f.default}"
        else:
            yield f"    {f.python_name}: {f.annotation}"
    if not fields:
        yield "    pass"
    yield ""
    yield ""
    # One converter per model, for a list: one comprehension builds the rows as calling the class would
    # (object.__new__, then the attrs __init__), without type.__call__'s hop from C back into Python for every
    # row; column fields are decoded beforehand, a column in one call. A single object is a list of one.
    columns = [f for f in fields if f.column]
    row = ", ".join(f"c_{f.python_name}" if f.column else f.value(f"w.{f.python_name}") for f in fields)
    rows = "w in ws"
    yield f"def {_list_converter(name)}(ws: list[Any]) -> list[{name}]:"
    yield f"    init = {name}.__init__"
    for f in columns:
        yield f"    column_{f.python_name} = {f.column}([w.{f.python_name} for w in ws])"
    if columns:
        names = ", ".join(["w", *(f"c_{f.python_name}" for f in columns)])
        lists = ", ".join(["ws", *(f"column_{f.python_name}" for f in columns)])
        rows = f"{names} in zip({lists}, strict=True)"
    yield f"    return [init(row := _new({name}), {row}) or row for {rows}]"
    yield ""
    yield ""
    yield f"def {_converter(name)}(w: Any) -> {name}:"
    yield f"    return {_list_converter(name)}([w])[0]"
    yield ""
    yield ""


def render(openapi: GeneratorData) -> tuple[str, list[str]]:
    """The module's source, and the response models that have no compiled decoder (they use from_dict)."""
    emitter = Emitter(openapi.models)
    roots = response_models(openapi)
    missing = [name for name in roots if not emitter.supports(name)]
    decoded = [name for name in roots if name in emitter.fields]
    body: list[str] = []
    for name in emitter.order:
        body.extend(_struct_source(name, emitter.fields[name], _wire_order(emitter.models[name])))
    for name in sorted(set(decoded) | emitter.raw_decoded):
        body.append(f"_DECODE_{name} = msgspec.json.Decoder({_struct(name)}).decode")
    for name in sorted(emitter.raw_decoded):
        required = sorted(f.wire_name for f in emitter.fields[name] if f.default is None)
        body.append(f"_REQUIRED_{name} = frozenset({required!r})")
    body += ["", ""]
    for name in [*decoded, *sorted(emitter.raw_decoded - set(decoded))]:
        body.append(f"def _decode_{name}(content: bytes) -> {name}:")
        body.append(f"    return {_converter(name)}(_DECODE_{name}(content))")
        body += ["", ""]
    registry = "\n".join(f"    {name}: _decode_{name}," for name in decoded)
    head = HEAD.format(codec_names=", ".join(CODEC_RUNTIME), model_names=", ".join(sorted(emitter.fields)))
    return head + "\n".join(body) + TAIL.format(registry=registry), missing


def write_fast_decode(openapi: GeneratorData, package_dir: Path) -> list[str]:
    """Write clicksend_mms/fast_decode.py; returns the response models left to from_dict (reported by the hook)."""
    source, missing = render(openapi)
    (package_dir / MODULE).write_text(source, encoding="utf-8")
    return missing
