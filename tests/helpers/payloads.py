"""Every published or observed ClickSend payload this project knows, mapped to the operation and status of the
spec that must accept it. Sources: the seed doc pages, APIs-guru's copy of the old Apiary docs, and
ClickSend's current docs, SMS twins and live probes (tests/fixtures/published, its README says where each is from)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.helpers.spec import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
PUBLISHED = FIXTURES / "published"

# published file stem -> (operation, "request" or status). SMS twins stand for their MMS endpoint.
PUBLISHED_MAP: dict[str, tuple[str, str]] = {
    "error__401__live-probes": ("get_mms_history", "401"),
    "error__429__live-probe": ("get_mms_history", "429"),
    "mms_price__request__clicksend-docs-v6": ("price_mms", "request"),
    "mms_send__request__clicksend-docs-php-sample": ("send_mms", "request"),
    "mms_send__request__clicksend-docs-v6": ("send_mms", "request"),
    "sms_cancel__200__clicksend-docs-v6": ("cancel_mms", "200"),
    "sms_cancel_all__200__clicksend-docs-v6": ("cancel_all_mms", "200"),
    "sms_history_export__200__clicksend-docs-v6": ("export_mms_history", "200"),
    "sms_receipt__200__clicksend-docs-v6": ("get_mms_receipt", "200"),
    "sms_receipts__200__clicksend-docs-v6": ("get_mms_receipts", "200"),
    "sms_receipts_read__request__clicksend-docs-v6": ("mark_mms_receipts_read", "request"),
    "uploads__request__clicksend-docs-mms-sample": ("upload_media", "request"),
}
# Published payloads the spec rejects on purpose, with the reason. Each must stay rejected.
KNOWN_FALSE: dict[str, str] = {
    # The docs' own note: uses "status" instead of "http_code" and drops the paginator; live history is paginated.
    "sms_history__200-doc-bug__clicksend-docs-v6": "doc bug",
}
# ClickSend's doc examples carry the Postman placeholder instead of a media URL; Postman substitutes it before
# anything reaches the wire, so the wire form is the substituted one.
POSTMAN_PLACEHOLDER = "{{imageFileURL}}"


@dataclass(frozen=True)
class Payload:
    name: str
    operation_id: str
    kind: str  # "request" or an HTTP status
    body: Any


def _substitute(body: Any) -> Any:
    if isinstance(body, dict) and body.get("media_file") == POSTMAN_PLACEHOLDER:
        return {**body, "media_file": "https://example.com/image.jpg"}
    return body


def known_payloads() -> Iterator[Payload]:
    for path in sorted((FIXTURES / "seeds").glob("*.json")):
        operation_id, kind = path.stem.split("__")
        yield Payload(f"seeds/{path.stem}", operation_id, kind, json.loads(path.read_text()))
    for path in sorted((FIXTURES / "apisguru").glob("*.json")):
        operation_id, kind = path.stem.split("__")
        yield Payload(f"apisguru/{path.stem}", operation_id, kind, json.loads(path.read_text())["payload"])
    for path in sorted(PUBLISHED.glob("*.json")):
        if path.stem in KNOWN_FALSE:
            continue
        operation_id, kind = PUBLISHED_MAP[path.stem]
        body = _substitute(json.loads(path.read_text())["payload"])
        yield Payload(f"published/{path.stem}", operation_id, kind, body)
