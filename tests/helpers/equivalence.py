"""The compiled decoders (clicksend_mms.fast_decode) against the reference path (``Model.from_dict(json.loads(...))``).

``compare(model, content)`` runs both on the same bytes and returns what happened: the fast path either declined
(None: the reference decides, whatever it does) or gave a model, which must then be the reference's model exactly:
the same classes, the same values with the same runtime types (``Decimal("2.4200")`` is not ``Decimal("2.42")``,
``1`` is not ``1.0`` or ``True``) and the same ``to_dict()``. Accepting a body the reference rejects is a divergence.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
from clicksend_mms import fast_decode


class Divergence(AssertionError):
    pass


def differences(fast: Any, ref: Any, path: str = "$") -> list[str]:
    """Where ``fast`` and ``ref`` differ, by type, value or representation; empty when they are the same."""
    if type(fast) is not type(ref):
        return [f"{path}: {type(fast).__name__} {fast!r} != {type(ref).__name__} {ref!r}"]
    if attrs.has(type(fast)):
        found: list[str] = []
        for field in attrs.fields(type(fast)):
            found += differences(getattr(fast, field.name), getattr(ref, field.name), f"{path}.{field.name}")
        return found
    if isinstance(fast, list):
        if len(fast) != len(ref):
            return [f"{path}: {len(fast)} items != {len(ref)}"]
        return [d for i, (f, r) in enumerate(zip(fast, ref, strict=True)) for d in differences(f, r, f"{path}[{i}]")]
    if isinstance(fast, dict):
        if list(fast) != list(ref):
            return [f"{path}: keys {list(fast)} != {list(ref)}"]
        return [d for key in fast for d in differences(fast[key], ref[key], f"{path}.{key}")]
    if isinstance(fast, Decimal):
        same = fast.as_tuple() == ref.as_tuple()
    elif isinstance(fast, datetime.datetime):
        same = (fast.isoformat(), fast.tzinfo, fast.fold) == (ref.isoformat(), ref.tzinfo, ref.fold)
    elif isinstance(fast, float):
        same = repr(fast) == repr(ref)
    else:
        same = fast == ref
    return [] if same else [f"{path}: {fast!r} != {ref!r}"]


@dataclasses.dataclass(frozen=True)
class Outcome:
    accepted: bool  # the fast path gave a model (it matched the reference's, or compare raised)
    reference: Any  # the reference's model, or the exception it raised


def reference(model: type[Any], content: bytes) -> Any:
    """The reference path's model, or the exception it raises."""
    try:
        return model.from_dict(json.loads(content))
    except Exception as exc:  # the reference's own error, whatever it is, is what callers see
        return exc


def compare(
    model: type[Any], content: bytes, decode: Callable[[type[Any], bytes], Any] = fast_decode.decode
) -> Outcome:
    """Both paths on ``content``; raises Divergence where the fast path's model is not the reference's."""
    ref = reference(model, content)
    fast = decode(model, content)
    if fast is None:
        return Outcome(False, ref)
    if isinstance(ref, Exception):
        raise Divergence(f"the fast path accepted what from_dict rejects ({ref!r}): {content[:300]!r}")
    found = differences(fast, ref) + differences(fast.to_dict(), ref.to_dict(), "to_dict()")
    if found:
        raise Divergence(f"{model.__name__}: " + "; ".join(found[:5]) + f" in {content[:300]!r}")
    return Outcome(True, ref)
