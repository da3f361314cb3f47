"""pytest plugin (registered through the `pytest11` entry point): a ready sandbox for users' test suites.

Fixtures (each test gets fresh state):
- ``clicksend_sandbox``      a :class:`SandboxHandle`: the in-process app, its clock (``advance``), faults, store,
                             and ``http()`` for a raw httpx.Client with the default account;
- ``clicksend_client``        a ``clicksend_mms.AuthenticatedClient`` wired to that app in-process (no socket), for
                             both the sync and the asyncio API functions;
- ``clicksend_facade``        a ``clicksend_mms.ClickSend`` on that app, as the default account, closed after the test;
- ``clicksend_async_facade``  a ``clicksend_mms.AsyncClickSend`` on that app, as the default account (a plain fixture:
                             await it from ``asyncio.run(...)`` or an async test; it holds nothing to close);
- ``clicksend_sandbox_url``  the base URL (``http://127.0.0.1:PORT/v3``, as ClickSend's ``.../v3``) of a real uvicorn
                             server on a free 127.0.0.1 port, stopped after the test.

``clicksend_sandbox.faults.add(path="/mms/send", status=500)`` queues a fault for the default account's next matching
request (``username=`` for another account; ``path`` with or without ``/v3``, exact or a glob); ``.advance(s)``
moves the clock every client of that sandbox sees. The facades use the default retry policy; for another, build one
the same way: ``ClickSend(username, api_key, base_url=IN_PROCESS_URL, transport=SandboxTransport(app), retry=...)``
with ``IN_PROCESS_URL`` and ``SandboxTransport`` from ``clicksend_mms_sandbox.transports``.

The accounts, ClickSend's test recipients and a subprocess launcher are in ``clicksend_mms_sandbox.testing``.

Every install registers the plugin; without the ``sandbox`` extra it still loads (pytest starts as usual) and a
test that asks for one of these fixtures fails saying which extra to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from clicksend_mms_spec.distribution import pip_install

if TYPE_CHECKING:  # imports deferred: the plugin loads in every pytest run where the package is installed
    import httpx
    from clicksend_mms import AsyncClickSend, ClickSend
    from starlette.applications import Starlette

    from .clock import Clock
    from .faults import FaultQueue
    from .state import SandboxState
    from .store import Store


@dataclass
class SandboxHandle:
    app: Starlette
    _closers: list[Any] = field(default_factory=list)

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def faults(self) -> FaultQueue:
        return self.state.faults

    @property
    def store(self) -> Store:
        return self.state.store

    def advance(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def http(self, username: str | None = None, api_key: str | None = None) -> httpx.Client:
        """An httpx.Client on the app in-process, at /v3, as the default account unless told otherwise."""
        from .testing import DEFAULT
        from .transports import sandbox_client

        client = sandbox_client(self.app, username or DEFAULT.username, api_key or DEFAULT.api_key)
        self._closers.append(client)
        return client

    def close(self) -> None:
        for closer in self._closers:
            closer.close()
        self.store.close()


def _create_app() -> Starlette:
    try:
        from .app import create_app
    except ModuleNotFoundError as exc:
        missing = exc.name
    else:
        return create_app()
    pytest.fail(
        f"the clicksend sandbox fixtures need the sandbox extra (no module {missing!r}): {pip_install('sandbox')}",
        pytrace=False,
    )


@pytest.fixture
def clicksend_sandbox() -> Iterator[SandboxHandle]:
    handle = SandboxHandle(_create_app())
    yield handle
    handle.close()


@pytest.fixture
def clicksend_client(clicksend_sandbox: SandboxHandle) -> Iterator[Any]:
    import httpx
    from clicksend_mms import AuthenticatedClient

    from .testing import DEFAULT
    from .transports import IN_PROCESS_URL, AsyncSandboxTransport, SandboxTransport

    auth = httpx.BasicAuth(DEFAULT.username, DEFAULT.api_key)
    client = AuthenticatedClient(base_url=IN_PROCESS_URL, username=DEFAULT.username, api_key=DEFAULT.api_key)
    app = clicksend_sandbox.app
    sync_http = httpx.Client(base_url=IN_PROCESS_URL, auth=auth, transport=SandboxTransport(app))
    async_http = httpx.AsyncClient(base_url=IN_PROCESS_URL, auth=auth, transport=AsyncSandboxTransport(app))
    client.set_httpx_client(sync_http)
    client.set_async_httpx_client(async_http)
    yield client
    sync_http.close()  # the async client holds no resources beyond the app


@pytest.fixture
def clicksend_facade(clicksend_sandbox: SandboxHandle) -> Iterator[ClickSend]:
    from clicksend_mms import ClickSend

    from .testing import DEFAULT
    from .transports import IN_PROCESS_URL, SandboxTransport

    transport = SandboxTransport(clicksend_sandbox.app)
    with ClickSend(DEFAULT.username, DEFAULT.api_key, base_url=IN_PROCESS_URL, transport=transport) as facade:
        yield facade


@pytest.fixture
def clicksend_async_facade(clicksend_sandbox: SandboxHandle) -> AsyncClickSend:
    # A plain fixture, so no async plugin is needed. Its transport calls the app in whichever event loop awaits it
    # and pools no connections, so it holds nothing that needs closing.
    from clicksend_mms import AsyncClickSend

    from .testing import DEFAULT
    from .transports import IN_PROCESS_URL, AsyncSandboxTransport

    transport = AsyncSandboxTransport(clicksend_sandbox.app)
    return AsyncClickSend(DEFAULT.username, DEFAULT.api_key, base_url=IN_PROCESS_URL, transport=transport)


@pytest.fixture
def clicksend_sandbox_url() -> Iterator[str]:
    app = _create_app()
    from .server import ServerThread

    with ServerThread(app) as server:
        yield server.url
