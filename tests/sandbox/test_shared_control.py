"""The sandbox as a shared service: control endpoints act on the calling account only, whole-sandbox operations
(reset all, add accounts, move the shared clock) need the admin key, accounts added at run time persist with --db,
and no one can claim a name to read rows that are not theirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from clicksend_mms_sandbox import Account, Settings, create_app
from clicksend_mms_sandbox.admission import ADMIN_HEADER
from clicksend_mms_sandbox.testing import DEFAULT, SECOND
from clicksend_mms_sandbox.transports import IN_PROCESS_URL, SandboxTransport
from starlette.applications import Starlette

from tests.sandbox.conftest import OPENING, ClientFactory, history, message, sandbox_settings, send

ADMIN_KEY = "admin-key-for-tests"
WHOLE_SANDBOX = [  # (method, path, body): every operation on more than the caller's own state
    ("POST", "/_sandbox/reset", None),
    ("POST", "/_sandbox/accounts", {"username": "newcomer", "api_key": "newcomer-key"}),
    ("POST", "/_sandbox/clock/advance", {"seconds": 60}),
]


@pytest.fixture
def shared() -> Iterator[Starlette]:
    """A sandbox with an admin key, as a team would run one."""
    app = create_app(sandbox_settings(admin_key=ADMIN_KEY))
    yield app
    app.state.sandbox.store.close()


def _client(app: Starlette, auth: tuple[str, str] | None, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(transport=SandboxTransport(app), base_url=IN_PROCESS_URL, auth=auth, headers=headers)


def _state_of(app: Starlette, client: httpx.Client) -> tuple[Any, ...]:
    state = app.state.sandbox
    return (
        history(client)["total"],
        state.balance(DEFAULT.username),
        state.clock.offset,
        state.accounts.get("newcomer"),
    )


@pytest.fixture
def owner(shared: Starlette) -> httpx.Client:
    """The default account, with a message: what a whole-sandbox operation would wipe."""
    client = _client(shared, DEFAULT.basic_auth)
    send(client)
    return client


@pytest.mark.parametrize(("method", "path", "body"), WHOLE_SANDBOX)
def test_an_account_alone_cannot_run_a_whole_sandbox_operation(
    shared: Starlette, owner: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = _state_of(shared, owner)
    response = _client(shared, SECOND.basic_auth).request(method, path, json=body)
    assert response.status_code == 403 and response.json()["response_code"] == "FORBIDDEN", response.text
    assert "X-Sandbox-Admin-Key" in response.json()["response_msg"]
    assert _state_of(shared, owner) == before  # sandbox's history, balance, the clock: untouched


@pytest.mark.parametrize(("method", "path", "body"), WHOLE_SANDBOX)
def test_a_wrong_admin_key_is_401_and_changes_nothing(
    shared: Starlette, owner: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = _state_of(shared, owner)
    for wrong in ("", ADMIN_KEY + "x", "ä-not-ascii".encode("latin-1")):
        headers = {ADMIN_HEADER: wrong}
        response = _client(shared, DEFAULT.basic_auth, headers).request(method, path, json=body)  # type: ignore[arg-type]
        assert response.status_code == 401, response.text
    assert _state_of(shared, owner) == before


def test_the_admin_key_runs_them_without_an_account(shared: Starlette) -> None:
    owner = _client(shared, DEFAULT.basic_auth)
    send(owner)
    admin = _client(shared, None, {ADMIN_HEADER: ADMIN_KEY})
    assert admin.post("/_sandbox/clock/advance", json={"seconds": 60}).status_code == 200
    added = admin.post("/_sandbox/accounts", json={"username": "newcomer", "api_key": "newcomer-key"})
    assert added.status_code == 200 and added.json()["data"]["username"] == "newcomer"
    assert admin.post("/_sandbox/reset").status_code == 200
    assert history(owner)["total"] == 0 and shared.state.sandbox.accounts.get("newcomer") is None


def test_a_shared_sandbox_without_an_admin_key_lets_nobody(make_client: ClientFactory) -> None:
    app = create_app(sandbox_settings(open_admin=False))  # the CLI bound beyond loopback, no --admin-key
    try:
        response = _client(app, DEFAULT.basic_auth).post("/_sandbox/reset")
        assert response.status_code == 403 and "--admin-key" in response.json()["response_msg"]
        assert _client(app, None, {ADMIN_HEADER: "anything"}).post("/_sandbox/reset").status_code == 401
    finally:
        app.state.sandbox.store.close()


def test_the_local_default_keeps_its_convenience(make_client: ClientFactory) -> None:
    # No admin key, loopback (the embedded sandbox of tests and the fuzzer): any account may still reset all.
    assert make_client(SECOND.username, SECOND.api_key).post("/_sandbox/reset").status_code == 200


def test_an_account_reset_resets_the_caller_only(shared: Starlette) -> None:
    owner, other = _client(shared, DEFAULT.basic_auth), _client(shared, SECOND.basic_auth)
    send(owner)
    send(other, message(), message())
    export = other.get("/mms/history/export", params={"filename": "x"}).json()["data"]["url"]
    other.post("/_sandbox/faults", json={"status": 500, "times": 3})
    other.put("/_sandbox/account/balance", json={"balance": "1"})
    owner.post("/_sandbox/faults", json={"status": 500, "times": 3, "path": "/nowhere"})

    reset = other.post("/_sandbox/account/reset")
    assert reset.status_code == 200 and reset.json()["data"]["balance"] == OPENING
    assert history(other)["total"] == 0 and other.get("/_sandbox/faults").json()["data"] == []
    assert other.get(export.removeprefix("http://sandbox.local")).status_code == 404
    assert history(owner)["total"] == 1 and len(owner.get("/_sandbox/faults").json()["data"]) == 1
    assert send(other)["messages"][0]["status"] == "SUCCESS"  # and it carries on


# ---- accounts added at run time, and the names they may take ----


def _on_db(db: Path, *extra: Account, admin_key: str | None = None) -> Starlette:
    settings = Settings(db_path=str(db), admin_key=admin_key)
    return create_app(settings.with_accounts(list(extra)) if extra else settings)


def test_an_added_account_survives_a_restart_with_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    first = _on_db(db)
    added = _client(first, DEFAULT.basic_auth).post(
        "/_sandbox/accounts", json={"username": "ci-7", "api_key": "ci-7-key", "balance": "100", "rate_limit": 5}
    )
    assert added.status_code == 200
    user_id = added.json()["data"]["user_id"]
    send(_client(first, ("ci-7", "ci-7-key")))
    first.state.sandbox.store.close()

    again = _on_db(db)
    try:
        ci = _client(again, ("ci-7", "ci-7-key"))
        assert history(ci)["total"] == 1
        view = ci.get("/_sandbox/account").json()["data"]
        assert view["user_id"] == user_id and view["opening_balance"] == "100.0000"
        assert ci.get("/mms/history").headers["x-ratelimit-limit"] == "5"
        assert _client(again, ("ci-7", "guess")).get("/mms/history").status_code == 401
        taken = _client(again, DEFAULT.basic_auth).post("/_sandbox/accounts", json={"username": "ci-7", "api_key": "k"})
        assert taken.status_code == 400 and "username" in taken.json()["data"]
    finally:
        again.state.sandbox.store.close()


def test_a_name_whose_rows_outlived_its_account_cannot_be_claimed(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    first = _on_db(db, Account("bob", "bob-key"))  # configured once (--account bob:bob-key)...
    send(_client(first, ("bob", "bob-key")))
    first.state.sandbox.store.close()

    again = _on_db(db)  # ...and no longer: bob's rows are still in the database
    try:
        claim = _client(again, DEFAULT.basic_auth).post(
            "/_sandbox/accounts", json={"username": "bob", "api_key": "mine"}
        )
        assert claim.status_code == 400 and "has data" in claim.json()["data"]["username"]
        assert _client(again, ("bob", "mine")).get("/mms/history").status_code == 401
        assert again.state.sandbox.accounts.get("bob") is None
    finally:
        again.state.sandbox.store.close()


def test_after_a_reset_all_the_names_are_free_again(tmp_path: Path) -> None:
    app = _on_db(tmp_path / "shared.db")
    try:
        admin = _client(app, DEFAULT.basic_auth)
        assert admin.post("/_sandbox/accounts", json={"username": "tmp", "api_key": "k1"}).status_code == 200
        assert admin.post("/_sandbox/reset").status_code == 200
        assert app.state.sandbox.store.added_accounts() == []
        assert admin.post("/_sandbox/accounts", json={"username": "tmp", "api_key": "k2"}).status_code == 200
    finally:
        app.state.sandbox.store.close()
