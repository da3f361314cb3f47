"""An independent oracle for the client's decoding: walks wire JSON, its schema and the parsed model together.

For every field whose schema carries `x-codec`, the parsed value must have the normalized Python type and
mean the same as the wire value; every other field must come through unchanged. The oracle restates the
codecs' contract from the spec (not from overrides/), so a codec that misses a variant disagrees with it.
"""

from __future__ import annotations

import datetime
import keyword
from decimal import Decimal
from typing import Any

import attrs

from ._spec import REF_KEY

_MS_THRESHOLD = 10**11


class OracleMismatch(AssertionError):
    pass


def _fail(path: str, message: str) -> OracleMismatch:
    return OracleMismatch(f"{path}: {message}")


def attribute_name(key: str, cls: type) -> str | None:
    """The attrs attribute openapi-python-client generated for wire key `key`, or None (additional property)."""
    names = {a.name for a in attrs.fields(cls)}
    candidates = [key, f"{key}_" if keyword.iskeyword(key) else key, f"field{key}" if key.startswith("_") else key]
    return next((c for c in candidates if c in names and c != "additional_properties"), None)


def check_codec(codec: str, wire: Any, value: Any, path: str) -> None:
    if wire is None or wire == "":
        if value is not None:
            raise _fail(path, f"empty wire value {wire!r} must decode to None, got {value!r}")
        return
    if codec == "money":
        if type(value) is not Decimal or value != Decimal(str(wire)):
            raise _fail(path, f"money {wire!r} -> {value!r}, expected Decimal({str(wire)!r})")
    elif codec == "integer":
        if type(value) is not int or Decimal(str(wire)) != value:
            raise _fail(path, f"integer {wire!r} -> {value!r}")
    elif codec == "unix-time":
        if not isinstance(value, datetime.datetime) or value.utcoffset() != datetime.timedelta(0):
            raise _fail(path, f"unix-time {wire!r} -> {value!r}, expected an aware UTC datetime")
        seconds = Decimal(str(wire))
        if seconds >= _MS_THRESHOLD:
            seconds /= 1000
        if abs(Decimal(str(value.timestamp())) - seconds) > Decimal("0.001"):
            raise _fail(path, f"unix-time {wire!r} -> {value.isoformat()}")
    elif codec == "status-code":
        # The codec trims surrounding blanks of a status word ("Completed "): a normalization, not a loss.
        text = str(wire).strip()
        expected: int | str = (
            wire if isinstance(wire, int) else int(text) if text.isascii() and text.isdigit() else text
        )
        if type(value) not in (int, str) or value != expected:
            raise _fail(path, f"status-code {wire!r} -> {value!r}, expected {expected!r}")
    elif codec == "text":
        if type(value) is not str or value != str(wire):
            raise _fail(path, f"text {wire!r} -> {value!r}")
    else:
        raise _fail(path, f"unknown x-codec {codec!r}")


def _branch_for(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The anyOf branch an attrs model came from, by the component name the inliner recorded."""
    for branch in schema["anyOf"]:
        if branch.get(REF_KEY) == type(value).__name__:
            return dict(branch)
    raise _fail("?", f"no anyOf branch for {type(value).__name__}")


def check(schema: dict[str, Any], wire: Any, value: Any, path: str = "$") -> None:
    codec = schema.get("x-codec")
    if codec is not None:
        check_codec(codec, wire, value, path)
        return
    if "anyOf" in schema and attrs.has(type(value)):
        schema = _branch_for(schema, value)
    if attrs.has(type(value)):
        if not isinstance(wire, dict):
            raise _fail(path, f"model {type(value).__name__} from non-object {wire!r}")
        properties: dict[str, Any] = schema.get("properties", {})
        for key, raw in wire.items():
            name = attribute_name(key, type(value)) if key in properties else None
            if name is None:
                # Unknown fields (ClickSend adds some over time) must survive untouched.
                if value.additional_properties.get(key, object()) != raw:
                    raise _fail(f"{path}.{key}", "additional property lost or altered")
                continue
            check(properties[key], raw, getattr(value, name), f"{path}.{key}")
        return
    if isinstance(value, list) and isinstance(wire, list) and "items" in schema:
        if len(value) != len(wire):
            raise _fail(path, f"list of {len(wire)} parsed as {len(value)}")
        for index, (raw, item) in enumerate(zip(wire, value, strict=True)):
            check(schema["items"], raw, item, f"{path}[{index}]")
        return
    if value != wire or type(value) is not type(wire):
        raise _fail(path, f"plain field {wire!r} came back as {value!r}")
