"""The compiled decoders against the reference path on spec-generated bodies: every operation and documented
status (with ClickSend's possible extra keys and without), every wire variant of every x-codec schema, and any
JSON scalar in every codec field. The fast path's model must be the reference's exactly, or it must decline.

Each case also counts how often the fast path took the body, so a fast path that declines everything (and would
pass every equivalence check) fails here. Bounded and derandomized, like the other client_fuzz tests.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from clicksend_mms import models
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.helpers.equivalence import compare

from . import _gaps
from ._spec import REF_KEY, component, iter_responses, load_spec
from ._strategies import from_schema

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

RESPONSES = sorted(iter_responses())
SETTINGS = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _model(schema: dict[str, Any]) -> type[Any]:
    model: type[Any] = getattr(models, schema[REF_KEY])
    return model


def _fast_friendly(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy without the two things the fast path leaves to from_dict by design (overrides/README.md): keys the
    spec does not name, and numbers in text fields. What remains, it should take."""
    narrowed = _gaps.for_generation(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                node["additionalProperties"] = False
            if node.get("x-codec") == "text":
                node["anyOf"] = [branch for branch in node["anyOf"] if branch.get("type") != "integer"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(narrowed)
    return narrowed


def _run(model: type[Any], schema: dict[str, Any]) -> Counter[bool]:
    taken: Counter[bool] = Counter()

    @SETTINGS
    @given(body=from_schema(schema))
    def run(body: Any) -> None:
        taken[compare(model, json.dumps(body).encode()).accepted] += 1

    run()
    return taken


@pytest.mark.parametrize(
    ("operation_id", "status", "schema"),
    [(op, status, schema) for op, _, status, schema in RESPONSES],
    ids=[f"{op}-{status}" for op, _, status, _ in RESPONSES],
)
def test_generated_bodies_decode_as_the_reference(operation_id: str, status: str, schema: dict[str, Any]) -> None:
    model = _model(schema)
    spec_wide = _run(model, _gaps.for_generation(schema))
    friendly = _run(model, _fast_friendly(schema))
    # Any body: the same model or a decline. A body without what it declines by design: always taken.
    assert friendly[False] == 0, f"{operation_id} {status}: the fast path declined {friendly[False]} bodies"
    assert spec_wide.total() and friendly.total()


# -- every wire variant of every quirk, inside a real body ----------------------------------------------------------

HISTORY_ROW = ("data", "data", 0)


def _history() -> dict[str, Any]:
    from tests.helpers.spec import ROOT

    body: dict[str, Any] = json.loads((ROOT / "tests/fixtures/seeds/get_mms_history__200.json").read_text())
    return body


def _fields_by_component() -> dict[str, tuple[tuple[Any, ...], ...]]:
    """For each x-codec component: where it occurs in a history body (envelope, page, first row)."""
    spec = load_spec()["components"]["schemas"]
    places = {
        (): spec["MmsHistoryResponse"],
        ("data",): spec["MmsHistoryPage"],
        HISTORY_ROW: spec["MmsMessageRecord"],
    }
    found: dict[str, list[tuple[Any, ...]]] = {}
    for prefix, schema in places.items():
        for name, prop in schema["properties"].items():
            ref = prop.get("$ref", "")
            if ref.startswith("#/components/schemas/") and "x-codec" in spec[ref.rsplit("/", 1)[1]]:
                found.setdefault(ref.rsplit("/", 1)[1], []).append((*prefix, name))
    return {name: tuple(paths) for name, paths in found.items()}


FIELDS = _fields_by_component()
VARIANTS = [
    (name, index)
    for name, schema in sorted(load_spec()["components"]["schemas"].items())
    if "x-codec" in schema and "anyOf" in schema and name in FIELDS
    for index in range(len(schema["anyOf"]))
]


def _put(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def test_every_quirk_schema_occurs_in_the_history_body() -> None:
    quirks = {name for name, schema in load_spec()["components"]["schemas"].items() if "x-codec" in schema}
    assert set(FIELDS) == quirks


@pytest.mark.parametrize(("name", "branch"), VARIANTS, ids=[f"{n}-{b}" for n, b in VARIANTS])
def test_every_wire_variant_decodes_as_the_reference(name: str, branch: int) -> None:
    history = _history()
    variant = _gaps.for_generation(component(name))["anyOf"][branch]
    taken: Counter[bool] = Counter()

    @SETTINGS
    @given(raw=from_schema(variant), where=st.sampled_from(FIELDS[name]))
    def run(raw: Any, where: tuple[Any, ...]) -> None:
        taken[compare(models.MmsHistoryResponse, json.dumps(_put(history, where, raw)).encode()).accepted] += 1

    run()
    assert taken.total()


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=16),
    st.from_regex(r"\A-?[0-9]{0,15}(\.[0-9]{0,6})?\Z"),
)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_any_scalar_in_a_quirky_field_decodes_as_the_reference_or_declines(name: str) -> None:
    history = _history()

    @SETTINGS
    @given(raw=SCALARS, where=st.sampled_from(FIELDS[name]))
    def run(raw: Any, where: tuple[Any, ...]) -> None:
        compare(models.MmsHistoryResponse, json.dumps(_put(history, where, raw)).encode())

    run()
