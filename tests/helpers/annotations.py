"""Check that a parsed model's runtime values match its annotations, field by field, recursively."""

from __future__ import annotations

import datetime
import sys
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
import clicksend_mms.models
from clicksend_mms.types import Unset

_NAMESPACE = {**vars(clicksend_mms.models), "Decimal": Decimal, "datetime": datetime, "Unset": Unset}


def _matches(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arm) for arm in typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(annotation)
        return isinstance(value, dict) and all(_matches(k, key) and _matches(v, item) for k, v in value.items())
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, annotation)


def mismatches(model: Any, path: str = "$") -> list[str]:
    """Every field whose value is not an instance of its annotation; empty when the model is honest."""
    problems: list[str] = []
    module = sys.modules[type(model).__module__]
    hints = typing.get_type_hints(type(model), globalns={**vars(typing), **_NAMESPACE, **vars(module)})
    for field in attrs.fields(type(model)):
        if field.name == "additional_properties":
            continue
        value = getattr(model, field.name)
        annotation = hints[field.name]
        if not _matches(value, annotation):
            problems.append(f"{path}.{field.alias or field.name}: {value!r} is not {annotation}")
        for child_path, child in _children(value, f"{path}.{field.alias or field.name}"):
            problems.extend(mismatches(child, child_path))
    return problems


def _children(value: Any, path: str) -> list[tuple[str, Any]]:
    if attrs.has(type(value)):
        return [(path, value)]
    if isinstance(value, list):
        return [(f"{path}[{i}]", v) for i, v in enumerate(value) if attrs.has(type(v))]
    return []
