"""A property class for spec schemas marked ``x-codec``: the generator's parser knows only plain JSON
types and four string formats, so Decimal, int-from-"1.00", datetime-from-unix and None-from-"" need
a property of their own. Its template (templates/property_templates/codec_property.py.jinja) calls
the runtime codec named in ``CODECS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from attrs import define
from openapi_python_client import schema as oai
from openapi_python_client.parser.properties.protocol import PropertyProtocol, Value
from openapi_python_client.strings import PythonCode, PythonIdentifier


@dataclass(frozen=True)
class CodecSpec:
    constant: str  # the Codec object in runtime/codecs.py
    python_type: str
    function_suffix: str
    imports: frozenset[str] = frozenset()
    # An expression over `{v}` that is true when the wire value is already the decoded one; the template
    # inlines it so the commonest case costs no call (a history page has thousands of these fields).
    already_decoded: str | None = None
    # The compiled decoders (overrides/fast_decode.py): `fast_wire` is the msgspec type a field's raw value must
    # have (another JSON type makes the fast path decline, so from_dict decides); the expressions turn it into the
    # field's value, the commonest spellings inline and the rest through the same codec as from_dict (its `seen`
    # memo where spellings repeat row after row). `{w}` marks the raw value's first evaluated use (a conditional
    # expression evaluates its condition first), `{v}` later ones. Every name used is in runtime/codecs.py.
    fast_wire: str = "int | str | None"
    fast_nullable: str = "decode_{suffix}({w})"
    fast_required: str = "require_{suffix}({w})"
    # A runtime function decoding a nullable field's whole column (the field of every row of a list) as `decode`
    # decodes each value; used instead of fast_nullable where it is cheaper.
    fast_column: str | None = None

    def fast_expression(self, *, nullable: bool) -> str:
        return (self.fast_nullable if nullable else self.fast_required).replace("{suffix}", self.function_suffix)


def _counted(constant: str, python_type: str, name: str, already_decoded: str | None = None) -> CodecSpec:
    """A codec whose ints are already the value and whose wire strings repeat: an int as it is, a string's value
    remembered (`{name}_seen`), else the codec."""
    return CodecSpec(
        constant,
        python_type,
        name,
        already_decoded=already_decoded,
        fast_nullable=f"{{v}} if {{w}}.__class__ is not str else {name}_seen[{{v}}] if {{v}} in {name}_seen "
        f"else decode_{name}_seen({{v}})",
        fast_required=f"{{v}} if {{w}}.__class__ is int else require_{name}({{v}})",
    )


# x-codec value in the spec -> the Python type users see and the runtime codec that produces it.
CODECS: dict[str, CodecSpec] = {
    "money": CodecSpec(
        "MONEY",
        "Decimal",
        "money",
        frozenset({"from decimal import Decimal"}),
        fast_wire="str | int | float | None",
        fast_nullable="money_seen[{v}] if {w} in money_seen else decode_money_seen({v})",
    ),
    "integer": _counted("INTEGER", "int", "integer", already_decoded="{v}.__class__ is int"),
    "unix-time": CodecSpec(
        "UNIX_TIME",
        "datetime.datetime",
        "unix_time",
        frozenset({"import datetime"}),
        # A datetime costs a fromtimestamp call each: a nullable field is decoded as a column (the field of every
        # row at once), msgspec making its datetimes in one call.
        fast_column="decode_unix_times",
    ),
    "status-code": _counted("STATUS_CODE", "int | str", "status_code"),
    # A number where text is expected (the upload example's upload_id) is a documented spelling but a rare one:
    # taking it would cost a type check on every text field of every row, so the fast path leaves it to from_dict.
    "text": CodecSpec(
        "TEXT",
        "str",
        "text",
        already_decoded="{v}.__class__ is str and {v}",
        fast_wire="str | None",
        fast_nullable="{w} or None",
        fast_required="{v} if {w} else require_text({v})",
    ),
}


def accepts_empty(data: oai.Schema) -> bool:
    """True when a schema admits ClickSend's "no value" spellings (null or "")."""
    branches = [b for b in data.anyOf + data.oneOf if isinstance(b, oai.Schema)] or [data]
    for branch in branches:
        types = branch.type if isinstance(branch.type, list) else [branch.type]
        if oai.DataType.NULL in types or branch.maxLength == 0 or branch.const == "":
            return True
    return False


@define
class CodecProperty(PropertyProtocol):
    """A field decoded by a runtime codec; absent, null and "" all become None where the wire allows them."""

    name: oai.UntrustedString
    required: bool
    default: Value | None
    python_name: PythonIdentifier
    description: oai.UntrustedString | None
    example: oai.UntrustedString | None
    codec: str
    wire_nullable: bool

    template: ClassVar[str] = "codec_property.py.jinja"
    _allowed_locations: ClassVar[set[oai.ParameterLocation]] = set()

    @property
    def spec(self) -> CodecSpec:
        return CODECS[self.codec]

    def fast_path(self, variable: str) -> str | None:
        check = self.spec.already_decoded
        return check.format(v=variable) if check else None

    @property
    def nullable(self) -> bool:
        return self.wire_nullable or not self.required

    def convert_value(self, value: Any) -> Value | None:
        return None  # codec fields carry no defaults in the spec

    def get_base_type_string(self) -> PythonCode:
        return PythonCode(self.spec.python_type)

    def get_base_json_type_string(self) -> PythonCode:
        return PythonCode("Any")

    def get_type_string(self, no_optional: bool = False, json: bool = False) -> PythonCode:
        base = self.get_base_json_type_string() if json else self.get_base_type_string()
        if self.nullable and not no_optional and not json:
            return PythonCode(f"{base.as_unembedded_code()} | None")
        return base

    def get_imports(self, *, prefix: str) -> set[str]:
        suffix = self.spec.function_suffix
        decoders = f"from {prefix}codecs import decode_{suffix}, require_{suffix}"
        unset = f"from {prefix}types import UNSET, Unset"
        return {f"from {prefix} import codecs", decoders, unset, *self.spec.imports}

    def to_string(self) -> PythonCode:
        declaration = f"{self.python_name}: {self.get_type_string().as_unembedded_code()}"
        return PythonCode(declaration + " = None" if self.nullable else declaration)

    @classmethod
    def from_schema(
        cls, *, name: oai.UntrustedString, required: bool, data: oai.Schema, python_name: PythonIdentifier
    ) -> CodecProperty:
        codec = (data.model_extra or {})["x-codec"]
        if codec not in CODECS:
            raise ValueError(f"unknown x-codec {codec!r} on {name}; known: {sorted(CODECS)}")
        nullable = accepts_empty(data)
        return cls(
            name=name,
            required=required,
            # A default makes the model template order the field after those without one.
            default=Value(python_code=PythonCode("None"), raw_value=None) if nullable or not required else None,
            python_name=python_name,
            # The quirk schema's long description is shared by dozens of fields; name the codec instead.
            description=oai.UntrustedString(f"Wire quirk `{codec}` (overrides/README.md)."),
            example=None,
            codec=codec,
            wire_nullable=nullable,
        )
