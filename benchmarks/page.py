"""The benchmark's MMS history page: ClickSend's maximum of 100 rows, built from the seed rows with varied values.

Its keys are in ClickSend's order, the order the spec lists each object's properties (ClickSend's own v6 examples
and its live envelope agree with it: `http_code, response_code, response_msg, data`); the seed file lists them
alphabetically, as the old documentation sorted its examples. `page_bytes(sort_keys=True)` gives that order.
"""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import clicksend_mms_spec

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seeds" / "get_mms_history__200.json"
ROWS = 100

# Every documented spelling of each quirky field, cycled through with co-prime periods so rows differ.
_PRICES: tuple[Any, ...] = ("2.4200", "2.420000", "0.0000", 19.36, "0.770000")
_STATUS_CODES: tuple[Any, ...] = ("200", "301", None, "Completed", "201", None, "Completed")
_SCHEDULES: tuple[Any, ...] = ("", "1467356623", "1467358732", "1467363210000")
_PARTS: tuple[Any, ...] = ("1.00", 1, "2.00")
_LIST_IDS: tuple[Any, ...] = (429, None, 17)
_STATUSES = ("Sent", "Failed", "Queued", "Queued:WaitSend", "Completed", "Scheduled", "Cancelled")


def build_page(rows: int = ROWS) -> dict[str, Any]:
    seed: dict[str, Any] = json.loads(SEED.read_text())
    seed_rows: list[dict[str, Any]] = seed["data"]["data"]
    out: list[dict[str, Any]] = []
    for i in range(rows):
        row = copy.deepcopy(seed_rows[i % len(seed_rows)])
        row["message_id"] = f"{0x2453E085 + i:08X}-C1F8-47EC-AD35-{0xB793960B1313 + 7919 * i:012X}"
        row["message_price"] = _PRICES[i % len(_PRICES)]
        row["status_code"] = _STATUS_CODES[i % len(_STATUS_CODES)]
        row["status"] = _STATUSES[i % len(_STATUSES)]
        row["schedule"] = _SCHEDULES[i % len(_SCHEDULES)]
        row["message_parts"] = _PARTS[i % len(_PARTS)]
        row["list_id"] = _LIST_IDS[i % len(_LIST_IDS)]
        row["contact_id"] = None if i % 5 == 0 else 1000 + i
        row["date_added"] = 1467356623 + 61 * i if i % 4 else str(1467356623 + 61 * i)
        row["to"] = f"+614{11111111 + i:08d}"
        row["body"] = f"Message {i}: " + "This is a test message. " * (1 + i % 3)
        row["custom_string"] = "" if i % 2 else f"order-{i}"
        out.append(row)
    page = copy.deepcopy(seed)
    page["data"].update(
        {"data": out, "per_page": rows, "total": 3 * rows + 1, "to": rows, "last_page": 4, "next_page_url": "/?page=2"}
    )
    return _in_wire_order(page)


def _in_wire_order(page: dict[str, Any]) -> dict[str, Any]:
    schemas = clicksend_mms_spec.load()["components"]["schemas"]

    def ordered(obj: dict[str, Any], schema: str) -> dict[str, Any]:
        keys = [k for k in schemas[schema]["properties"] if k in obj]
        return {k: obj[k] for k in keys + [k for k in obj if k not in keys]}

    data = ordered(page["data"], "MmsHistoryPage")
    data["data"] = [ordered(row, "MmsMessageRecord") for row in data["data"]]
    return {**ordered(page, "MmsHistoryResponse"), "data": data}


def page_bytes(rows: int = ROWS, *, sort_keys: bool = False) -> bytes:
    return json.dumps(build_page(rows), separators=(",", ":"), sort_keys=sort_keys).encode()


SEND_RESPONSE: dict[str, Any] = {
    "http_code": 200,
    "response_code": "SUCCESS",
    "response_msg": "Messages queued for delivery.",
    "data": {
        "total_price": 2.42,
        "total_count": 1,
        "queued_count": 1,
        "messages": [
            {
                "direction": "out",
                "date": 1467356623,
                "to": "+61411111111",
                "body": "A cat",
                "from": "+61298444213",
                "schedule": "",
                "message_id": "2453E085-C1F8-47EC-AD35-B793960B1313",
                "message_parts": 1,
                "message_price": "2.4200",
                "from_email": None,
                "list_id": None,
                "custom_string": "",
                "contact_id": None,
                "user_id": 1,
                "subaccount_id": 1,
                "country": "AU",
                "carrier": "Telstra",
                "status": "SUCCESS",
                "subject": "Hello",
                "_media_file_url": "https://example.com/cat.jpg",
            }
        ],
        "_currency": {
            "currency_name_short": "AUD",
            "currency_prefix_d": "$",
            "currency_prefix_c": "c",
            "currency_name_long": "Australian Dollars",
        },
    },
}

SEND_REQUEST: dict[str, Any] = {
    "media_file": "https://example.com/cat.jpg",
    "messages": [{"to": "+61411111111", "subject": "Hello", "body": "A cat", "source": "bench"}],
}
