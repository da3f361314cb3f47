"""Every malformed request answers ClickSend's envelope with a 4xx naming what is wrong, on every route (the control
routes included): never a 5xx, never a traceback in the log, nothing stored. One test per input class that used to
answer 500, then a property test over hostile bytes, headers and query strings."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.control import routes as control_routes
from clicksend_mms_sandbox.testing import DEFAULT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Route

from tests.sandbox.conftest import ClientFactory, sandbox_settings

SPEC_APP = create_app()
OPERATIONS = list(SPEC_APP.state.sandbox.contract.operations.values())
SPEC_APP.state.sandbox.store.close()
INTEGER_PARAMS = [(op, p.name) for op in OPERATIONS for p in op.parameters if p.is_integer and p.location == "query"]
JSON_BODIES = [op for op in OPERATIONS if op.body_validator is not None]
CONTROL = [
    (method, route.path)
    for route in control_routes()
    if isinstance(route, Route)
    for method in route.methods or ()
    if method != "HEAD"
]
CONTROL_BODIES = [
    ("PUT", "/_sandbox/account/balance"),
    ("POST", "/_sandbox/account/balance/top-up"),
    ("POST", "/_sandbox/faults"),
    ("POST", "/_sandbox/accounts"),
    ("POST", "/_sandbox/clock/advance"),
]
EVERY_ROUTE = [(op.method.upper(), op.path) for op in OPERATIONS] + CONTROL


def concrete(path: str) -> str:
    """A route's path with its parameters filled in."""
    return re.sub(r"\{[^}]+\}", "ABC", path)


class Tracebacks(logging.Handler):
    """Every record at ERROR or with a traceback, from the sandbox's loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    logger = logging.getLogger("clicksend_mms_sandbox")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def stored(state: SandboxState) -> tuple[Any, ...]:
    with state.store.snapshot() as conn:
        messages = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        others = [
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("exports", "uploads", "added_accounts")
        ]
    return messages, *others, state.balance(DEFAULT.username), state.clock.offset


def assert_400(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    envelope = response.json()
    assert envelope["response_code"] == "BAD_REQUEST" and field in envelope["data"], envelope


# ---- one test per input class that answered 500 ----


DEEP = [b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000, b"[" * 50_000]


@pytest.mark.parametrize("raw", DEEP, ids=["array-1000", "object-1000", "unclosed-50000"])
def test_json_nested_deep_is_a_400_on_every_body(
    client: httpx.Client, state: SandboxState, tracebacks: Tracebacks, raw: bytes
) -> None:
    before = stored(state)
    for op in JSON_BODIES:
        assert_400(client.request(op.method.upper(), concrete(op.path), content=raw), "body")
    for method, path in CONTROL_BODIES:
        assert_400(client.request(method, path, content=raw), "body")
    assert stored(state) == before and tracebacks.records == []


@pytest.mark.parametrize("value", ["9" * 5000, "1" + "0" * 4400, "²²", "٣", "1²", "-٣", "", " "])
def test_integer_parameters_take_ascii_digits_of_any_length(
    client: httpx.Client, tracebacks: Tracebacks, value: str
) -> None:
    for op, name in INTEGER_PARAMS:
        response = client.request(op.method.upper(), concrete(op.path), params={name: value})
        assert_400(response, name)
    assert tracebacks.records == []


@pytest.mark.parametrize("text", ["\\ud800", "a\\udfffb", "\\ud83d", "\\uDBFF\\u0041"])
def test_a_lone_surrogate_in_a_string_is_a_400(
    client: httpx.Client, state: SandboxState, tracebacks: Tracebacks, text: str
) -> None:
    before = stored(state)
    send = f'{{"media_file":"https://example.com/a.jpg","messages":[{{"to":"+61437111222","subject":"s","body":"{text}"}}]}}'
    assert_400(client.post("/mms/send", content=send.encode()), "body")
    assert_400(client.post("/mms/price", content=send.encode()), "body")
    as_key = f'{{"media_file":"x.jpg","messages":[{{"{text}":1}}]}}'
    assert_400(client.post("/mms/send", content=as_key.encode()), "body")
    assert_400(client.post("/_sandbox/accounts", content=f'{{"username":"{text}","api_key":"k"}}'.encode()), "body")
    assert stored(state) == before and tracebacks.records == []


def test_a_surrogate_pair_is_text(client: httpx.Client) -> None:
    # The check for lone halves must not refuse a real pair (an emoji written as escapes).
    send = '{"media_file":"https://example.com/a.jpg","messages":[{"to":"+61437111222","subject":"s","body":"\\ud83d\\ude00"}]}'
    response = client.post("/mms/send", content=send.encode())
    assert response.status_code == 200 and response.json()["data"]["messages"][0]["body"] == "\U0001f600"


@pytest.mark.parametrize(
    "header", [b"Basic \xc3\xa4", b"Basic \xe4", b"Basic \xe4\xe4\xe4\xe4", b"basic " + base64.b64encode(b"\xff:\xfe")]
)
def test_a_non_ascii_basic_header_is_refused_on_every_route(
    make_client: ClientFactory, tracebacks: Tracebacks, header: bytes
) -> None:
    client = make_client(None)
    for method, path in EVERY_ROUTE:
        if path.startswith(("/_sandbox/exports", "/_sandbox/files")):
            continue  # the links need no credentials: their names are
        response = client.request(method, concrete(path), headers={b"Authorization": header})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["response_code"] == "UNAUTHORIZED"
    assert tracebacks.records == []


def test_a_content_length_of_unicode_digits_is_not_a_500(client: httpx.Client, tracebacks: Tracebacks) -> None:
    for value in (b"\xc2\xb2", "9" * 5000):
        response = client.post("/mms/send", content=b"{}", headers={"Content-Length": value})  # type: ignore[arg-type]
        assert response.status_code < 500
    assert tracebacks.records == []


# ---- the property: hostile bytes, headers and query strings ----

HEADER_NAMES = st.sampled_from([b"authorization", b"content-type", b"content-length", b"accept", b"x-anything",
                                b"x-sandbox-admin-key", b"host", b"cookie"])  # fmt: skip
# Not x-sandbox-fault: a well-formed one asks for a 5xx, a delay or a dropped connection, on purpose.
HOSTILE_TEXT = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=32).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xc2\xb2\xc2\xb2", b"9" * 5000, b"-1", b"0", b"\\ud800", b"%ED%A0%80", b"%00", b"[" * 2000]),
)
QUERY_NAMES = st.sampled_from([b"page", b"limit", b"q", b"order_by", b"date_from", b"date_to", b"filename", b"convert"])
VALID_AUTH = b"Basic " + base64.b64encode(f"{DEFAULT.username}:{DEFAULT.api_key}".encode())


@st.composite
def hostile_requests(draw: st.DrawFn) -> dict[str, Any]:
    method, path = draw(st.sampled_from(EVERY_ROUTE))
    path = re.sub(r"\{[^}]+\}", lambda _: draw(st.text(min_size=1, max_size=12).filter(lambda t: "/" not in t)), path)
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HOSTILE_TEXT), max_size=4))
    if draw(st.booleans()):
        headers.append((b"authorization", VALID_AUTH))  # past authentication, into validation
    pairs = draw(st.lists(st.tuples(QUERY_NAMES, HOSTILE_TEXT), max_size=4))
    query = b"&".join(k + b"=" + v for k, v in pairs)
    body = draw(st.one_of(HOSTILE_TEXT, st.just(b""), st.sampled_from(DEEP)))
    return {"method": method, "path": path, "headers": headers, "query": query, "body": body}


async def asgi_call(app: Starlette, request: dict[str, Any]) -> tuple[int, bytes]:
    path = "/v3" + request["path"]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request["method"],
        "scheme": "http", "path": path, "raw_path": path.encode("utf-8", "surrogatepass"),
        "query_string": request["query"], "root_path": "", "headers": request["headers"],
        "server": ("127.0.0.1", 8765), "client": ("127.0.0.1", 40000),
    }  # fmt: skip
    chunks = [request["body"]]
    status, body = 0, b""

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": chunks.pop() if chunks else b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    await app(scope, receive, send)
    return status, body


@pytest.fixture(scope="module")
def hostile_app() -> Iterator[Starlette]:
    app = create_app(sandbox_settings())
    yield app
    app.state.sandbox.store.close()


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=hostile_requests())
def test_hostile_requests_never_5xx_log_a_traceback_or_store(
    hostile_app: Starlette, tracebacks: Tracebacks, request: dict[str, Any]
) -> None:
    state: SandboxState = hostile_app.state.sandbox
    before = stored(state)
    status, body = asyncio.run(asgi_call(hostile_app, request))
    assert status < 500, (status, body[:300])
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records]
    if status != 200:
        assert stored(state) == before
    assert body[:1] in (b"{", b"<") or not body, body[:100]  # an envelope (or a page/CSV on a 200)
