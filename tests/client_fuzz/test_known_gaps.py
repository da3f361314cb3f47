"""Client faults the fuzzer found, kept as regression tests now that they are fixed (codecs and spec).

A fault found later goes here as a strict xfail with its generation narrowing in _gaps.py; fixing it makes the
xfail XPASS and fail the run, and the narrowing is deleted with the marker.
"""

from __future__ import annotations

import datetime

import jsonschema
import pytest
from clicksend_mms import codecs
from clicksend_mms.models import BadRequestError, MmsMessageRecord, MmsReceipt

from ._spec import component


def _valid(name: str, wire: object) -> bool:
    return jsonschema.Draft202012Validator(component(name)).is_valid(wire)


def test_money_tiny_and_huge_numbers_are_written_as_plain_decimals() -> None:
    for raw in (1e-07, 1e20):
        record = MmsMessageRecord.from_dict({"message_id": "A", "status": "Sent", "message_price": raw})
        assert _valid("MmsMessageRecord", record.to_dict()), record.to_dict()["message_price"]


def test_out_of_range_unix_time_is_a_wire_format_error() -> None:
    # Was GAP unix-time-range (a bare OSError/ValueError escaped); fixed in the codecs, kept as a regression test.
    for raw in (10**20, "99999999999999999999", 2**63):
        with pytest.raises(codecs.WireFormatError):
            MmsReceipt.from_dict({"message_id": "A", "timestamp": raw})


def test_far_future_millisecond_time_round_trips() -> None:
    receipt = MmsReceipt.from_dict({"message_id": "A", "timestamp": 10**14})
    assert receipt.timestamp is not None and receipt.timestamp.year == 5138
    assert MmsReceipt.from_dict(receipt.to_dict()) == receipt


def test_negative_status_code_is_not_a_wire_value() -> None:
    # Was GAP status-code-negative (-5 written back as "-5", valid in no branch): the spec now says status codes
    # are never negative, so -5 is outside the contract instead of a value the client must echo.
    assert not _valid("MmsReceipt", {"message_id": "A", "status_code": -5})
    assert _valid("MmsReceipt", {"message_id": "A", "status_code": 301})


def test_integer_bad_request_code_is_written_back_validly() -> None:
    error = BadRequestError.from_dict({"http_code": 400, "response_code": 400, "response_msg": "Bad request."})
    assert _valid("BadRequestError", error.to_dict()), error.to_dict()


def test_aware_datetimes_are_utc() -> None:
    # Guard for the oracle itself: the normalized time type is an aware UTC datetime.
    receipt = MmsReceipt.from_dict({"message_id": "A", "timestamp": "1451200622"})
    assert receipt.timestamp == datetime.datetime(2015, 12, 27, 7, 17, 2, tzinfo=datetime.UTC)
