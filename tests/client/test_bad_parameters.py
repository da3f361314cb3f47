"""Query and path parameters the spec forbids never reach the wire either: the SDK checks them against the
spec's parameter schemas (emitted into request_rules.PARAMETERS) through the sync facade, the async facade and
the CLI. Each case asserts the error names the parameter, and that the sandbox saw no request at all.

The oracle for the checker itself is jsonschema over spec/clicksend-mms.yaml (tests/helpers/spec.py).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from clicksend_mms import AsyncClickSend, ClickSend, InvalidRequestError, _ops, request_rules
from clicksend_mms.cli import Options, app
from clicksend_mms.request_check import check_parameters, parameter_rule
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from overrides.request_rules import UnsupportedRule
from overrides.request_rules import request_rules as emit
from tests.client.conftest import FAST
from tests.helpers.spec import load_spec, parameter_errors

try:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import AsyncSandboxTransport, SandboxTransport
except ImportError:  # pragma: no cover - the sandbox ships with this repository
    pytest.skip("clicksend_mms_sandbox not importable", allow_module_level=True)

LIMIT_MIN: int = parameter_rule("get_mms_history", "limit", "minimum")
LIMIT_MAX: int = parameter_rule("get_mms_receipts", "limit", "maximum")


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    call: str  # facade method
    kwargs: dict[str, Any]
    key: str  # the parameter the error must name
    says: str


CASES = [
    Case("limit below", "history", {"limit": LIMIT_MIN - 1}, "limit", f"below the minimum {LIMIT_MIN}"),
    Case("limit above", "receipts", {"limit": LIMIT_MAX + 1}, "limit", f"above the maximum {LIMIT_MAX}"),
    Case("limit as text", "history", {"limit": "20"}, "limit", "must be a whole number (an int), got str"),
    Case("page zero", "receipts", {"page": 0}, "page", "below the minimum 1"),
    Case("q not a filter", "history", {"q": "oops"}, "q", "expected filter as `field:value"),
    Case("order_by", "history", {"order_by": "date"}, "order_by", "expected sort records by `field:asc`"),
    Case("date_from in ms", "history", {"date_from": 1_700_000_000_000}, "date_from", "takes seconds (1700000000)"),
    Case("id with a space", "cancel", {"message_id": "abc def"}, "message_id", "expected the message id ClickSend"),
    Case("empty id", "receipt", {"message_id": ""}, "message_id", "expected the message id ClickSend"),
    Case("empty filename", "export", {"filename": ""}, "filename", "must not be empty"),
]


class Counting(httpx.BaseTransport):
    """The in-process sandbox, counting every request that reaches it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.requests = inner, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return self.inner.handle_request(request)


class AsyncCounting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.requests = inner, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)


@pytest.fixture
def sandbox() -> Iterator[Any]:
    sandbox_app = create_app()
    yield sandbox_app
    sandbox_app.state.sandbox.store.close()


def call_sync(sandbox: Any, case: Case) -> int:
    transport = Counting(SandboxTransport(sandbox))
    try:
        with ClickSend("sandbox", "sandbox-key", base_url="http://s/v3", transport=transport, retry=FAST) as c:
            getattr(c, case.call)(**case.kwargs)
    finally:
        transport.inner.close()
        assert transport.requests == 0, f"{transport.requests} request(s) reached the sandbox"
    return transport.requests


def call_async(sandbox: Any, case: Case) -> int:
    transport = AsyncCounting(AsyncSandboxTransport(sandbox))

    async def main() -> None:
        async with AsyncClickSend("sandbox", "sandbox-key", base_url="http://s/v3", transport=transport) as c:
            await getattr(c, case.call)(**case.kwargs)

    try:
        asyncio.run(main())
    finally:
        assert transport.requests == 0, f"{transport.requests} request(s) reached the sandbox"
    return transport.requests


DOORS: dict[str, Callable[[Any, Case], int]] = {"sync": call_sync, "async": call_async}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("door", list(DOORS))
def test_bad_parameter_is_refused_before_the_wire(door: str, case: Case, sandbox: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        DOORS[door](sandbox, case)
    text = str(caught.value)
    assert text.startswith("Nothing was sent"), text
    assert [p.key for p in caught.value.problems] == [case.key], text
    assert f"{case.key}: " in text and case.says in text, text


def test_the_counter_sees_a_request_the_check_lets_through(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The planted bug: parameters no longer checked. The bad limit then reaches the sandbox (its 400)."""
    monkeypatch.setattr(_ops, "check_parameters", lambda *_a, **_k: [])
    transport = Counting(SandboxTransport(sandbox))
    with (
        ClickSend("sandbox", "sandbox-key", base_url="http://s/v3", transport=transport, retry=FAST) as c,
        pytest.raises(Exception) as caught,
    ):
        c.history(limit=LIMIT_MIN - 1)
    transport.inner.close()
    assert transport.requests == 1
    assert not isinstance(caught.value, InvalidRequestError)


def test_valid_parameters_pass_and_reach_the_sandbox(sandbox: Any) -> None:
    transport = Counting(SandboxTransport(sandbox))
    with ClickSend("sandbox", "sandbox-key", base_url="http://s/v3", transport=transport, retry=FAST) as c:
        page = c.history(q="status:Sent", order_by="date_added:desc", date_from=0, page=1, limit=LIMIT_MIN)
        c.receipts(page=1, limit=LIMIT_MAX)
    transport.inner.close()
    assert page.total == 0 and transport.requests == 2


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["cancel", "abc def"], "message_id"),
        (["history", "--order-by", "date"], "order_by"),
        (["history", "--q", "oops"], "q"),
    ],
)
def test_cli_refuses_before_the_wire(args: list[str], key: str, sandbox: Any) -> None:
    transport = Counting(SandboxTransport(sandbox))
    base = ["--base-url", "http://s/v3", "--username", "sandbox", "--api-key", "sandbox-key"]
    try:
        result = runner.invoke(app, [*base, *args], obj=Options(transport=transport, retry=FAST))
    finally:
        transport.inner.close()
    assert isinstance(result.exception, SystemExit) and result.exit_code != 0, result.output
    assert "Traceback" not in result.stderr
    assert f"{key}: " in result.stderr and "Nothing was sent" in result.stderr, result.stderr
    assert transport.requests == 0


def test_cli_paging_bounds_are_the_specs() -> None:
    spec = load_spec()["components"]["parameters"]
    for command in ("history", "receipts"):
        result = runner.invoke(app, [command, "--limit", str(spec["Limit"]["schema"]["minimum"] - 1)])
        assert result.exit_code == 2
        expected = f"{spec['Limit']['schema']['minimum']}<=x<={spec['Limit']['schema']['maximum']}"
        assert expected in result.stderr, result.stderr


# -- the checker judges parameters as JSON Schema does -------------------------------------------------------

PARAMETERS = [(op, name) for op, rules in request_rules.PARAMETERS.items() for name in rules["properties"]]
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["status:Sent", "a:b,c:d", "date_added:desc", "x:ASC", "2453E085-C1F8", "mms", "x" * 256]),
)


@pytest.mark.parametrize(("operation_id", "name"), PARAMETERS, ids=lambda p: str(p))
@settings(max_examples=150, deadline=None)
@given(value=values)
def test_each_parameter_judged_like_json_schema(operation_id: str, name: str, value: Any) -> None:
    problems = check_parameters(operation_id, {name: value})
    if value is None:  # left out of the request: only a required parameter is then wrong
        required = name in request_rules.PARAMETERS[operation_id].get("required", ())
        assert [p.rule for p in problems] == (["required"] if required else [])
        return
    assert (problems == []) == (parameter_errors(operation_id, name, value) == [])
    assert all(p.key == name for p in problems)


def test_every_operations_parameters_are_emitted() -> None:
    _, _, parameters, _ = emit(load_spec())
    assert parameters == request_rules.PARAMETERS
    spec_ops = {op["operationId"] for item in load_spec()["paths"].values() for op in item.values()}
    assert set(parameters) == spec_ops


def test_a_changed_parameter_limit_in_the_spec_changes_the_rules() -> None:
    spec = copy.deepcopy(load_spec())
    spec["components"]["parameters"]["Limit"]["schema"]["minimum"] = 10
    _, _, parameters, _ = emit(spec)
    assert parameters["get_mms_history"]["properties"]["limit"]["minimum"] == 10
    assert parameters["get_mms_receipts"]["properties"]["limit"]["minimum"] == 10


def test_a_header_parameter_or_an_unknown_keyword_stops_generation() -> None:
    spec = copy.deepcopy(load_spec())
    spec["paths"]["/mms/history"]["get"]["parameters"].append({"name": "X-Trace", "in": "header", "schema": {}})
    with pytest.raises(UnsupportedRule):
        emit(spec)
    spec = copy.deepcopy(load_spec())
    spec["components"]["parameters"]["Page"]["schema"]["multipleOf"] = 2
    with pytest.raises(UnsupportedRule):
        emit(spec)
