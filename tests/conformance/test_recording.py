"""The recorder: HAR 1.2 that never holds the key, stays within its bounds, and survives concurrency."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from clicksend_mms import (
    AsyncClickSend,
    AuthenticatedClient,
    ClickSend,
    ClickSendError,
    ConfigurationError,
    RecordingError,
)
from clicksend_mms.api.mms import get_mms_history
from clicksend_mms.cli import Options, app
from clicksend_mms.conformance import check
from clicksend_mms.recording import REDACTED, Limits, Recorder
from typer.testing import CliRunner

from tests.client.conftest import FAST
from tests.helpers.spec import ROOT

USER = "alice"
# Characters that URL-encoding, JSON escaping and base64 each spell differently.
KEY = 'Secr3t/"q"\\+&=KEY-0001'
HISTORY = json.loads((ROOT / "tests" / "fixtures" / "seeds" / "get_mms_history__200.json").read_text())
BASE = "https://rest.clicksend.com/v3"


def _spellings(secret: str) -> list[str]:
    basic = base64.b64encode(f"{USER}:{secret}".encode()).decode()
    return [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], basic]


def _assert_no_key(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for spelling in _spellings(KEY):
        assert spelling not in text, f"the key leaked as {spelling!r}"
    return text


def _leaky(request: httpx.Request) -> httpx.Response:
    """A server that echoes the credentials everywhere it can: body, headers, cookies, links, error text."""
    auth = request.headers.get("authorization", "")
    body = json.loads(json.dumps(HISTORY))
    row = body["data"]["data"][0]
    row["body"], row["custom_string"] = f"your key is {KEY}", auth
    body["data"]["next_page_url"] = f"/?page=2&api_key={quote_plus(KEY)}"
    headers = {"x-echo": KEY, "set-cookie": f"session={KEY}", "x-auth-echo": auth}
    if request.method == "POST":
        message = {"message_id": "A1", "status": "SUCCESS", "body": KEY, "custom_string": auth}
        data = {"total_price": 0, "total_count": 1, "queued_count": 1, "messages": [message]}
        answer = {"http_code": 200, "response_code": "SUCCESS", "response_msg": KEY, "data": data}
        return httpx.Response(200, json=answer, headers=headers)
    if request.url.params.get("fail"):
        error = {"http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": f"bad key {KEY}", "data": None}
        return httpx.Response(401, json=error, headers=headers)
    return httpx.Response(200, json=body, headers=headers)


def test_the_key_appears_nowhere_in_a_facade_recording(tmp_path: Path) -> None:
    path = tmp_path / "facade.har"
    with ClickSend(USER, KEY, base_url=BASE, transport=httpx.MockTransport(_leaky), retry=FAST, record=path) as cs:
        cs.history(q=f"custom_string:{KEY}")  # the key in a URL (a user mistake) and in every echo
        cs.send([{"to": "+61411111111", "subject": "s", "body": KEY}], media_file=f"https://x.test/{KEY}.gif")
    text = _assert_no_key(path)
    har = json.loads(text)
    assert len(har["log"]["entries"]) == 2
    first = har["log"]["entries"][0]
    assert {"name": "authorization", "value": REDACTED} in first["request"]["headers"]
    assert {"name": "set-cookie", "value": REDACTED} in first["response"]["headers"]
    assert f"your key is {REDACTED}" in first["response"]["content"]["text"]


def test_the_key_is_learned_from_the_authorization_header_of_the_generated_client(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "generated.har")  # nobody tells it the key
    transport = recorder.transport(httpx.MockTransport(_leaky))
    with AuthenticatedClient(base_url=BASE, username=USER, api_key=KEY, httpx_args={"transport": transport}) as c:
        assert get_mms_history.sync(client=c) is not None
        c.get_httpx_client().get("/mms/history", params={"fail": "1", "api_key": KEY})
    text = _assert_no_key(tmp_path / "generated.har")
    assert text.count(REDACTED) > 5


def test_error_responses_and_async_calls_are_recorded_and_redacted(tmp_path: Path) -> None:
    path = tmp_path / "async.har"

    async def run() -> None:
        async with AsyncClickSend(
            USER, KEY, base_url=BASE, transport=httpx.MockTransport(_leaky), retry=FAST, record=path
        ) as cs:
            await cs.history()
            with pytest.raises(ClickSendError):
                await cs._call(_fail_op())

    asyncio.run(run())
    entries = json.loads(_assert_no_key(path))["log"]["entries"]
    assert [e["response"]["status"] for e in entries] == [200, 401]


def _fail_op() -> Any:
    from clicksend_mms import _ops

    op = _ops.history({"page": 1, "limit": 15})
    op.request["params"] = {**op.request.get("params", {}), "fail": "1"}
    return op


def test_entries_are_har_1_2(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har")
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(_leaky)), auth=(USER, KEY)) as client:
        client.post(f"{BASE}/mms/price?x=1", json={"a": 1})
    (entry,) = json.loads((tmp_path / "t.har").read_text())["log"]["entries"]
    assert set(entry) >= {"startedDateTime", "time", "request", "response", "cache", "timings"}
    request, response = entry["request"], entry["response"]
    assert set(request) >= {
        "method",
        "url",
        "httpVersion",
        "cookies",
        "headers",
        "queryString",
        "headersSize",
        "bodySize",
    }
    assert request["queryString"] == [{"name": "x", "value": "1"}]
    assert request["postData"] == {"mimeType": "application/json", "text": '{"a":1}'}
    assert set(response) >= {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL"}
    assert response["content"]["size"] == len(response["content"]["text"].encode())
    assert all(entry["timings"][k] >= 0 for k in ("send", "wait", "receive"))


def test_the_file_is_valid_from_the_start_and_written_atomically(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har")
    assert json.loads((tmp_path / "t.har").read_text())["log"]["entries"] == []
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(_leaky))) as client:
        client.get(f"{BASE}/mms/history")
    assert [p.name for p in tmp_path.iterdir()] == ["t.har"]  # no temporary file left behind
    assert len(json.loads((tmp_path / "t.har").read_text())["log"]["entries"]) == 1


def test_an_unwritable_path_fails_before_anything_is_sent(tmp_path: Path) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    with pytest.raises(RecordingError, match="cannot write the recording") as info:
        ClickSend(USER, KEY, base_url=BASE, transport=transport, record=tmp_path / "no" / "such" / "dir.har")
    assert isinstance(info.value, ConfigurationError)  # what it was before it had its own class
    assert sent == []
    result = CliRunner().invoke(
        app, ["--sandbox", "--record", str(tmp_path / "missing" / "x.har"), "history"], catch_exceptions=False
    )
    # A local file: the local-file exit code, and no word about --sandbox or credentials.
    assert result.exit_code == 11 and "cannot write the recording" in result.stderr
    assert "hint" not in result.stderr


def _record_history(path: Path, *args: str, transport: httpx.BaseTransport | None = None) -> Any:
    obj = Options(transport=transport or httpx.MockTransport(_leaky), retry=FAST)
    return CliRunner().invoke(app, ["--username", USER, "--api-key", KEY, "--record", str(path), *args], obj=obj)


def test_an_existing_recording_is_added_to(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    assert _record_history(path, "history").exit_code == 0
    assert _record_history(path, "history", "--page", "2").exit_code == 0
    entries = json.loads(_assert_no_key(path))["log"]["entries"]
    assert [e["request"]["url"].rsplit("page=", 1)[1][0] for e in entries] == ["1", "2"]
    assert check([path]).checked == 2


def test_an_existing_recording_counts_towards_the_limits_and_keeps_its_log(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    earlier = {"request": {"method": "GET", "url": "https://other.example/x"}, "response": {"status": 204}}
    log = {"version": "1.2", "creator": {"name": "a browser", "version": "9"}, "pages": [], "entries": [earlier]}
    path.write_text(json.dumps({"log": log}))
    recorder = Recorder(path, limits=Limits(max_entries=2))
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(_leaky))) as client:
        for page in range(3):
            client.get(f"{BASE}/mms/history", params={"page": page + 1})
    written = json.loads(path.read_text())["log"]
    assert written["entries"][0] == earlier and len(written["entries"]) == 2
    assert written["creator"]["name"] == "a browser" and written["pages"] == []
    assert recorder.dropped == 2 and "2 later exchange(s) not recorded" in written["comment"]


@pytest.mark.parametrize("content", ["not json", '{"log": {}}', "[1, 2]", '{"log": {"entries": [1]}}'])
def test_a_file_that_is_not_har_is_never_overwritten(tmp_path: Path, content: str) -> None:
    path = tmp_path / "notes.har"
    path.write_text(content)
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    with pytest.raises(RecordingError, match="is not a HAR recording"):
        ClickSend(USER, KEY, base_url=BASE, transport=transport, record=path)
    result = _record_history(path, "history", transport=transport)
    assert result.exit_code == 11 and "not a HAR recording" in result.stderr and "hint" not in result.stderr
    assert path.read_text() == content and sent == [] and [p.name for p in tmp_path.iterdir()] == ["notes.har"]


def test_entry_and_byte_limits_drop_later_exchanges_and_say_so(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har", limits=Limits(max_entries=3))
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(_leaky))) as client:
        for page in range(5):
            client.get(f"{BASE}/mms/history", params={"page": page + 1})
    log = json.loads((tmp_path / "t.har").read_text())["log"]
    assert [e["request"]["url"][-1] for e in log["entries"]] == ["1", "2", "3"]
    assert recorder.dropped == 2 and log["comment"].startswith("2 later exchange(s) not recorded")
    small = Recorder(None, limits=Limits(max_bytes=6000))
    with httpx.Client(transport=small.transport(httpx.MockTransport(_leaky))) as client:
        for _ in range(5):
            client.get(f"{BASE}/mms/history")
    assert len(small.entries) < 5 and small.dropped == 5 - len(small.entries)
    assert sum(len(json.dumps(e)) for e in small.entries) <= 6000


def test_long_bodies_are_cut_marked_and_then_not_checked(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har", limits=Limits(max_body_bytes=300))
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(_leaky))) as client:
        full = client.get(f"{BASE}/mms/history").content
    content = recorder.entries[0]["response"]["content"]
    assert content["_truncated"] is True and "truncated to 300 bytes" in content["comment"]
    assert content["size"] == len(full) and len(content["text"].encode()) <= 300
    assert check([tmp_path / "t.har"]).not_checked == {"response body truncated": 1}


def test_compressed_bodies_are_recorded_as_the_application_reads_them(tmp_path: Path) -> None:
    payload = json.dumps(HISTORY).encode()

    def gzipped(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip", "content-type": "application/json"}
        return httpx.Response(200, content=gzip.compress(payload), headers=headers)

    recorder = Recorder(tmp_path / "t.har")
    with httpx.Client(transport=recorder.transport(httpx.MockTransport(gzipped))) as client:
        assert client.get(f"{BASE}/mms/history").json() == HISTORY
    assert json.loads(recorder.entries[0]["response"]["content"]["text"]) == HISTORY
    assert check([tmp_path / "t.har"]).findings == []


class _Chunks(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 100


def test_streams_stay_streamed_and_a_partial_read_is_marked(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har")
    transport = recorder.transport(httpx.MockTransport(lambda r: httpx.Response(200, stream=_Chunks())))
    with httpx.Client(transport=transport) as client:
        with client.stream("GET", f"{BASE}/export.csv") as response:
            assert len(next(response.iter_raw())) == 100
        assert len(client.get(f"{BASE}/export.csv").content) == 1000
    partial, whole = recorder.entries
    assert partial["response"]["content"]["_truncated"] and partial["comment"].startswith("the response was closed")
    assert len(whole["response"]["content"]["text"]) == 1000 and "comment" not in whole


def test_transport_errors_are_recorded_and_reraised_unchanged(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recorder = Recorder(tmp_path / "t.har")
    client = httpx.Client(transport=recorder.transport(httpx.MockTransport(refuse)))
    with client, pytest.raises(httpx.ConnectError):
        client.post(f"{BASE}/mms/send", json={"media_file": "x"})
    (entry,) = recorder.entries
    assert entry["response"]["status"] == 0 and entry["_error"] == "ConnectError: connection refused"
    assert check([tmp_path / "t.har"]).not_checked["no response (status 0)"] == 1


def _echo_id(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": request.url.params["id"], "thread": threading.get_ident()})


def test_concurrent_threads_and_tasks_each_get_one_whole_entry(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har")
    transport = recorder.transport(httpx.MockTransport(_echo_id))
    with httpx.Client(transport=transport) as client, ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: client.get(f"{BASE}/x", params={"id": f"t{i}"}), range(200)))

    async def tasks() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await asyncio.gather(*(client.get(f"{BASE}/x", params={"id": f"a{i}"}) for i in range(200)))

    asyncio.run(tasks())
    entries = json.loads((tmp_path / "t.har").read_text())["log"]["entries"]
    assert len(entries) == 400
    pairs = {
        (e["request"]["queryString"][0]["value"], json.loads(e["response"]["content"]["text"])["id"]) for e in entries
    }
    assert pairs == {(f"{p}{i}", f"{p}{i}") for p in "ta" for i in range(200)}  # every answer with its own request
    assert len({json.loads(e["response"]["content"]["text"])["thread"] for e in entries}) > 1


def test_one_transport_serves_the_sync_and_async_clients_of_the_generated_client(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.har")
    transport = recorder.transport(None)
    client = AuthenticatedClient(
        base_url="http://127.0.0.1:9", username=USER, api_key=KEY, httpx_args={"transport": transport}
    )
    assert transport._sync_inner().__class__ is httpx.HTTPTransport
    assert transport._async_inner().__class__ is httpx.AsyncHTTPTransport
    with pytest.raises(TypeError, match="async transport"):
        recorder.transport(httpx.AsyncHTTPTransport())._sync_inner()
    client.get_httpx_client().close()
