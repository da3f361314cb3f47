"""The compiled decoders against the reference path, on every known payload and on bad input.

The contract (overrides/fast_decode.py): ``fast_decode.decode`` accepts only what ``from_dict`` accepts and then
returns the same model (same classes, values, runtime types, ``to_dict()``); everything else it declines, so the
reference path raises its own error. The hypothesis-generated side is tests/client_fuzz/test_fuzz_fast_decode.py.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from clicksend_mms import ClickSend, UnexpectedResponseError, codecs, fast_decode, models
from clicksend_mms.models import MmsHistoryResponse, SendMmsResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import spec
from tests.helpers.equivalence import Divergence, compare, differences, reference
from tests.helpers.payloads import known_payloads

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

SEEDS = spec.ROOT / "tests" / "fixtures" / "seeds"
HISTORY = json.loads((SEEDS / "get_mms_history__200.json").read_text())
SEND = json.loads((SEEDS / "send_mms__200.json").read_text())
RESPONSES = [p for p in known_payloads() if p.kind != "request"]


def model_for(operation_id: str, status: str) -> type[Any]:
    ref: str = spec.response_schema(operation_id, status)["$ref"]
    model: type[Any] = getattr(models, ref.rsplit("/", 1)[1])
    return model


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def reordered(body: Any) -> Any:
    """The same JSON with every object's keys in reverse order (the Structs are tuned for one order, not bound)."""
    if isinstance(body, dict):
        return {k: reordered(body[k]) for k in reversed(body)}
    if isinstance(body, list):
        return [reordered(v) for v in body]
    return body


# -- every known payload -------------------------------------------------------------------------------------------


# Published payloads with a spelling the fast path leaves to from_dict (overrides/codec_property.py says why).
DECLINED = {"apisguru/upload_media__200": "upload_id is a number, in a text field"}


@pytest.mark.parametrize("payload", RESPONSES, ids=[p.name for p in RESPONSES])
def test_known_payload_decodes_to_the_reference_model(payload: Any) -> None:
    model = model_for(payload.operation_id, payload.kind)
    outcome = compare(model, dumps(payload.body))
    assert compare(model, dumps(reordered(payload.body))).accepted == outcome.accepted
    # Known payloads are ClickSend's own: the fast path takes every one of them but the few listed.
    assert outcome.accepted is (payload.name not in DECLINED), f"from_dict gives {outcome.reference!r}"


def test_every_response_model_has_a_compiled_decoder() -> None:
    roots = {model_for(op.operation_id, status) for op in spec.operations() for status in _json_statuses(op)}
    assert roots <= fast_decode.supported(), sorted(m.__name__ for m in roots - fast_decode.supported())


def _json_statuses(op: spec.Operation) -> Iterator[str]:
    for status, response in op.body["responses"].items():
        if "application/json" in spec.resolve(response).get("content", {}):
            yield status


def test_a_success_envelope_never_takes_an_error_envelope() -> None:
    # The SDK relies on it: a 2xx carrying ClickSend's error envelope must reach the reference path, which raises.
    error = dumps(
        {"http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": "Authorization failed.", "data": None}
    )
    for op in spec.operations():
        success = model_for(op.operation_id, "200")
        assert fast_decode.decode(success, error) is None, success.__name__


# -- bad input: the fast path declines it, and callers see the reference's error ----------------------------------


def codec_paths(schema: dict[str, Any], body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path into body, x-codec) of every codec field the schema declares, present or not, down the first row."""
    schema = spec.resolve(schema)
    for branch in schema.get("anyOf", []):  # a union of models: the branch whose required keys the body has
        resolved = spec.resolve(branch)
        if isinstance(body, dict) and "properties" in resolved and set(resolved.get("required", [])) <= set(body):
            yield from codec_paths(resolved, body, path)
            return
    for name, prop in schema.get("properties", {}).items():
        target = spec.resolve(prop)
        if "x-codec" in target:
            yield (*path, name), target["x-codec"]
        elif isinstance(body, dict) and isinstance(body.get(name), dict):
            yield from codec_paths(target, body[name], (*path, name))
        elif isinstance(body, dict) and isinstance(body.get(name), list) and body[name] and "items" in target:
            yield from codec_paths(target["items"], body[name][0], (*path, name, 0))


def substituted(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


# Spellings no codec takes, spellings msgspec's lax mode would take (the fast path must not), and edge values.
BAD_VALUES: list[Any] = [
    *("1e2", "1E2", "null", "NaN", "nan", "Infinity", "-Infinity", " 2", "2 ", "+5", "-5", "1.50", "1.", ".5"),
    *("0x10", "1_000", "\uff11", "\u0663", "2016-07-01T07:03:43Z", "2016-07-01", "1467356623.0", "1467356623.5"),
    *("99999999999999999999", "", "yes", "00001467356623", "1467356623000", "100000000000", "99999999999"),
    *(True, False, -5, -1, 0, 1.5, 2.0, -0.0, 1e-07, 1e20, 10**11, 10**11 - 1, 10**20, 2**63, 1467356623000),
    *([], {}, ["x"], {"a": 1}, None),
]
RECEIPT = json.loads((spec.ROOT / "tests/fixtures/apisguru/get_mms_receipt__200.json").read_text())["payload"]
SEEDS_WITH_CODECS = [
    ("get_mms_history", HISTORY, MmsHistoryResponse),
    ("send_mms", SEND, SendMmsResponse),
    ("get_mms_receipt", RECEIPT, models.MmsReceiptResponse),  # a union of models
]
FIELDS = [
    (op, body, model, path, codec)
    for op, body, model in SEEDS_WITH_CODECS
    for path, codec in codec_paths(spec.response_schema(op, "200"), body)
]


@pytest.mark.parametrize(
    ("body", "model", "path"),
    [(body, model, path) for _, body, model, path, _ in FIELDS],
    ids=[f"{op}-{'.'.join(map(str, path))}-{codec}" for op, _, _, path, codec in FIELDS],
)
def test_odd_values_decode_as_the_reference_or_decline(body: Any, model: type[Any], path: tuple[Any, ...]) -> None:
    for value in BAD_VALUES:
        compare(model, dumps(substituted(body, path, value)))


def test_an_error_is_the_reference_error_through_the_generated_api_and_the_sdk() -> None:
    checked = 0
    for _, body, model, path, _ in FIELDS:
        if model is not MmsHistoryResponse:
            continue
        for value in BAD_VALUES:
            content = dumps(substituted(body, path, value))
            expected = reference(model, content)
            if not isinstance(expected, codecs.WireFormatError):
                continue
            assert fast_decode.decode(model, content) is None
            module = importlib.import_module("clicksend_mms.api.mms.get_mms_history")
            client = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
            with pytest.raises(codecs.WireFormatError) as raised:
                module._parse_response(client=client, response=httpx.Response(200, content=content))
            assert str(raised.value) == str(expected)
            with (
                ClickSend(
                    "u", "k", transport=httpx.MockTransport(lambda _, c=content: httpx.Response(200, content=c))
                ) as sdk,
                pytest.raises(UnexpectedResponseError) as wrapped,
            ):
                sdk.history()
            assert type(wrapped.value.__cause__) is type(expected) and str(wrapped.value.__cause__) == str(expected)
            checked += 1
    assert checked >= 50, checked  # every codec field of a history row, several bad spellings each


def _json_edges() -> list[bytes]:
    row = HISTORY["data"]["data"][0]
    text = dumps(HISTORY)
    return [
        text.replace(b'"carrier":""', b'"carrier":"","carrier":"Telstra"'),  # duplicate key: the last one wins
        text.replace(b'"carrier":""', b'"carrier":"\\ud800"'),  # a lone surrogate: json.loads keeps it
        text.replace(b'"carrier":""', b'"carrier":"\\u00e9\\n\\"x\\""'),
        text.replace(b'"message_price":"2.4200"', b'"message_price":1e400'),
        text.replace(b'"message_price":"2.4200"', b'"message_price":19.360'),  # not repr(float)'s text
        text.replace(b'"message_price":"2.4200"', b'"message_price":NaN'),
        b"\xef\xbb\xbf" + text,  # a BOM: json.loads takes bytes with one
        text + b"  \n",
        dumps(substituted(HISTORY, ("data", "data", 0), {**row, "bogus": 1})),  # an additional property
        dumps(substituted(HISTORY, ("data", "data", 0), {k: v for k, v in row.items() if k != "direction"})),
        dumps(substituted(HISTORY, ("data", "data", 0, "status"), None)),  # a plain field as null
        dumps(substituted(HISTORY, ("data", "data", 0, "message_id"), 7)),  # from_dict keeps a non-string as is
        dumps(substituted(HISTORY, ("http_code",), 200.0)),  # from_dict keeps the float
        dumps(substituted(HISTORY, ("http_code",), 201)),
        dumps(substituted(HISTORY, ("data", "next_page_url"), 5)),
    ]


JSON_EDGES = _json_edges()


def test_json_edge_cases_agree() -> None:
    for content in JSON_EDGES:
        compare(MmsHistoryResponse, content)


def test_a_union_of_models_is_decoded_branch_by_branch() -> None:
    record = {
        "http_code": 200,
        "response_code": "SUCCESS",
        "response_msg": "Your receipt.",
        "data": HISTORY["data"]["data"][0],
    }
    receipt = {**record, "data": {"message_id": "A", "status_code": "201", "timestamp": 1722565661}}
    both = {**record, "data": {**HISTORY["data"]["data"][0], "timestamp": 1722565661}}  # a record, plus a receipt key
    assert compare(models.MmsReceiptResponse, dumps(record)).accepted
    assert compare(models.MmsReceiptResponse, dumps(receipt)).accepted
    # from_dict tries the record first and fails on the unknown key; the fast path must not guess either branch.
    assert not compare(models.MmsReceiptResponse, dumps(both)).accepted


def test_remembered_spellings_stay_bounded_and_right() -> None:
    prices = [f"{i}.4200" for i in range(3 * codecs._SEEN_MAX)]
    page = copy.deepcopy(HISTORY)
    rows = page["data"]["data"]
    for start in range(0, len(prices), len(rows)):
        for row, price in zip(rows, prices[start : start + len(rows)], strict=False):
            row["message_price"] = price
        assert compare(MmsHistoryResponse, dumps(page)).accepted
        assert len(codecs.MONEY.seen) <= codecs._SEEN_MAX


# -- planted divergences: each must be caught by the checks above ---------------------------------------------------

SOURCE = (Path(fast_decode.__file__)).read_text(encoding="utf-8")


def _text(old: str, new: str) -> tuple[str, str]:
    return re.escape(old), new.replace("\\", "\\\\")


# (pattern, replacement) pairs: plain text, or a pattern where the formatter wraps a long expression.
MUTANTS: dict[str, list[tuple[str, str]]] = {
    "text keeps an empty string": [_text("w.carrier or None", "w.carrier")],
    "text takes a number as it is": [_text("    carrier: str | None = None", "    carrier: str | int | None = None")],
    "unknown keys are dropped": [_text("forbid_unknown_fields=True", "forbid_unknown_fields=False")],
    "a fractional count rounded": [_text("decode_integer_seen(v_message_parts)", "int(float(v_message_parts or 0))")],
    "milliseconds read as seconds": [
        _text(
            "decode_unix_times([w.schedule for w in ws])",
            "[from_unix_seconds(int(v), UTC) if v and v.isdigit() else None for v in [w.schedule for w in ws]]",
        )
    ],
    "columns zipped in the wrong order": [_text("column_date_added, column_date,", "column_date, column_date_added,")],
    "money through msgspec's Decimal": [
        _text("message_price: str | int | float | None", "message_price: Decimal | None"),
        (
            r"money_seen\[v_message_price\]\s+if \(v_message_price := (w\.message_price)\) in money_seen\s+"
            r"else decode_money_seen\(v_message_price\)",
            r"\1",
        ),
    ],
    "a const takes another value": [_text("http_code: Literal[200]", "http_code: Literal[200, 201]")],
    "an absent plain field is None, not UNSET": [_text("direction: str = _ABSENT", "direction: str | None = None")],
}


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> Callable[..., types.ModuleType]:
    """fast_decode's source with one change, as a module of the package (msgspec resolves its annotations there)."""

    def plant(*changes: tuple[str, str]) -> types.ModuleType:
        module = types.ModuleType("clicksend_mms._planted_fast_decode")
        module.__package__ = "clicksend_mms"
        monkeypatch.setitem(sys.modules, module.__name__, module)
        source = SOURCE.replace("import msgspec\n", "import msgspec\nfrom decimal import Decimal\n", 1)
        for pattern, replacement in changes:
            source, found = re.subn(pattern, replacement, source)
            assert found, pattern
        exec(compile(source, "<planted fast_decode>", "exec"), module.__dict__)
        return module

    return plant


def test_the_unplanted_source_passes(planted: Callable[..., types.ModuleType]) -> None:
    same = planted()
    for p in RESPONSES:
        compare(model_for(p.operation_id, p.kind), dumps(p.body), decode=same.decode)


@pytest.mark.parametrize("changes", list(MUTANTS.values()), ids=list(MUTANTS))
def test_a_planted_divergence_is_caught(
    changes: list[tuple[str, str]], planted: Callable[..., types.ModuleType]
) -> None:
    mutant = planted(*changes)
    bodies = [
        (model, dumps(substituted(body, path, value))) for _, body, model, path, _ in FIELDS for value in BAD_VALUES
    ]
    bodies += [(model_for(p.operation_id, p.kind), dumps(p.body)) for p in RESPONSES]
    bodies += [(MmsHistoryResponse, content) for content in JSON_EDGES]
    with pytest.raises(Divergence):
        for model, content in bodies:
            compare(model, content, decode=mutant.decode)


# -- a column of unix times at once ----------------------------------------------------------------------------------


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    column=st.lists(
        st.one_of(
            st.integers(min_value=-(10**12), max_value=10**15),
            st.sampled_from([0, 10**11 - 1, 10**11, 2**31 - 1, 2**31, 253402300799, 253402300800]),
            st.integers(min_value=0, max_value=10**12).map(str),
            st.sampled_from(["", " 1", "+1", "1e9", "1467356623.0", "2016-07-01T07:03:43Z", "\uff11", "00000000001"]),
            st.none(),
            st.floats(allow_nan=False),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_a_column_of_unix_times_is_each_value_decoded(column: list[Any]) -> None:
    expected: list[Any] = []
    for raw in column:
        try:
            expected.append(codecs.decode_unix_time(raw))
        except codecs.WireFormatError:
            with pytest.raises(codecs.WireFormatError):
                codecs.decode_unix_times(column)
            return
    got = codecs.decode_unix_times(column)
    assert [differences(g, e) for g, e in zip(got, expected, strict=True)] == [[]] * len(column)
