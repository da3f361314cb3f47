"""Every wire variant of every quirky field (each anyOf branch of each x-codec schema), decoded and re-encoded.

The whole-response fuzz reaches these too, but only by chance; parametrizing by branch guarantees that string
and number prices, "" and numeric-string times, null ids... are each exercised on every run.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from clicksend_mms import codecs
from hypothesis import HealthCheck, given, settings

from . import _gaps, _oracle
from ._spec import component, load_spec
from ._strategies import from_schema

CODECS: dict[str, codecs.Codec[Any]] = {
    "money": codecs.MONEY,
    "integer": codecs.INTEGER,
    "unix-time": codecs.UNIX_TIME,
    "status-code": codecs.STATUS_CODE,
    "text": codecs.TEXT,
}


def _variants() -> list[tuple[str, int]]:
    schemas = load_spec()["components"]["schemas"]
    return [
        (name, index)
        for name, schema in sorted(schemas.items())
        if "x-codec" in schema and "anyOf" in schema
        for index in range(len(schema["anyOf"]))
    ]


VARIANTS = _variants()


@pytest.mark.parametrize(("name", "branch"), VARIANTS, ids=[f"{n}-{b}" for n, b in VARIANTS])
def test_codec_variant(name: str, branch: int) -> None:
    full = component(name)
    codec_name = full["x-codec"]
    codec = CODECS[codec_name]
    validator = jsonschema.Draft202012Validator(full)
    variant = _gaps.for_generation(full)["anyOf"][branch]

    @settings(
        max_examples=50, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(raw=from_schema(variant))
    def run(raw: Any) -> None:
        value = codec.decode(raw)
        _oracle.check_codec(codec_name, raw, value, name)
        if value is None:
            return
        wire = codec.encode(value)
        assert validator.is_valid(wire), f"{name}: {raw!r} -> {value!r} -> {wire!r} is not a valid {name}"
        assert codec.decode(wire) == value

    run()


def test_every_codec_is_exercised() -> None:
    used = {component(name)["x-codec"] for name, _ in VARIANTS}
    assert used == set(CODECS)
