"""Every non-2xx answer becomes the right typed error, whatever shape its body has; credentials never leak."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest
from clicksend_mms import (
    APIError,
    AuthenticationError,
    ClickSend,
    ClickSendError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
    rejected,
)
from clicksend_mms.exceptions import error_from_response, parse_retry_after
from clicksend_mms_sandbox.testing import free_port

from tests.client.fakes import FakeClickSend, envelope

NOW = 1_700_000_000  # a fixed "now": parameters are built at collection, long before the test runs
REQ = httpx.Request("GET", "https://rest.clicksend.com/v3/mms/history")


def answer(
    status: int, body: Any = None, *, content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if content is not None:
        return httpx.Response(status, content=content, headers=headers, request=REQ)
    return httpx.Response(status, json=body, headers=headers, request=REQ)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (413, ValidationError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
        (418, APIError),
    ],
)
def test_status_picks_the_class(status: int, cls: type[APIError]) -> None:
    exc = error_from_response(answer(status, {"http_code": status, "response_code": "X", "response_msg": "m"}))
    assert type(exc) is cls
    assert (exc.http_code, exc.response_code, exc.response_msg) == (status, "X", "m")
    assert (exc.method, exc.path) == ("GET", "/v3/mms/history")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500])
def test_only_a_401_tells_to_check_the_credentials(status: int) -> None:
    body = {"http_code": status, "response_code": "X", "response_msg": "Authorization failed."}
    text = str(error_from_response(answer(status, body)))
    says = "Check the username and API key" in text and "CLICKSEND_API_KEY" in text and "swapped" in text
    assert says == (status == 401), text
    assert text.startswith(f"HTTP {status} X on GET /v3/mms/history: Authorization failed.")


def test_validation_error_keeps_per_field_data() -> None:
    data = {"messages.0.subject": ["The subject is required."]}
    exc = error_from_response(
        answer(400, {"http_code": 400, "response_code": 400, "response_msg": "Bad", "data": data})
    )
    assert isinstance(exc, ValidationError)
    assert exc.response_code == "400"  # ClickSend once sent the integer 400
    assert exc.data == data


def test_live_429_spelling_and_retry_after() -> None:
    body = {"http_code": 429, "response_code": "HTTP_TOO_MANY_REQUESTS", "response_msg": "Too many attempts."}
    exc = error_from_response(answer(429, body, headers={"Retry-After": "7"}))
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after == 7.0
    assert "retry_after=7.0" in repr(exc)


def test_rate_limit_code_under_another_status_is_still_rate_limited() -> None:
    exc = error_from_response(answer(400, {"response_code": "TOO_MANY_REQUESTS", "response_msg": "slow"}))
    assert isinstance(exc, RateLimitedError)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"ratelimit-reset": "12"}, 12.0),
        ({"ratelimit-reset": str(NOW + 30)}, 30.0),
        ({"retry-after": email.utils.formatdate(NOW + 20, usegmt=True)}, 20.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: Any) -> None:
    assert parse_retry_after(httpx.Headers(headers), now=NOW) == expected


@pytest.mark.parametrize(
    ("content", "status", "cls"),
    [(b"<html>Bad Gateway</html>", 502, ServerError), (b"", 503, ServerError), (b"\xff\xfe", 401, AuthenticationError)],
)
def test_non_json_bodies(content: bytes, status: int, cls: type[APIError]) -> None:
    exc = error_from_response(answer(status, content=content))
    assert type(exc) is cls
    assert exc.response_code is None
    assert exc.http_code == status


def test_2xx_with_error_envelope_raises(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(httpx.Response(200, json={"http_code": 403, "response_code": "FORBIDDEN", "response_msg": "no"}))
    with pytest.raises(ForbiddenError):
        client.cancel_all()


def test_undecodable_success_is_unexpected_response(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(httpx.Response(200, content=b"not json"))
    with pytest.raises(UnexpectedResponseError):
        client.cancel_all()
    fake.script.append(envelope({"unexpected": True}))
    with pytest.raises(UnexpectedResponseError):
        client.cancel_all()


def test_credentials_never_in_errors_or_reprs(fake: FakeClickSend) -> None:
    key = "SECRET-KEY-123"
    echo = {"http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": f"bad key {key}", "data": {"k": key}}
    fake.script.append(httpx.Response(401, json=echo))
    client = ClickSend("user", key, transport=fake.transport(), retry=RetryPolicy.disabled())
    with pytest.raises(ClickSendError) as info:
        client.history()
    exc = info.value
    for text in (str(exc), repr(exc), repr(exc.data), repr(client), repr(client.settings), repr(client.api)):
        assert key not in text
    assert "Authorization" not in repr(vars(exc))


def test_rejected_lists_non_success_results(client: ClickSend, fake: FakeClickSend) -> None:
    def partly(request: httpx.Request) -> httpx.Response:
        ok = {"message_id": "A", "status": "SUCCESS", "to": "+61411111111"}
        bad = {"message_id": "B", "status": "INVALID_RECIPIENT", "to": "nope", "message_price": "0.0000"}
        return envelope({"total_price": 0, "total_count": 2, "queued_count": 1, "messages": [ok, bad]})

    fake.script.append(partly)
    data = client.send([{"to": "+61411111111", "subject": "s", "body": "b"}] * 2, media_file="https://x/y.jpg")
    assert [m.message_id for m in rejected(data)] == ["B"]
    assert rejected(data.messages) == rejected(data)


def test_clicksend_400_data_is_in_the_text_in_plain_words() -> None:
    data = {"messages.0.subject": ["The subject field is required.", "Too short."], "media_file": "Not a URL."}
    exc = error_from_response(
        answer(400, {"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": "Bad", "data": data})
    )
    text = str(exc)
    assert "messages.0.subject: The subject field is required.; Too short." in text
    assert "media_file: Not a URL." in text
    assert "{" not in text and "[" not in text  # no dict or list reprs


def test_huge_400_data_is_cut_in_the_text_but_kept_whole() -> None:
    data = {f"messages.{i}.to": "x" * 1000 for i in range(50)}
    exc = error_from_response(answer(400, {"http_code": 400, "response_code": "BAD_REQUEST", "data": data}))
    lines = str(exc).splitlines()
    assert len(lines) < 25 and all(len(line) < 400 for line in lines)
    assert "30 more" in lines[-1]
    assert exc.data == data


def test_nothing_listening_on_loopback_says_how_to_start_the_sandbox() -> None:
    port = free_port()  # bound, then released: nothing listens there
    client = ClickSend("u", "SECRET-KEY-123", base_url=f"http://127.0.0.1:{port}", retry=RetryPolicy.disabled())
    with pytest.raises(TransportError) as info:
        client.history()
    text = str(info.value)
    assert f"Could not connect to 127.0.0.1:{port}" in text and "nothing was sent" in text
    assert f"clicksend-mms sandbox --port {port}" in text
    assert not info.value.request_sent and not info.value.may_have_been_sent
    assert "SECRET-KEY-123" not in text + repr(info.value)


def test_default_target_says_it_was_clicksend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLICKSEND_BASE_URL", raising=False)

    def no_dns(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    client = ClickSend("u", "k", transport=httpx.MockTransport(no_dns), retry=RetryPolicy.disabled())
    with pytest.raises(TransportError) as info:
        client.history()
    text = str(info.value)
    assert "rest.clicksend.com" in text and "ClickSend's API" in text and "no base URL is configured" in text
    assert "CLICKSEND_BASE_URL" in text


def test_a_configured_remote_host_gets_no_sandbox_or_default_hint() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    client = ClickSend(
        "u",
        "k",
        base_url="https://api.example.net/v3",
        transport=httpx.MockTransport(refused),
        retry=RetryPolicy.disabled(),
    )
    with pytest.raises(TransportError) as info:
        client.cancel_all()
    text = str(info.value)
    assert "Could not connect to api.example.net for PUT /v3/mms/cancel-all" in text
    assert "sandbox" not in text and "no base URL" not in text


def test_invalid_request_text_carries_no_credentials() -> None:
    client = ClickSend("u", "SECRET-KEY-123", transport=FakeClickSend().transport())
    with pytest.raises(InvalidRequestError) as info:
        client.send([{"to": "+61411111111", "subject": "s", "body": "b", "api_key": "x"}], media_file="https://e/a.jpg")
    assert "SECRET-KEY-123" not in str(info.value) + repr(info.value) + repr(vars(info.value))


def test_a_404_on_cancel_says_what_can_be_cancelled() -> None:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import SandboxTransport

    transport = SandboxTransport(create_app())
    with ClickSend("sandbox", "sandbox-key", base_url="http://s/v3", transport=transport) as cs:
        with pytest.raises(NotFoundError) as cancelled:
            cs.cancel("2453E085-C1F8-47EC-AD35-B793960B1313")
        with pytest.raises(NotFoundError) as read:
            cs.receipt("2453E085-C1F8-47EC-AD35-B793960B1313")
    transport.close()
    assert str(cancelled.value).splitlines()[1].startswith("Only a message of this account that is still scheduled")
    assert "still scheduled" not in str(read.value)  # the advice is cancel's own
