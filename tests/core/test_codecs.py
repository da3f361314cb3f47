"""The wire-quirk codecs, one documented variant at a time (overrides/README.md has the table)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from clicksend_mms.codecs import INTEGER, MONEY, STATUS_CODE, TEXT, UNIX_TIME, WireFormatError

UTC = datetime.UTC
T0 = datetime.datetime(2016, 7, 1, 7, 3, 43, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [("2.4200", "2.4200"), ("2.420000", "2.420000"), ("0.0000", "0.0000"), (19.36, "19.36"), (0, "0"), (0.07, "0.07")],
)
def test_money_is_exact(wire: object, expected: str) -> None:
    value = MONEY.require(wire)
    assert isinstance(value, Decimal) and str(value) == expected
    assert MONEY.decode(MONEY.encode(value)) == value


@pytest.mark.parametrize("wire", ["2,42", "abc", True, [], {}])
def test_money_rejects_what_no_variant_explains(wire: object) -> None:
    with pytest.raises(WireFormatError):
        MONEY.decode(wire)


@pytest.mark.parametrize(
    ("wire", "expected"), [(1, 1), ("1.00", 1), ("1", 1), (0, 0), ("15", 15), (2.0, 2), ("", None), (None, None)]
)
def test_integer_variants(wire: object, expected: int | None) -> None:
    assert INTEGER.decode(wire) == expected
    assert INTEGER.decode(wire).__class__ is type(expected)


@pytest.mark.parametrize("wire", ["1.50", "1.5", 1.5, "x", False])
def test_fractional_or_non_numeric_counts_are_errors_not_rounded(wire: object) -> None:
    with pytest.raises(WireFormatError):
        INTEGER.decode(wire)


def test_required_field_that_is_empty_is_an_error() -> None:
    with pytest.raises(WireFormatError):
        INTEGER.require("")


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (1467356623, T0),
        ("1467356623", T0),
        (1467356623000, T0),  # an echoed millisecond schedule
        ("1467356623500", T0 + datetime.timedelta(milliseconds=500)),
        ("", None),
        (None, None),
    ],
)
def test_unix_time_variants_become_aware_utc(wire: object, expected: datetime.datetime | None) -> None:
    value = UNIX_TIME.decode(wire)
    assert value == expected
    if value is not None:
        assert value.tzinfo is not None and value.utcoffset() == datetime.timedelta(0)


def test_unix_time_encodes_seconds_or_milliseconds() -> None:
    assert UNIX_TIME.encode(T0) == 1467356623
    assert UNIX_TIME.encode(T0 + datetime.timedelta(milliseconds=500)) == 1467356623500
    with pytest.raises(WireFormatError):
        UNIX_TIME.encode(T0.replace(tzinfo=None))


@pytest.mark.parametrize("wire", ["yesterday", "-5", "1.5"])
def test_unix_time_rejects_non_times(wire: object) -> None:
    with pytest.raises(WireFormatError):
        UNIX_TIME.decode(wire)


@pytest.mark.parametrize(
    ("wire", "expected", "back"),
    [
        ("301", 301, "301"),
        (201, 201, "201"),
        ("Completed", "Completed", "Completed"),
        (None, None, None),
        ("", None, None),
    ],
)
def test_status_code_keeps_words_and_numbers_apart(wire: object, expected: object, back: object) -> None:
    assert STATUS_CODE.decode(wire) == expected
    assert STATUS_CODE.encode(STATUS_CODE.decode(wire)) == back


@pytest.mark.parametrize(("wire", "expected"), [("", None), (None, None), ("Telstra", "Telstra"), (400, "400")])
def test_text_empty_is_none(wire: object, expected: str | None) -> None:
    assert TEXT.decode(wire) == expected
