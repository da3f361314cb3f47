from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from clicksend_mms_sandbox import Account, Settings, create_app
from clicksend_mms_sandbox.accounts import DEFAULT_BALANCE
from clicksend_mms_sandbox.app import SandboxState
from clicksend_mms_sandbox.testing import CLICKSEND_TEST_API_KEY, DEFAULT
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport
from starlette.applications import Starlette

from tests.sandbox._spec_check import check_response

MEDIA = "https://example.com/cat.jpg"
SEND_DELAY, RECEIPT_DELAY = 2.0, 5.0
TEST_KEY = CLICKSEND_TEST_API_KEY


def balance_after(*charges: str) -> str:
    """The default account's balance, as the sandbox writes it, after `charges` (e.g. "2.42" per AU message)."""
    return f"{DEFAULT_BALANCE - sum((Decimal(c) for c in charges), Decimal(0)):.4f}"


OPENING = balance_after()


def sandbox_settings(**overrides: Any) -> Settings:
    """Fixed delays, plus a second account (isolation) and one that can afford two AU messages."""
    base = Settings(send_delay=SEND_DELAY, receipt_delay=RECEIPT_DELAY, **overrides)
    return base.with_accounts([Account("other", "other-key"), Account("poor", "poor-key", balance=Decimal("5"))])


@pytest.fixture
def app() -> Iterator[Starlette]:
    application = create_app(sandbox_settings())
    yield application
    application.state.sandbox.store.close()


@pytest.fixture
def state(app: Starlette) -> SandboxState:
    sandbox: SandboxState = app.state.sandbox
    return sandbox


ClientFactory = Callable[..., httpx.Client]


@pytest.fixture
def make_client(app: Starlette) -> Iterator[ClientFactory]:
    """httpx clients on the in-process app, at /v3 as for ClickSend (`base_url=` for the root aliases); every
    response is validated against spec/."""
    clients: list[httpx.Client] = []

    def make(
        username: str | None = DEFAULT.username,
        api_key: str = DEFAULT.api_key,
        target: Starlette | None = None,
        base_url: str = IN_PROCESS_URL,
    ) -> httpx.Client:
        client = httpx.Client(
            transport=SandboxTransport(target or app),
            base_url=base_url,
            auth=(username, api_key) if username is not None else None,
            event_hooks={"response": [check_response]},
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.Client:
    return make_client()


def message(to: str = "+61437111222", **fields: Any) -> dict[str, Any]:
    return {"to": to, "subject": "Hello", "body": "A cat, as promised.", **fields}


def send(client: httpx.Client, *messages: dict[str, Any], media_file: str = MEDIA) -> dict[str, Any]:
    response = client.post("/mms/send", json={"media_file": media_file, "messages": list(messages or [message()])})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def history(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/mms/history", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
