"""Wire-quirk codecs: ClickSend's many spellings of one value -> one Python type, and back.

Each spec schema with an ``x-codec`` extension names one codec below; generated models call
``decode``/``require`` in ``from_dict`` and ``encode`` in ``to_dict``. The table in
overrides/README.md says which quirk each codec absorbs.

Decoding dispatches on the exact wire type (str / int / float) once, because a history page holds thousands
of these fields and this is the client's hot path (see benchmarks/). The compiled decoders (``fast_decode``)
inline the commonest spellings and call back here for the rest; ``seen`` spares them the call for wire strings
that repeat row after row (prices, counts, status codes).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")
JSONScalar = str | int | float | None

# Unix times above this are milliseconds: 10**11 seconds is the year 5138, while ClickSend
# echoes a schedule given in ms as ms (1467356623000).
_MS_THRESHOLD = 10**11
_WHOLE = re.compile(r"^-?[0-9]+(\.0+)?$")
_UTC = datetime.UTC
_fromtimestamp = datetime.datetime.fromtimestamp
# A bound on each codec's memo of wire strings: a history has a handful of prices and counts; anything past this
# is not a repeating spelling, and clearing keeps memory flat whatever the server sends.
_SEEN_MAX = 512


class WireFormatError(ValueError):
    """A value that no documented variant of its field explains (e.g. a fractional message count)."""


class Codec(Generic[T]):
    """Decode any wire variant of a field to ``T`` (or ``None`` for empty) and encode it back."""

    def __init__(
        self,
        name: str,
        from_str: Callable[[str], T],
        from_number: Callable[[int | float], T],
        encode: Callable[[T], JSONScalar],
    ) -> None:
        self.name = name
        self._from_str = from_str
        self._from_number = from_number
        self._encode = encode
        # Wire string -> decode(string), filled by decode_seen: the compiled decoders look it up instead of calling.
        self.seen: dict[str, T | None] = {}

    def decode(self, raw: object) -> T | None:
        # "" and null both mean "no value" on ClickSend's wire; generated models pass None for a missing key.
        # Exact class checks: bool is an int subclass, and True is never a count, price or time.
        cls = raw.__class__
        try:
            if cls is str:
                return self._from_str(raw) if raw else None  # type: ignore[arg-type]
            if raw is None:
                return None
            if cls is int or cls is float:
                return self._from_number(raw)  # type: ignore[arg-type]
        except (ValueError, ArithmeticError, OSError) as exc:  # OverflowError is an ArithmeticError
            if isinstance(exc, WireFormatError):
                raise
            raise WireFormatError(f"{self.name}: {raw!r} is not a valid value") from exc
        raise WireFormatError(f"{self.name}: unexpected {cls.__name__} {raw!r}")

    def decode_seen(self, raw: object) -> T | None:
        """``decode``, remembering the value of a wire string so that ``seen`` answers it next time."""
        value = self.decode(raw)
        if isinstance(raw, str):
            if len(self.seen) >= _SEEN_MAX:
                self.seen.clear()
            self.seen[raw] = value
        return value

    def require(self, raw: object) -> T:
        value = self.decode(raw)
        if value is None:
            raise WireFormatError(f"{self.name}: a value is required, got {raw!r}")
        return value

    def encode(self, value: T | None) -> JSONScalar:
        return None if value is None else self._encode(value)

    def __repr__(self) -> str:
        return f"Codec({self.name!r})"


def _money_from_str(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise WireFormatError(f"money: {raw!r} is not a decimal amount") from None
    if not value.is_finite():
        raise WireFormatError(f"money: {raw!r} is not an amount")
    return value


def _money_from_number(raw: int | float) -> Decimal:
    # repr(float) is the shortest round-tripping text, so 19.36 stays Decimal("19.36"), not 19.3599999...
    return Decimal(raw) if raw.__class__ is int else _money_from_str(repr(raw))


def _integer_from_str(raw: str) -> int:
    whole, dot, fraction = raw.partition(".")
    # "15" and history's "1.00" without a regex: they are nearly every count on the wire.
    if whole.isascii() and whole.isdigit() and (not dot or (fraction.isdigit() and not fraction.strip("0"))):
        return int(whole)
    # "1.00" is a whole count; "1.50" is not one ClickSend sends, and rounding would hide a change on its side.
    text = raw.strip()
    if not _WHOLE.match(text):
        raise WireFormatError(f"integer: {raw!r} is not a whole number")
    return int(Decimal(text))


def _integer_from_number(raw: int | float) -> int:
    if raw.__class__ is int:
        return int(raw)
    if not float(raw).is_integer():
        raise WireFormatError(f"integer: {raw!r} is not a whole number")
    return int(raw)


def _time_from_number(raw: int | float) -> datetime.datetime:
    if raw < 0:
        raise WireFormatError(f"unix-time: {raw!r} is before 1970")
    if raw >= _MS_THRESHOLD:
        seconds = Decimal(raw) / 1000 if raw.__class__ is int else raw / 1000  # Decimal keeps ms exact
        return _fromtimestamp(float(seconds), tz=_UTC)
    return _fromtimestamp(raw, tz=_UTC)


def _time_from_str(raw: str) -> datetime.datetime:
    if not (raw.isascii() and raw.isdigit()):
        raise WireFormatError(f"unix-time: {raw!r} is not a unix time")
    return _time_from_number(int(raw))


def _encode_unix_time(value: datetime.datetime) -> int:
    if value.tzinfo is None:
        raise WireFormatError("unix-time: naive datetimes are ambiguous; pass an aware one")
    millis = round(value.timestamp() * 1000)
    # Whole seconds go back as seconds; a sub-second time, or one whose seconds would read as milliseconds
    # (past the year 5138), goes back in milliseconds so that decoding it gives the same time.
    return millis // 1000 if millis % 1000 == 0 and millis // 1000 < _MS_THRESHOLD else millis


def _status_from_str(raw: str) -> int | str:
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() else text


def _status_from_number(raw: int | float) -> int | str:
    return _integer_from_number(raw)


def _encode_status_code(value: int | str) -> str:
    # ClickSend writes numeric codes as strings ("201"); the word ("Completed") goes back as it came.
    return str(value)


def _text_from_str(raw: str) -> str:
    return raw


def _text_from_number(raw: int | float) -> str:
    return str(raw)


def _encode_money(value: Decimal) -> str:
    # Fixed-point, scale kept: Decimal("2.4200") -> "2.4200", and never str()'s "1E-7" or "1E+20".
    return format(value, "f")


MONEY: Codec[Decimal] = Codec("money", _money_from_str, _money_from_number, _encode_money)
INTEGER: Codec[int] = Codec("integer", _integer_from_str, _integer_from_number, int)
UNIX_TIME: Codec[datetime.datetime] = Codec("unix-time", _time_from_str, _time_from_number, _encode_unix_time)
STATUS_CODE: Codec[int | str] = Codec("status-code", _status_from_str, _status_from_number, _encode_status_code)
TEXT: Codec[str] = Codec("text", _text_from_str, _text_from_number, str)

# Bound once so generated models call them without per-field attribute lookups (the decode hot path).
decode_money, require_money = MONEY.decode, MONEY.require
decode_integer, require_integer = INTEGER.decode, INTEGER.require
decode_unix_time, require_unix_time = UNIX_TIME.decode, UNIX_TIME.require
decode_status_code, require_status_code = STATUS_CODE.decode, STATUS_CODE.require
decode_text, require_text = TEXT.decode, TEXT.require
_TIMES = list[datetime.datetime | None]


def decode_unix_times(raws: list[object]) -> list[datetime.datetime | None]:
    """``decode_unix_time`` of every value of a column (one field of every row of a page). The commonest spellings,
    int seconds, strings of at most 11 ASCII digits (so below 10**11), "" and null, become seconds in one pass and
    datetimes in one msgspec call; any other value goes to the codec.

    msgspec's lax int -> datetime gives fromtimestamp(seconds, UTC) for these seconds (tests/core/test_fast_decode.py);
    its other lax conversions (ISO strings, negative or fractional numbers) never see a value.
    """
    seconds = [
        raw
        if type(raw) is int and 0 <= raw < _MS_THRESHOLD
        else None
        if raw is None or raw == ""
        else int(raw)
        if type(raw) is str and 0 < len(raw) < 12 and raw.isdigit() and raw.isascii()
        else -1
        for raw in raws
    ]
    times: list[datetime.datetime | None] = msgspec.convert(seconds, _TIMES, strict=False)
    if -1 in seconds:
        return [decode_unix_time(raw) if s == -1 else t for raw, s, t in zip(raws, seconds, times, strict=True)]
    return times


# What the compiled decoders (fast_decode) use beside the above: memo lookups and the calls that fill them.
money_seen, decode_money_seen = MONEY.seen, MONEY.decode_seen
integer_seen, decode_integer_seen = INTEGER.seen, INTEGER.decode_seen
status_code_seen, decode_status_code_seen = STATUS_CODE.seen, STATUS_CODE.decode_seen

__all__ = ["INTEGER", "MONEY", "STATUS_CODE", "TEXT", "UNIX_TIME", "Codec", "WireFormatError"]
