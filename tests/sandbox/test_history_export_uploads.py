"""History (paginator, q, order_by, dates), export links, uploads."""

from __future__ import annotations

import base64
import csv
import io
from urllib.parse import urlsplit

import httpx
import pytest
from clicksend_mms_sandbox.app import SandboxState

from tests.helpers.payloads import PUBLISHED
from tests.sandbox.conftest import ClientFactory, history, message, send

GIF = "R0lGODlhEAAQAMIHAEOqRVOvIlKwIVOwIlixFViyFWO3AP///yH+EUNyZWF0ZWQgd2l0aCBHSU1QACH5BAEKAAcALAAAAAAQABAAAAMmeLrcSjBKwoy92JaVuxGcJ45kaZ5oGRrOcYXuuAwOYLXtjTvB7icAOw=="  # noqa: E501


def test_empty_history_is_laravel_empty(client: httpx.Client) -> None:
    data = history(client)
    assert data == {
        "total": 0, "per_page": 15, "current_page": 1, "last_page": 0, "next_page_url": None,
        "prev_page_url": None, "from": None, "to": None, "data": [],
    }  # fmt: skip


def test_paginator_over_31_messages(client: httpx.Client) -> None:
    send(client, *(message(body=f"m{i}") for i in range(31)))
    first = history(client)
    assert (first["total"], first["per_page"], first["last_page"], first["from"], first["to"]) == (31, 15, 3, 1, 15)
    assert first["next_page_url"] == "/?page=2" and first["prev_page_url"] is None
    third = history(client, page=3)
    assert (third["from"], third["to"], len(third["data"])) == (31, 31, 1)
    assert third["next_page_url"] is None and third["prev_page_url"] == "/?page=2"
    beyond = history(client, page=9)
    assert beyond["data"] == [] and beyond["from"] is None and beyond["last_page"] == 3
    assert history(client, limit=100)["last_page"] == 1
    ids = [r["message_id"] for p in (1, 2, 3) for r in history(client, page=p)["data"]]
    assert len(set(ids)) == 31  # pages are disjoint and complete
    bodies = [r["body"] for r in history(client, limit=100)["data"]]
    assert bodies == [f"m{i}" for i in reversed(range(31))]  # newest first by default


def test_history_row_has_the_wire_shape_of_the_seed(client: httpx.Client) -> None:
    send(client, message(**{"from": "+61298444213"}))
    (row,) = history(client)["data"]
    assert row["message_parts"] == "1.00" and row["message_price"] == "2.4200"
    assert row["schedule"] == str(row["date_added"]) and isinstance(row["date_added"], int)
    assert row["status"] == "Queued" and row["status_code"] is None and row["custom_string"] == ""
    assert row["_api_username"] == "sandbox" and row["direction"] == "out"


def test_q_order_by_and_dates(client: httpx.Client, state: SandboxState) -> None:
    send(client, message(subject="alpha", custom_string="x"))
    state.advance(1000)
    send(client, message(subject="beta", to="+61437000999"))
    assert [r["subject"] for r in history(client, q="subject:ALPHA")["data"]] == ["alpha"]
    assert [r["subject"] for r in history(client, q="to:+61437000999,direction:out")["data"]] == ["beta"]
    assert history(client, q="custom_string:x,subject:beta")["total"] == 0
    assert [r["subject"] for r in history(client, q="status:queued")["data"]] == ["beta"]
    assert [r["subject"] for r in history(client, q="Status:COMPLETED")["data"]] == ["alpha"]
    assert history(client, q="unknown_field:1")["total"] == 2  # unknown fields are ignored
    assert [r["subject"] for r in history(client, order_by="subject:asc")["data"]] == ["alpha", "beta"]
    assert [r["subject"] for r in history(client, order_by="date_added:ASC")["data"]] == ["alpha", "beta"]
    first_date = history(client, order_by="date_added:asc")["data"][0]["date_added"]
    assert [r["subject"] for r in history(client, date_from=first_date + 1)["data"]] == ["beta"]
    assert [r["subject"] for r in history(client, date_to=first_date)["data"]] == ["alpha"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 14}, {"limit": 101}, {"limit": "ten"}, {"page": 0}, {"q": "no colon"}, {"order_by": "x:sideways"},
     {"date_from": -1}, {"date_from": 10, "date_to": 5}],
)  # fmt: skip
def test_bad_history_parameters_are_400(client: httpx.Client, params: dict[str, object]) -> None:
    response = client.get("/mms/history", params=params)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert set(response.json()["data"]) <= {"limit", "page", "q", "order_by", "date_from", "date_to"}


def test_export_link_serves_this_accounts_history_as_csv(
    client: httpx.Client, make_client: ClientFactory, state: SandboxState
) -> None:
    send(client, message(body="mine, with a comma"))
    send(make_client("other", "other-key"), message(body="theirs"))
    response = client.get("/mms/history/export", params={"filename": "../my report?.csv"})
    assert response.status_code == 200
    url = response.json()["data"]["url"]
    parts = urlsplit(url)
    assert parts.path.startswith("/_sandbox/exports/") and parts.query == "filename=my_report_.csv"
    download = client.get(url, auth=None)  # the link itself is the credential, like a pre-signed URL
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert 'filename="my_report_.csv"' in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["body"] for r in rows] == ["mine, with a comma"]
    assert rows[0]["message_price"] == "2.4200"
    state.advance(20 * 60 + 1)
    assert client.get(url).status_code == 404  # expired
    guessed = client.get("/_sandbox/exports/" + "A" * 43)
    assert guessed.status_code == 404


def test_export_needs_a_filename(client: httpx.Client) -> None:
    assert client.get("/mms/history/export").status_code == 400


def test_upload_converts_and_answers_a_usable_url(client: httpx.Client) -> None:
    response = client.post("/uploads", params={"convert": "mms"}, json={"content": GIF})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["_url"].endswith(".gif") and data["file_name"] == data["upload_id"] + ".gif"
    assert data["date_delete"] > data["date_added"] and data["user_id"] == 1
    assert client.get(data["_url"]).content == base64.b64decode(GIF)
    (msg,) = send(client, media_file=data["_url"])["messages"]
    assert msg["status"] == "SUCCESS"


def test_convert_may_come_in_the_body(client: httpx.Client) -> None:
    # ClickSend's current docs take `convert` in the query or the body; the official 6.x SDK sends it in the body.
    response = client.post("/uploads", json={"content": GIF, "convert": "mms"})
    assert response.status_code == 200 and response.json()["data"]["_url"].endswith(".gif")


def test_png_is_converted_to_jpg(client: httpx.Client) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()
    data = client.post("/uploads?convert=mms", json={"content": png}).json()["data"]
    assert data["_url"].endswith(".jpg")


@pytest.mark.parametrize(
    ("query", "body", "field"),
    [
        ("convert=mms", {"content": base64.b64encode(b"%PDF-1.4 not an image").decode()}, "content"),
        ("convert=mms", {"content": "abc"}, "content"),
        ("convert=fax", {"content": GIF}, "convert"),
        ("", {"content": GIF}, "convert"),
        ("", {"content": GIF, "convert": "fax"}, "convert"),
        ("convert=mms", {"content": GIF, "extra": 1}, "extra"),
    ],
)
def test_bad_uploads_are_400(client: httpx.Client, query: str, body: dict[str, object], field: str) -> None:
    response = client.post(f"/uploads?{query}", json=body)
    assert response.status_code == 400
    assert field in response.json()["data"]


def test_published_upload_example_is_accepted(client: httpx.Client) -> None:
    import json

    path = PUBLISHED / "uploads__request__clicksend-docs-mms-sample.json"
    example = json.loads(path.read_text())
    response = client.post("/uploads", params=example["query"], json=example["payload"])
    assert response.status_code == 200
