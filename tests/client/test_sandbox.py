"""Against the real sandbox: in-process (httpx.ASGITransport) and over a real 127.0.0.1 socket (uvicorn).

The "exactly one message" checks count history rows carrying a body unique to the test, so they hold on a
sandbox shared by several tests.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from clicksend_mms import (
    AsyncClickSend,
    AuthenticationError,
    ClickSend,
    ClickSendError,
    ForbiddenError,
    NotFoundError,
    RetryPolicy,
    ServerError,
    TransportError,
    rejected,
)
from clicksend_mms.cli import app
from typer.testing import CliRunner

try:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import SandboxTransport
except ImportError:  # the sandbox is built in parallel; these tests run once it is importable
    pytest.skip("clicksend_mms_sandbox.create_app not available yet", allow_module_level=True)

from clicksend_mms_sandbox.testing import DEFAULT

from tests.client.sandbox_server import sandbox_server
from tests.helpers.waiting import wait_until

MEDIA = "https://example.com/cat.jpg"
USER, KEY = DEFAULT.basic_auth
TEST_KEY = "D83DED51-9E35-4D42-9BB9-0E34B7CA85AE"
QUICK = RetryPolicy(attempts=4, timeout=20.0, wait_initial=0.05, wait_max=0.2, wait_jitter=0.05)


def token() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def msgs(n: int, body: str, to: str | None = None) -> list[dict[str, Any]]:
    return [{"to": to or f"+614370{i:05d}", "subject": "test", "body": body, "custom_string": str(i)} for i in range(n)]


def asgi_client(app_: Any, **kwargs: Any) -> AsyncClickSend:
    transport = httpx.ASGITransport(app=app_)
    return AsyncClickSend(USER, KEY, base_url="http://sandbox.local", transport=transport, **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with sandbox_server() as url:
        yield url


def count_body(client: ClickSend, body: str) -> int:
    return sum(1 for row in client.iter_history() if row.body == body)


# -- in-process ---------------------------------------------------------------------------------------


AFTER_COMMIT_500 = {"X-Sandbox-Fault": "status=500; after=commit"}


def assert_says_may_have_been_sent(exc: ClickSendError) -> None:
    assert exc.may_have_been_sent
    text = str(exc)
    assert "may have been sent" in text and "history" in text and "custom_string" in text, text
    assert KEY not in text and KEY not in repr(exc)


def test_send_hit_by_500_after_commit_is_not_duplicated() -> None:
    sandbox_app = create_app()
    body = token()

    async def main() -> int:
        faulty = asgi_client(sandbox_app, retry=QUICK, headers=AFTER_COMMIT_500)
        with pytest.raises(ServerError) as info:
            await faulty.send(msgs(1, body), media_file=MEDIA)
        assert_says_may_have_been_sent(info.value)
        clean = asgi_client(sandbox_app)
        return sum(1 for _ in [r async for r in clean.iter_history() if r.body == body])

    assert asyncio.run(main()) == 1


def test_single_sync_send_hit_by_500_after_commit_says_it_may_have_been_sent() -> None:
    sandbox_app = create_app()
    body = token()
    faulty = SandboxTransport(sandbox_app)
    client = ClickSend(USER, KEY, base_url="http://s", transport=faulty, retry=QUICK, headers=AFTER_COMMIT_500)
    with client, pytest.raises(ServerError) as info:
        client.send(msgs(1, body), media_file=MEDIA)
    assert_says_may_have_been_sent(info.value)
    with ClickSend(USER, KEY, base_url="http://s", transport=SandboxTransport(sandbox_app)) as check:
        assert count_body(check, body) == 1  # it was stored, once: not retried


def test_upload_may_have_been_sent_but_price_is_just_retried() -> None:
    sandbox_app = create_app()

    async def main() -> None:
        faulty = asgi_client(sandbox_app, retry=QUICK, headers=AFTER_COMMIT_500)
        with pytest.raises(ServerError) as info:
            await faulty.upload(bytes.fromhex("47494638396101000100"))
        assert info.value.may_have_been_sent and "second copy" in str(info.value)
        with pytest.raises(ServerError) as priced:
            await faulty.price(msgs(1, "p"), media_file=MEDIA)  # idempotent: nothing to warn about
        assert not priced.value.may_have_been_sent and "history" not in str(priced.value)

    asyncio.run(main())


def test_get_hit_by_queued_429_succeeds_after_retry_after() -> None:
    sandbox_app = create_app()

    async def main() -> float:
        client = asgi_client(sandbox_app)
        fault = {"method": "GET", "path": "/mms/history", "status": 429, "retry_after": 1, "times": 1}
        response = await client.http.post("/_sandbox/faults", json=fault)
        assert response.is_success, response.text
        started = time.monotonic()
        page = await client.history()
        assert page.current_page == 1
        return time.monotonic() - started

    assert asyncio.run(main()) >= 1.0


def test_pagination_over_250_messages_yields_each_once() -> None:
    sandbox_app = create_app()
    body = token()

    async def main() -> tuple[list[str], list[str], list[str]]:
        client = asgi_client(sandbox_app)
        sent = await client.send_bulk(msgs(250, body), media_file=MEDIA, batch_size=100)
        ids = [m.message_id for m in sent]
        walked = [r.message_id async for r in client.iter_history(limit=15) if r.body == body]
        paged = [r.message_id async for r in client.iter_history(limit=100) if r.body == body]
        return ids, walked, paged

    ids, walked, paged = asyncio.run(main())
    assert len(set(ids)) == 250
    assert sorted(walked) == sorted(ids) == sorted(paged)


def test_bulk_send_10000_in_order() -> None:
    sandbox_app = create_app()

    async def main() -> list[str]:
        client = asgi_client(sandbox_app)
        # ClickSend's test recipient: a success answer, nothing charged (the sandbox honours it).
        results = await client.send_bulk(msgs(10_000, "bulk", to="+61411111111"), media_file=MEDIA, concurrency=4)
        assert rejected(results) == []
        return [r.custom_string or "" for r in results]

    assert asyncio.run(main()) == [str(i) for i in range(10_000)]


def test_errors_from_the_sandbox() -> None:
    sandbox_app = create_app()

    async def main() -> None:
        with pytest.raises(AuthenticationError) as info:
            await AsyncClickSend(
                USER, "wrong", base_url="http://s", transport=httpx.ASGITransport(app=sandbox_app)
            ).history()
        assert "wrong" not in repr(info.value) + str(info.value)
        with pytest.raises(AuthenticationError):
            await AsyncClickSend(
                "notactive", TEST_KEY, base_url="http://s", transport=httpx.ASGITransport(app=sandbox_app)
            ).history()
        with pytest.raises(ForbiddenError):
            await AsyncClickSend(
                "banned", TEST_KEY, base_url="http://s", transport=httpx.ASGITransport(app=sandbox_app)
            ).history()
        client = asgi_client(sandbox_app)
        with pytest.raises(NotFoundError):
            await client.cancel(str(uuid.uuid4()).upper())
        data = await client.send(msgs(1, "x", to="not-a-number"), media_file=MEDIA)
        assert [m.status for m in rejected(data)] != []

    asyncio.run(main())


def test_every_endpoint_round_trip() -> None:
    sandbox_app = create_app()

    async def main() -> None:
        client = asgi_client(sandbox_app)
        later = int(time.time()) + 3600
        data = await client.send([{**msgs(1, "sched")[0], "schedule": later}], media_file=MEDIA)
        message_id = data.messages[0].message_id
        assert (await client.price(msgs(2, "p"), media_file=MEDIA)).total_count == 2
        assert (await client.receipt(message_id)).message_id == message_id
        await client.cancel(message_id)
        await client.send([{**msgs(1, "sched2")[0], "schedule": later}], media_file=MEDIA)
        assert await client.cancel_all() >= 1
        await client.mark_receipts_read()
        assert (await client.receipts()).current_page == 1
        assert (await client.export("h.csv")).startswith("http")
        png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
        assert (await client.upload(png)).field_url

    asyncio.run(main())


# -- real socket ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["status=500; after=commit", "drop; after=commit"])
@pytest.mark.parametrize("kind", ["httpx", "aiohttp"])
def test_lost_answer_after_commit_over_a_socket(server: str, fault: str, kind: str) -> None:
    """The httpx-aiohttp transport reports a dropped connection as ConnectTimeout; still no resend."""
    body = token()

    async def main() -> None:
        transport = httpx.AsyncHTTPTransport() if kind == "httpx" else None
        async with AsyncClickSend(
            USER, KEY, base_url=server, transport=transport, retry=QUICK, headers={"X-Sandbox-Fault": fault}
        ) as client:
            with pytest.raises((ServerError, TransportError)) as info:
                await client.send(msgs(1, body), media_file=MEDIA)
        if isinstance(info.value, TransportError):
            assert info.value.request_sent
        assert_says_may_have_been_sent(info.value)

    asyncio.run(main())
    with ClickSend(USER, KEY, base_url=server) as check:
        assert count_body(check, body) == 1


def test_send_timing_out_after_the_server_received_it(server: str) -> None:
    body = token()
    with ClickSend(USER, KEY, base_url=server, timeout=0.5, retry=QUICK, headers={"X-Sandbox-Fault": "delay=1.5"}) as c:
        with pytest.raises(TransportError) as info:
            c.send(msgs(1, body), media_file=MEDIA)
        assert info.value.request_sent
        assert_says_may_have_been_sent(info.value)
        assert f"No answer from {httpx.URL(server).netloc.decode()} to POST /v3/mms/send" in str(info.value)
    with ClickSend(USER, KEY, base_url=server) as check:  # the server finishes the request it received, in time
        assert wait_until(lambda: count_body(check, body), "the timed-out send is in the history") == 1


def test_cli_against_the_sandbox(server: str) -> None:
    runner = CliRunner()
    base = ["--base-url", server, "--username", USER, "--api-key", KEY]
    body = token()
    send = ["send", "--to", "+61437000001", "--subject", "cli", "--body", body, "--media-file", MEDIA]
    result = runner.invoke(app, [*base, "--json", *send])
    assert result.exit_code == 0, result.stderr
    message_id = json.loads(result.stdout)["messages"][0]["message_id"]
    result = runner.invoke(app, [*base, "--json", "history", "--all"])
    assert result.exit_code == 0
    assert [r["message_id"] for r in json.loads(result.stdout) if r.get("body") == body] == [message_id]
    assert runner.invoke(app, [*base, "history"]).exit_code == 0
    assert runner.invoke(app, [*base, "receipts"]).exit_code == 0
    wrong = runner.invoke(app, ["--base-url", server, "--username", USER, "--api-key", "nope", "history"])
    assert wrong.exit_code == 4 and "Traceback" not in wrong.stderr
