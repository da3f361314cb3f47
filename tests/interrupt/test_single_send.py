"""One send request cut short: every message of it may have been sent, and the program still stops."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
from clicksend_mms import AsyncClickSend, ClickSend, SendCancelled, SendInterrupted

from tests.interrupt.inprocess import MEDIA, messages


def test_ctrl_c_during_a_sync_send_is_an_account_and_still_a_keyboard_interrupt() -> None:
    def pressed(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt  # Ctrl-C while the request is on its way

    with (
        ClickSend("u", "k", transport=httpx.MockTransport(pressed)) as client,
        pytest.raises(KeyboardInterrupt) as info,
    ):
        client.send(messages(3), media_file=MEDIA)
    assert isinstance(info.value, SendInterrupted)
    account = info.value.account
    assert list(account.may_have_been_sent) == [0, 1, 2] and not account.sent and not account.not_sent
    assert "3 may have been sent" in str(info.value)


def test_cancelling_an_async_send_is_an_account_and_still_a_cancellation() -> None:
    async def main() -> SendCancelled:
        started = asyncio.Event()

        async def hang(request: httpx.Request) -> httpx.Response:
            started.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        async with AsyncClickSend("u", "k", transport=httpx.MockTransport(hang)) as client:
            task = asyncio.ensure_future(client.send(messages(2), media_file=MEDIA))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            assert task.cancelled()  # asyncio still sees a cancelled task
            assert isinstance(info.value, SendCancelled)
            return info.value

    account = asyncio.run(main()).account
    assert list(account.may_have_been_sent) == [0, 1]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_send_bulk_raises_the_account_and_restores_the_handlers(sig: signal.Signals) -> None:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import AsyncSandboxTransport

    from tests.interrupt.inprocess import HangOnSend, client

    before = signal.getsignal(sig)

    async def main() -> None:
        hang = HangOnSend(AsyncSandboxTransport(create_app()), hang_at=1)
        async with client(hang) as c:
            task = asyncio.ensure_future(c.send_bulk(messages(30), media_file=MEDIA, batch_size=10, concurrency=1))
            await hang.reached.wait()
            signal.raise_signal(sig)
            await task

    with pytest.raises(SendInterrupted) as info:
        asyncio.run(main())
    assert info.value.signal_name == sig.name and isinstance(info.value, KeyboardInterrupt)
    account = info.value.account
    assert (list(account.sent), list(account.may_have_been_sent)) == (list(range(10)), list(range(10, 20)))
    assert list(account.not_sent) == list(range(20, 30))
    assert signal.getsignal(sig) is before
