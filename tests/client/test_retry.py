"""The retry table (clicksend_mms.retry) over httpx.MockTransport: what is repeated, what never is."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import time
from collections.abc import Callable

import aiohttp
import httpx
import pytest
from clicksend_mms import ClickSend, NotFoundError, RateLimitedError, RetryPolicy, ServerError, TransportError
from clicksend_mms.retry import proves_not_sent

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope

MSG = [{"to": "+61411111111", "subject": "s", "body": "b"}]
MEDIA = "https://example.com/a.jpg"


def err(status: int, code: str = "X", **headers: str) -> httpx.Response:
    return envelope(None, http_code=status, code=code, msg="err", **headers)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_retried_on_gateway_errors(client: ClickSend, fake: FakeClickSend, status: int) -> None:
    fake.script += [err(status), err(status)]
    assert client.history().total == 0
    assert len(fake.requests) == 3


def test_every_get_retried_on_500(client: ClickSend, fake: FakeClickSend) -> None:
    """A GET changes nothing: its 500 is repeated (as openai-python and stripe-python do)."""
    reads: list[Callable[[], object]] = [
        client.history,
        client.receipts,
        lambda: client.receipt("X"),
        lambda: client.export("h.csv"),
    ]
    for read in reads:
        fake.script.append(err(500, "INTERNAL_SERVER_ERROR"))
        with contextlib.suppress(NotFoundError):  # the fake knows no message X: the retry's answer is a 404
            read()
    paths = fake.paths()
    assert len(paths) == 2 * len(reads) and all(p.startswith("GET ") for p in paths)
    assert paths[::2] == paths[1::2]  # each one twice: the 500, then the answer


def test_get_not_retried_on_501_or_4xx(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script += [err(501, "NOT_IMPLEMENTED")]
    with pytest.raises(ServerError):
        client.history()
    fake.script += [err(404, "NOT_FOUND")]
    with pytest.raises(Exception, match="404"):
        client.receipt("X")
    assert len(fake.requests) == 2


def test_writes_not_retried_on_500_even_the_repeatable_ones(client: ClickSend, fake: FakeClickSend) -> None:
    """A PUT or POST that answered 500 may have done its work: price, receipts-read, cancel and cancel-all are
    repeated after 502/503/504 and transport errors, not after a 500; send and upload never."""
    calls: list[Callable[[], object]] = [
        lambda: client.price(MSG, media_file=MEDIA),
        client.mark_receipts_read,
        lambda: client.cancel("ABC"),
        client.cancel_all,
        lambda: client.send(MSG, media_file=MEDIA),
        lambda: client.upload(b"GIF89a"),
    ]
    for call in calls:
        fake.script.append(err(500, "INTERNAL_SERVER_ERROR"))
        with pytest.raises(ServerError):
            call()
    assert len(fake.requests) == len(calls) and not any(p.startswith("GET ") for p in fake.paths())


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")]
)
def test_idempotent_calls_retried_on_any_transport_error(
    client: ClickSend, fake: FakeClickSend, exc: Exception
) -> None:
    fake.script.append(exc)
    client.mark_receipts_read()
    client.cancel("ABC")
    assert fake.paths() == ["PUT /mms/receipts-read", "PUT /mms/receipts-read", "PUT /mms/ABC/cancel"]


def test_429_waits_retry_after(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(err(429, "HTTP_TOO_MANY_REQUESTS", **{"Retry-After": "0.3"}))
    started = time.monotonic()
    client.history()
    assert time.monotonic() - started >= 0.3
    assert len(fake.requests) == 2


def test_429_longer_than_the_cap_is_raised_at_once(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(err(429, "TOO_MANY_REQUESTS", **{"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as info:
        client.history()
    assert info.value.retry_after == 3600
    assert len(fake.requests) == 1


def test_gives_up_after_attempts(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script += [err(503)] * 10
    with pytest.raises(ServerError):
        client.history()
    assert len(fake.requests) == FAST.attempts


@pytest.mark.parametrize(
    "failure",
    [
        err(500),
        err(502),
        err(503),
        httpx.ReadTimeout("timed out waiting for the answer"),
        httpx.WriteTimeout("half written"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
    ],
)
def test_send_never_retried_once_it_may_have_arrived(
    client: ClickSend, fake: FakeClickSend, failure: httpx.Response | Exception
) -> None:
    fake.script.append(failure)
    with pytest.raises((ServerError, TransportError)) as info:
        client.send(MSG, media_file=MEDIA)
    if isinstance(info.value, TransportError):
        assert info.value.request_sent
    assert fake.paths() == ["POST /mms/send"]


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("syn"), httpx.PoolTimeout("p")]
)
def test_send_retried_when_nothing_was_sent(client: ClickSend, fake: FakeClickSend, failure: Exception) -> None:
    fake.script.append(failure)
    client.send(MSG, media_file=MEDIA)
    assert fake.paths() == ["POST /mms/send", "POST /mms/send"]
    assert len(fake.sent) == 1


def test_send_retried_after_429(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script.append(err(429, "TOO_MANY_REQUESTS", **{"Retry-After": "0"}))
    client.send(MSG, media_file=MEDIA)
    assert len(fake.sent) == 1


def test_price_is_idempotent(client: ClickSend, fake: FakeClickSend) -> None:
    fake.script += [httpx.ReadTimeout("slow"), err(503)]
    client.price(MSG, media_file=MEDIA)
    assert fake.paths() == ["POST /mms/price"] * 3


def test_disabled_policy(fake: FakeClickSend) -> None:
    client = ClickSend("u", "k", transport=fake.transport(), retry=RetryPolicy.disabled())
    fake.script.append(err(503))
    with pytest.raises(ServerError):
        client.history()
    assert len(fake.requests) == 1


def _mapped(cause: Exception, as_type: type[httpx.TransportError]) -> httpx.TransportError:
    """What httpx-aiohttp raises: an httpx error ``from`` the aiohttp one."""
    try:
        raise as_type(str(cause)) from cause
    except httpx.TransportError as exc:
        return exc


def test_aiohttp_disconnect_mapped_to_connect_timeout_is_not_proof() -> None:
    # httpx-aiohttp 0.2.0 maps every aiohttp.ClientConnectionError, incl. "server disconnected" after the
    # request was written, to httpx.ConnectTimeout: the cause decides.
    disconnected = _mapped(aiohttp.ServerDisconnectedError(), httpx.ConnectTimeout)
    assert not proves_not_sent(disconnected)
    refused = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None), OSError(111, "refused")
    )
    assert proves_not_sent(_mapped(refused, httpx.ConnectTimeout))
    assert proves_not_sent(_mapped(aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout))
    assert proves_not_sent(httpx.ConnectError("refused"))
    assert not proves_not_sent(httpx.ReadTimeout("slow"))


RETRY_ONCE = """
import logging, sys
import httpx
from clicksend_mms import ClickSend, RetryPolicy

if sys.argv[1:] == ["configured"]:
    logging.basicConfig(format="%(name)s %(levelname)s %(message)s")
answers = [503, 200]

def handler(request):
    status = answers.pop(0)
    body = {"http_code": status, "response_code": "X", "response_msg": "m", "data": None}
    if status == 200:
        body["data"] = {"total": 0, "per_page": 15, "current_page": 1, "last_page": 0, "data": []}
    return httpx.Response(status, json=body)

policy = RetryPolicy(wait_initial=0.01, wait_max=0.01, wait_jitter=0)
ClickSend("u", "k", transport=httpx.MockTransport(handler), retry=policy).history()
"""


@pytest.mark.parametrize("logging_configured", [False, True])
def test_retries_print_nothing_unless_logging_is_configured(logging_configured: bool) -> None:
    args = ["configured"] if logging_configured else []
    result = subprocess.run(
        [sys.executable, "-c", RETRY_ONCE, *args], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == ""
    if logging_configured:
        assert "clicksend_mms.retry WARNING retrying GET /mms/history in 0.0s (attempt 2 of 5)" in result.stderr
        assert "ServerError: HTTP 503" in result.stderr
    else:
        assert result.stderr == ""


def test_retry_records_carry_operation_attempt_and_wait(
    client: ClickSend, fake: FakeClickSend, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script += [err(429, "TOO_MANY_REQUESTS", **{"Retry-After": "0.05"}), httpx.ConnectError("refused")]
    with caplog.at_level(logging.WARNING, logger="clicksend_mms.retry"):
        client.send(MSG, media_file=MEDIA)
    records = [r for r in caplog.records if r.name == "clicksend_mms.retry"]
    assert [(r.operation, r.attempt, r.attempts) for r in records] == [  # type: ignore[attr-defined]
        ("POST /mms/send", 2, FAST.attempts),
        ("POST /mms/send", 3, FAST.attempts),
    ]
    assert records[0].wait == 0.05  # type: ignore[attr-defined]
    assert "Could not connect" in records[1].error  # type: ignore[attr-defined]
