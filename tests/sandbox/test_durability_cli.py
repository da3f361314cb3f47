"""The console script in a subprocess: an acknowledged send survives kill -9; accounts from flags/file/env."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from clicksend_mms_sandbox.testing import DEFAULT, sandbox_command, serve

from tests.helpers.waiting import wait_until
from tests.sandbox._spec_check import check_response
from tests.sandbox.conftest import MEDIA, balance_after, message

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def running(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with serve(*args, env={**os.environ, **(env or {})}, stderr=subprocess.PIPE) as sandbox:
        yield sandbox.url, sandbox.process


def test_acknowledged_send_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    auth = DEFAULT.basic_auth
    with running("--db", str(db)) as (url, proc):
        with httpx.Client(base_url=url, auth=auth, event_hooks={"response": [check_response]}) as client:
            ids = []
            for i in range(5):
                response = client.post("/mms/send", json={"media_file": MEDIA, "messages": [message(body=f"d{i}")]})
                assert response.status_code == 200
                ids.append(response.json()["data"]["messages"][0]["message_id"])
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no checkpoint: only what was committed survives
        proc.wait(10)
    with running("--db", str(db)) as (url, _), httpx.Client(base_url=url, auth=auth) as client:
        rows = client.get("/mms/history", params={"limit": 100}).json()["data"]["data"]
        assert sorted(r["message_id"] for r in rows) == sorted(ids)
        balance = client.get("/_sandbox/account").json()["data"]["balance"]
        assert balance == balance_after(*["2.42"] * 5)  # the charge persisted with the messages


def test_concurrently_acknowledged_sends_survive_kill_9(tmp_path: Path) -> None:
    # Group commit: sends answered 200 while 16 others are in flight, then kill -9 mid-stream; every acknowledged
    # send must be there after a restart (unacknowledged ones may or may not be).
    db = tmp_path / "sandbox.db"
    auth = DEFAULT.basic_auth
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    enough = threading.Event()  # 150 acknowledged: kill now, however long the machine took to get there
    with running("--db", str(db), "--rate-limit", "0") as (url, proc):

        def sender(n: int) -> None:
            with httpx.Client(base_url=url, auth=auth, timeout=10) as client:
                for i in range(150):  # bounded
                    if stop.is_set():
                        return
                    body = {"media_file": MEDIA, "messages": [message(body=f"c{n}-{i}")]}
                    try:
                        response = client.post("/mms/send", json=body)
                    except httpx.TransportError:
                        return  # killed mid-request: not acknowledged
                    if response.status_code == 200:
                        with lock:
                            acknowledged.append(response.json()["data"]["messages"][0]["message_id"])
                            if len(acknowledged) >= 150:
                                enough.set()

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        # An event, not a time window: a busy machine acknowledges 150 sends later, not fewer of them. The wait's
        # bound only catches a hang (the senders stop by themselves after 16 x 150 sends).
        wait_until(lambda: enough.is_set() or not any(t.is_alive() for t in threads), "150 sends acknowledged")
        os.kill(proc.pid, signal.SIGKILL)  # while sends are in flight
        proc.wait(10)
        stop.set()
        for thread in threads:
            thread.join(30)
    assert len(acknowledged) >= 150
    with running("--db", str(db)) as (url, _), httpx.Client(base_url=url, auth=auth) as client:
        stored: set[str] = set()
        page = 1
        while True:
            data = client.get("/mms/history", params={"limit": 100, "page": page}).json()["data"]
            stored |= {r["message_id"] for r in data["data"]}
            if data["next_page_url"] is None:
                break
            page += 1
        assert set(acknowledged) <= stored
        assert data["total"] == len(stored)
        balance = Decimal(client.get("/_sandbox/account").json()["data"]["balance"])
        assert f"{balance:.4f}" == balance_after(*["2.42"] * len(stored))  # charges committed with messages


def test_the_clock_offset_is_kept_with_the_data(tmp_path: Path) -> None:
    # Statuses are computed from the clock: without its offset, a restart turned a Completed message back into Sent.
    db = tmp_path / "sandbox.db"
    with running("--db", str(db)) as (url, _), httpx.Client(base_url=url, auth=DEFAULT.basic_auth) as client:
        client.post("/mms/send", json={"media_file": MEDIA, "messages": [message(to="+61400000001")]})
        assert client.post("/_sandbox/clock/advance", json={"seconds": 3600}).status_code == 200
        assert client.get("/mms/history").json()["data"]["data"][0]["status"] == "Completed"
    with running("--db", str(db)) as (url, _), httpx.Client(base_url=url, auth=DEFAULT.basic_auth) as client:
        assert client.get("/_sandbox/clock").json()["data"]["offset"] == 3600
        assert client.get("/mms/history").json()["data"]["data"][0]["status"] == "Completed"
        assert client.post("/_sandbox/reset").status_code == 200  # back to real time, and kept so
    with running("--db", str(db)) as (url, _), httpx.Client(base_url=url, auth=DEFAULT.basic_auth) as client:
        assert client.get("/_sandbox/clock").json()["data"]["offset"] == 0


def test_accounts_from_flag_file_and_env(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([{"username": "file-user", "api_key": "file-key", "balance": "3"}]))
    env = {"CLICKSEND_SANDBOX_ACCOUNTS": "env-user:env-key"}
    with running("--accounts", str(accounts), "--account", "flag-user:flag-key:1", env=env) as (url, proc):
        for user, key in [("file-user", "file-key"), ("env-user", "env-key"), ("flag-user", "flag-key"),
                          DEFAULT.basic_auth]:  # fmt: skip
            assert httpx.get(f"{url}/mms/history", auth=(user, key)).status_code == 200, user
        assert httpx.get(f"{url}/mms/history", auth=("file-user", "wrong")).status_code == 401
        account = httpx.get(f"{url}/_sandbox/account", auth=("flag-user", "flag-key")).json()["data"]
        assert account["balance"] == "1.0000"
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert b"file-key" not in stderr and b"flag-key" not in stderr and b"env-key" not in stderr


def test_bad_accounts_file_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "accounts.json"
    bad.write_text("{}")
    command = [*sandbox_command(), "--accounts", str(bad)]
    result = subprocess.run(command, capture_output=True, timeout=30)
    assert result.returncode == 3 and b"holds a JSON list of account objects" in result.stderr
