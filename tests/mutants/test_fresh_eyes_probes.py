"""Each fresh-eyes mutant (fresh_eyes.py) is a real bug: a short probe of the API, run in-process against the
unmutated sandbox and against a copy with the mutant planted, holds on the first and fails on the second.

A probe answers "did the sandbox answer as the spec says?", so it cannot pass by accident on both sides. The patched
copy is imported under a package name of its own, so the repository's sandbox stays as it is.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import clicksend_mms_spec
import httpx
import pytest
from clicksend_mms_sandbox.numbers import MAGIC_RECIPIENTS, Magic
from clicksend_mms_sandbox.testing import DEFAULT, SECOND, TEST_RECIPIENTS

from .catalog import PACKAGE, Mutant
from .fresh_eyes import FRESH_EYES
from .harness import check_applies, plant

MEDIA = "https://example.com/image.jpg"
# The sandbox's magic recipients (a fixed outcome each) and ClickSend's first free test recipient (the spec's).
DELIVERED = next(n for n, m in MAGIC_RECIPIENTS.items() if m == Magic())
FAILED = next(n for n, m in MAGIC_RECIPIENTS.items() if m == Magic(outcome="failed"))
TEST_RECIPIENT = TEST_RECIPIENTS[0]
US_NUMBER = "+12025550123"
# The spec's own upload example (a GIF), so the probe uploads what the contract documents.
GIF: str = clicksend_mms_spec.load()["paths"]["/uploads"]["post"]["requestBody"]["content"]["application/json"][
    "example"
]["content"]


@dataclass
class Api:
    """Two accounts of one in-process sandbox, and the sandbox's control routes."""

    one: httpx.Client  # sandbox
    two: httpx.Client  # sandbox2
    connect: Callable[[str, str], httpx.Client]  # another client of the same app, with these credentials
    origin: str

    def send(self, *messages: dict[str, Any], client: httpx.Client | None = None) -> dict[str, Any]:
        body = {"media_file": MEDIA, "messages": [{"subject": "s", "body": "b", **m} for m in messages]}
        answer = (client or self.one).post("/mms/send", json=body)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def sent_id(self, client: httpx.Client | None = None, **message: Any) -> str:
        return str(self.send(message, client=client)["messages"][0]["message_id"])

    def control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self.one.request(method, f"{self.origin}/_sandbox/{path}", **kwargs)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def now(self) -> int:
        return int(self.control("GET", "clock")["now"])

    def advance(self, seconds: float) -> None:
        self.control("POST", "clock/advance", json={"seconds": seconds})

    def balance(self) -> str:
        return str(self.control("GET", "account")["balance"])

    def history(self, client: httpx.Client | None = None, **params: Any) -> dict[str, Any]:
        answer = (client or self.one).get("/mms/history", params=params)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def receipts(self) -> dict[str, Any]:
        answer = self.one.get("/mms/receipts")
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data


# ---- the probes: True when the sandbox answers as the spec says ----


def auth_accepts_key_prefix(api: Api) -> bool:
    return api.connect(DEFAULT.username, DEFAULT.api_key[:-4]).get("/mms/history").status_code == 401


def auth_key_case_insensitive(api: Api) -> bool:
    return api.connect(DEFAULT.username, DEFAULT.api_key.upper()).get("/mms/history").status_code == 401


def send_test_recipient_charged(api: Api) -> bool:
    before = api.balance()
    answer = api.send({"to": TEST_RECIPIENT})
    return answer["messages"][0]["message_price"] == "0.0000" and api.balance() == before


def send_credit_check_per_message(api: Api) -> bool:
    api.control("PUT", "account/balance", json={"balance": "3.00"})  # one AU message (2.42), not two
    answer = api.send({"to": DELIVERED}, {"to": DELIVERED})
    return [m["status"] for m in answer["messages"]] == ["SUCCESS", "INSUFFICIENT_CREDIT"]


def send_queued_count_counts_rejected(api: Api) -> bool:
    answer = api.send({"to": DELIVERED}, {"to": "not a number"})
    return bool(answer["queued_count"] == 1 and answer["total_count"] == 2)


def send_local_number_ignores_country(api: Api) -> bool:
    message = api.send({"to": "0211234567", "country": "NZ"})["messages"][0]
    return bool(message["to"] == "+64211234567" and message["country"] == "NZ")


def send_unicode_limit_swapped(api: Api) -> bool:
    unicode, gsm = "Ж" * 600, "g" * 1200
    kept = [
        m["body"]
        for m in api.send({"to": TEST_RECIPIENT, "body": unicode}, {"to": TEST_RECIPIENT, "body": gsm})["messages"]
    ]
    return kept == [unicode[:500], gsm]


def send_schedule_ignored_by_lifecycle(api: Api) -> bool:
    api.send({"to": DELIVERED, "schedule": api.now() + 3600})
    api.advance(60)  # long past send + receipt delays, long before the schedule
    return bool(api.receipts()["total"] == 0 and api.history()["data"][0]["status"] == "Scheduled")


def price_stores_and_charges(api: Api) -> bool:
    before = api.balance()
    answer = api.one.post(
        "/mms/price", json={"media_file": MEDIA, "messages": [{"to": DELIVERED, "subject": "s", "body": "b"}]}
    )
    assert answer.status_code == 200, answer.text
    return api.balance() == before and api.history()["total"] == 0


def history_date_to_exclusive(api: Api) -> bool:
    api.send({"to": TEST_RECIPIENT})
    added = api.history()["data"][0]["date_added"]
    return bool(api.history(date_to=added, date_from=added)["total"] == 1)


def history_q_first_filter_only(api: Api) -> bool:
    api.send({"to": TEST_RECIPIENT, "subject": "alpha"}, {"to": TEST_RECIPIENT, "subject": "beta"})
    found = api.history(q=f"to:{TEST_RECIPIENT},subject:beta")
    return bool(found["total"] == 1 and found["data"][0]["subject"] == "beta")


def history_order_by_price_inverted(api: Api) -> bool:
    api.send({"to": DELIVERED}, {"to": US_NUMBER})
    prices = [r["message_price"] for r in api.history(order_by="message_price:asc")["data"]]
    return prices == sorted(prices, key=float) and prices[0] != prices[-1]


def history_message_id_filter_crosses_accounts(api: Api) -> bool:
    theirs = api.sent_id(to=TEST_RECIPIENT)
    theirs_seen_by_two: int = api.history(client=api.two, q=f"message_id:{theirs}")["total"]
    return theirs_seen_by_two == 0 and api.history(q=f"message_id:{theirs}")["total"] == 1


def history_page_one_row_extra(api: Api) -> bool:
    api.send(*({"to": TEST_RECIPIENT} for _ in range(16)))
    page = api.history(limit=15)
    return len(page["data"]) == 15 and page["to"] == 15 and page["total"] == 16


def history_status_skips_sent(api: Api) -> bool:
    api.send({"to": DELIVERED})
    api.advance(3)  # past the send delay (2 s), before the receipt (5 s more)
    return bool(api.history()["data"][0]["status"] == "Sent")


def export_serves_every_account(api: Api) -> bool:
    api.send({"to": TEST_RECIPIENT, "custom_string": "someone-elses"}, client=api.two)  # before: within the export
    api.send({"to": TEST_RECIPIENT, "custom_string": "mine"})
    link = api.one.get("/mms/history/export", params={"filename": "h.csv"}).json()["data"]["url"]
    csv = api.one.get(link)
    assert csv.status_code == 200, csv.text
    return "mine" in csv.text and "someone-elses" not in csv.text


def receipts_failed_reads_delivered(api: Api) -> bool:
    api.send({"to": FAILED})
    api.advance(60)
    (receipt,) = api.receipts()["data"]
    return bool(receipt["status_code"] == "301")


def receipt_by_id_crosses_accounts(api: Api) -> bool:
    theirs = api.sent_id(to=TEST_RECIPIENT)
    return (
        api.two.get(f"/mms/receipts/{theirs}").status_code == 404
        and api.one.get(f"/mms/receipts/{theirs}").status_code == 200
    )


def receipts_read_marks_every_account(api: Api) -> bool:
    api.send({"to": DELIVERED})
    api.advance(60)
    assert api.two.put("/mms/receipts-read").status_code == 200
    page = api.receipts()
    return bool(page["total"] == 1 and len(page["data"]) == 1)


def receipts_read_date_before_on_send_time(api: Api) -> bool:
    api.send({"to": DELIVERED})
    api.advance(60)
    (receipt,) = api.receipts()["data"]
    between = int(receipt["timestamp_send"]) + 2  # after the send, before the receipt (5 s later)
    assert between < int(receipt["timestamp"])
    assert api.one.put("/mms/receipts-read", json={"date_before": between}).status_code == 200
    return bool(api.receipts()["total"] == 1)


def cancel_crosses_accounts(api: Api) -> bool:
    theirs = api.sent_id(to=DELIVERED, schedule=api.now() + 3600)
    return api.two.put(f"/mms/{theirs}/cancel").status_code == 404 and api.history()["data"][0]["status"] == "Scheduled"


def cancel_after_schedule_passed(api: Api) -> bool:
    mine = api.sent_id(to=DELIVERED, schedule=api.now() + 10)
    api.advance(60)  # sent and delivered
    return api.one.put(f"/mms/{mine}/cancel").status_code == 404 and api.history()["data"][0]["status"] == "Completed"


def cancel_all_no_refund(api: Api) -> bool:
    before = api.balance()
    api.send({"to": DELIVERED, "schedule": api.now() + 3600})
    assert api.balance() != before
    assert api.one.put("/mms/cancel-all").json()["data"]["count"] == 1
    return api.balance() == before


def upload_url_does_not_resolve(api: Api) -> bool:
    answer = api.one.post("/uploads", params={"convert": "mms"}, json={"content": GIF})
    assert answer.status_code == 200, answer.text
    served = api.one.get(answer.json()["data"]["_url"])
    return served.status_code == 200 and served.content == base64.b64decode(GIF)


PROBES: dict[str, Callable[[Api], bool]] = {m.name: globals()[m.name.replace("-", "_")] for m in FRESH_EYES}


# ---- running a probe against a sandbox, clean or mutated ----


@contextlib.contextmanager
def _package(mutant: Mutant | None, into: Path) -> Iterator[str]:
    """The name of an importable sandbox package: the repository's, or a planted copy under a name of its own."""
    if mutant is None:
        yield PACKAGE
        return
    root = plant(mutant, into) / PACKAGE
    name = f"_fresh_eyes_{mutant.name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield name
    finally:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]


def _probe(probe: Callable[[Api], bool], mutant: Mutant | None, into: Path) -> bool:
    with _package(mutant, into) as name:
        app_module: ModuleType = importlib.import_module(f"{name}.app")
        transports: ModuleType = importlib.import_module(f"{name}.transports")
        app = app_module.create_app()
        clients: list[httpx.Client] = []

        def connect(username: str, api_key: str) -> httpx.Client:
            client: httpx.Client = transports.sandbox_client(app, username, api_key)
            clients.append(client)
            return client

        try:
            api = Api(connect(*DEFAULT.basic_auth), connect(*SECOND.basic_auth), connect, "http://sandbox.local")
            return probe(api)
        finally:
            for client in clients:
                client.close()
            app.state.sandbox.store.close()


def test_every_fresh_mutant_has_a_probe_and_a_unique_name() -> None:
    names = [m.name for m in FRESH_EYES]
    assert len(names) == len(set(names)) >= 12
    assert all(m.kind == "fresh" and m.what for m in FRESH_EYES)


@pytest.mark.parametrize("mutant", FRESH_EYES, ids=lambda m: m.name)
def test_probe_holds_on_the_sandbox_and_fails_on_the_mutant(mutant: Mutant, tmp_path: Path) -> None:
    check_applies(mutant)
    probe = PROBES[mutant.name]
    assert _probe(probe, None, tmp_path), f"{mutant.name}: the unmutated sandbox does not answer as the spec says"
    assert not _probe(probe, mutant, tmp_path), f"{mutant.name}: the probe does not see the planted bug"
