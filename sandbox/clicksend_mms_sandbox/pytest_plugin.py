"""pytest plugin (registered through the `pytest11` entry point): a ready sandbox for users' test suites.

Fixtures (each test gets fresh state):
- ``clicksend_sandbox``      a :class:`SandboxHandle`: the in-process app, its clock (``advance``), faults, store,
                             and ``http()`` for a raw httpx.Client with the default account;
- ``clicksend_client``        a ``clicksend_mms.AuthenticatedClient`` wired to that app in-process (no socket), for
                             both the sync and the asyncio API functions;
- ``clicksend_sandbox_url``  the base URL of a real uvicorn server on a free 127.0.0.1 port, stopped after the test.

Every install registers the plugin; without the ``sandbox`` extra it still loads (pytest starts as usual) and a
test that asks for one of these fixtures fails saying which extra to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imports deferred: the plugin loads in every pytest run where the package is installed
    import httpx
    from starlette.applications import Starlette

    from .app import SandboxState
    from .clock import Clock
    from .faults import FaultQueue
    from .store import Store

USERNAME = "sandbox"
API_KEY = "sandbox-key"
BASE_URL = "http://sandbox.local"


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

    def http(self, username: str = USERNAME, api_key: str = API_KEY) -> httpx.Client:
        from .transports import sandbox_client

        client = sandbox_client(self.app, username, api_key)
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
        f"the clicksend sandbox fixtures need the sandbox extra (no module {missing!r}): "
        "pip install 'clicksend-mms[sandbox]'",
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

    from .transports import AsyncSandboxTransport, SandboxTransport

    auth = httpx.BasicAuth(USERNAME, API_KEY)
    client = AuthenticatedClient(base_url=BASE_URL, username=USERNAME, api_key=API_KEY)
    sync_http = httpx.Client(base_url=BASE_URL, auth=auth, transport=SandboxTransport(clicksend_sandbox.app))
    async_http = httpx.AsyncClient(base_url=BASE_URL, auth=auth, transport=AsyncSandboxTransport(clicksend_sandbox.app))
    client.set_httpx_client(sync_http)
    client.set_async_httpx_client(async_http)
    yield client
    sync_http.close()  # the async client holds no resources beyond the app


@pytest.fixture
def clicksend_sandbox_url() -> Iterator[str]:
    app = _create_app()
    from .server import ServerThread

    with ServerThread(app) as server:
        yield server.url
