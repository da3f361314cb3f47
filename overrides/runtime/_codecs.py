"""Wire-quirk codecs: ClickSend's many spellings of one value -> one Python type, and back.

Each spec schema with an ``x-codec`` extension names one codec below; generated models call
``decode``/``require`` in ``from_dict`` and ``encode`` in ``to_dict``. The table in
overrides/README.md says which quirk each codec absorbs.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

T = TypeVar("T")
JSONScalar = str | int | float | None

# Unix times above this are milliseconds: 10**11 seconds is the year 5138, while ClickSend
# echoes a schedule given in ms as ms (1467356623000).
_MS_THRESHOLD = 10**11
_WHOLE = re.compile(r"^-?[0-9]+(\.0+)?$")
_DIGITS = re.compile(r"^[0-9]+$")


class WireFormatError(ValueError):
    """A value that no documented variant of its field explains (e.g. a fractional message count)."""


class Codec(Generic[T]):
    """Decode any wire variant of a field to ``T`` (or ``None`` for empty) and encode it back."""

    def __init__(self, name: str, decode: Callable[[str | int | float], T], encode: Callable[[T], JSONScalar]):
        self.name = name
        self._decode = decode
        self._encode = encode

    def decode(self, raw: object) -> T | None:
        # "" and null both mean "no value" on ClickSend's wire; generated models pass None for a missing key.
        if raw is None or raw == "":
            return None
        if not isinstance(raw, (str, int, float)):
            raise WireFormatError(f"{self.name}: unexpected {type(raw).__name__} {raw!r}")
        return self._decode(raw)

    def require(self, raw: object) -> T:
        value = self.decode(raw)
        if value is None:
            raise WireFormatError(f"{self.name}: a value is required, got {raw!r}")
        return value

    def encode(self, value: T | None) -> JSONScalar:
        return None if value is None else self._encode(value)

    def __repr__(self) -> str:
        return f"Codec({self.name!r})"


def _money(raw: str | int | float) -> Decimal:
    if isinstance(raw, bool):
        raise WireFormatError(f"money: {raw!r} is not an amount")
    try:
        # str(float) is the shortest repr, so 19.36 stays Decimal("19.36"), not 19.3599999...
        return Decimal(raw if isinstance(raw, str) else str(raw))
    except InvalidOperation:
        raise WireFormatError(f"money: {raw!r} is not a decimal amount") from None


def _integer(raw: str | int | float) -> int:
    if isinstance(raw, bool):
        raise WireFormatError(f"integer: {raw!r} is not a number")
    if isinstance(raw, int):
        return raw
    text = repr(raw) if isinstance(raw, float) else raw.strip()
    # "1.00" is a whole count; "1.50" is not one ClickSend sends, and rounding would hide a change on its side.
    if not _WHOLE.match(text):
        raise WireFormatError(f"integer: {raw!r} is not a whole number")
    return int(Decimal(text))


def _unix_time(raw: str | int | float) -> datetime.datetime:
    if isinstance(raw, bool) or (isinstance(raw, str) and not _DIGITS.match(raw)):
        raise WireFormatError(f"unix-time: {raw!r} is not a unix time")
    seconds = Decimal(raw if isinstance(raw, str) else str(raw))
    if seconds >= _MS_THRESHOLD:
        seconds /= 1000
    return datetime.datetime.fromtimestamp(float(seconds), tz=datetime.UTC)


def _encode_unix_time(value: datetime.datetime) -> int:
    if value.tzinfo is None:
        raise WireFormatError("unix-time: naive datetimes are ambiguous; pass an aware one")
    millis = round(value.timestamp() * 1000)
    # Whole seconds go back as seconds; a sub-second time can only have come from milliseconds.
    return millis // 1000 if millis % 1000 == 0 else millis


def _status_code(raw: str | int | float) -> int | str:
    if isinstance(raw, bool):
        raise WireFormatError(f"status-code: {raw!r} is not a status")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    return int(text) if _DIGITS.match(text) else text


def _encode_status_code(value: int | str) -> str:
    # ClickSend writes numeric codes as strings ("201"); the word ("Completed") goes back as it came.
    return str(value)


def _text(raw: str | int | float) -> str:
    if isinstance(raw, bool):
        raise WireFormatError(f"text: {raw!r} is not text")
    return raw if isinstance(raw, str) else str(raw)


def _identity_str(value: str) -> str:
    return value


MONEY: Codec[Decimal] = Codec("money", _money, str)
INTEGER: Codec[int] = Codec("integer", _integer, int)
UNIX_TIME: Codec[datetime.datetime] = Codec("unix-time", _unix_time, _encode_unix_time)
STATUS_CODE: Codec[int | str] = Codec("status-code", _status_code, _encode_status_code)
TEXT: Codec[str] = Codec("text", _text, _identity_str)

__all__ = ["INTEGER", "MONEY", "STATUS_CODE", "TEXT", "UNIX_TIME", "Codec", "WireFormatError"]
