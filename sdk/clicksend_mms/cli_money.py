"""Money as the CLI prints it, one way everywhere (tables, totals, --json): ClickSend's own four decimals.

ClickSend writes prices with four decimals (``"2.4200"``), six in one answer (``"2.420000"``) and totals as JSON
numbers (``72.6``, ``0``): the same amount would print three ways. Four, not the currency's two: ClickSend bills
fractions of a cent (an SMS part costs ``0.0725``), and rounding them away would misstate a charge. A value with
more places than four keeps them all: money is never rounded here.
"""

from __future__ import annotations

import inspect
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from . import models

PLACES = 4
_QUANTUM = Decimal(1).scaleb(-PLACES)


def _money_fields() -> frozenset[str]:
    """The fields the generated models decode to Decimal (the spec's Money, ``x-codec: money``)."""
    return frozenset(
        field.name
        for model in vars(models).values()
        if inspect.isclass(model) and attrs.has(model)
        for field in attrs.fields(model)
        if "Decimal" in str(field.type)
    )


MONEY_FIELDS = _money_fields()


def money(value: Decimal) -> str:
    """``Decimal("72.6")`` -> ``"72.6000"``; ``Decimal("2.420000")`` -> ``"2.4200"``; ``Decimal("0.07255")`` stays."""
    if not value.is_finite():
        return str(value)
    exact = value.quantize(_QUANTUM)
    return format(exact if exact == value else value.normalize(), "f")


def money_in_json(value: Any) -> Any:
    """A model's ``to_dict()`` (or a list of them) with every money field written as ``money`` writes it."""
    if isinstance(value, list):
        return [money_in_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: _money_value(item) if key in MONEY_FIELDS else money_in_json(item) for key, item in value.items()}


def _money_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return value  # None (or a shape the wire never had): as it came
    try:
        return money(Decimal(str(value)))
    except InvalidOperation:
        return value
