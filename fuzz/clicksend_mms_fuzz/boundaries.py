"""The boundary probes: against the embedded sandbox, after schemathesis, drive the run's account to each side of a
rule's boundary through the sandbox's control endpoints and judge the answer on both sides.

- credit: the balance set to exactly what the API quotes for a send (price_mms) -> the send succeeds and leaves
  0.00; one cent less -> INSUFFICIENT_CREDIT and the balance untouched (never negative); that balance and two such
  messages in one send -> exactly one SUCCESS (credit is spent message by message) and 0.00 left.
- cancel: a scheduled message, the server's clock moved to just before its schedule -> it reads Scheduled and
  cancel answers 200; moved past it -> it no longer reads Scheduled and cancel is refused (404, "not scheduled").
- body: a body of exactly the spec's limit for its alphabet (GSM 03.38 or unicode) is kept whole, one character
  more is truncated to the limit, one part either way.
- page: history over one message more than a page holds: page == last_page has the rest and no next page; page ==
  last_page + 1 has no rows.
- magic recipient, lifecycle, receipts-read (lifecycle.py): each of the sandbox's magic recipients (the spec's
  `x-clicksend-sandbox`) at send and past its receipt time; on a sandbox with stages minutes wide, a message read
  strictly inside each stage (Queued, Sent without a receipt, Completed with one), and a receipt marked read with
  `date_before` at its own second (stays unread) and one second later (marked).

Deterministic (no generated input; clock moves, not sleeps); the oracle is what the spec says, not the sandbox's
code. Each side is a row of `RESULTS` and one judged case of the `boundary_probe` check in the run's statistics.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from . import wire

CHECK = "boundary_probe"
CENT = Decimal("0.01")
# A recipient the sandbox prices (Australia's range for fiction, as reach.py's scheduled sends use).
PRICED_RECIPIENT = "+61491570006"
MEDIA_FILE = "https://example.com/boundary.jpg"
AHEAD = 3600  # a message scheduled an hour ahead of the server's clock
MARGIN = 30  # seconds short of / past the schedule: far more than a request takes, so no timing decides a side
TIMEOUT = 10.0
SCHEDULED = "Scheduled"  # the status the spec's x-extensible-enum gives a message waiting for its schedule


@dataclass(frozen=True)
class Side:
    boundary: str
    side: str
    ok: bool
    detail: str


class _Client:
    def __init__(self, base_url: str, username: str, api_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.authorization = wire.basic_auth(username, api_key)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, the envelope's data) of `method path` (API paths relative to /v3, control paths absolute)."""
        url = (self.origin if path.startswith("/_sandbox/") else self.base_url) + path
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": self.authorization, "Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return answer.status, wire.envelope_data(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, wire.envelope_data(error.read())


def _send_body(schedule: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"to": PRICED_RECIPIENT, "subject": "boundary", "body": "A boundary probe."}
    if schedule is not None:
        message["schedule"] = schedule
    return {"media_file": MEDIA_FILE, "messages": [message]}


def _balance(client: _Client) -> Decimal:
    _, data = client.call("GET", "/_sandbox/account")
    return Decimal(str(data["balance"]))


def _set_balance(client: _Client, amount: Decimal) -> None:
    client.call("PUT", "/_sandbox/account/balance", {"balance": f"{amount:.2f}"})


def _send_with_balance(client: _Client, balance: Decimal, body: dict[str, Any]) -> tuple[int, list[str], Decimal]:
    """(send's status, its messages' statuses, the balance after) with the account's balance set first."""
    _set_balance(client, balance)
    status, data = client.call("POST", "/mms/send", body)
    messages = data.get("messages") if isinstance(data, dict) else None
    return status, [str(m.get("status")) for m in messages or []], _balance(client)


def credit(client: _Client) -> list[Side]:
    status, quote = client.call("POST", "/mms/price", _send_body())
    if status != 200 or not isinstance(quote, dict):
        return [Side("credit", "quote", False, f"price_mms answered {status}, no quote to set a balance from")]
    price = Decimal(str(quote["total_price"]))
    short = price - CENT
    # Within one send the credit is spent message by message: a balance that covers one of two equal messages
    # sends exactly one of them, and never goes below zero.
    twice = _send_body()
    twice["messages"] = twice["messages"] * 2
    cases = (  # side, balance, body, expected statuses (sorted), expected balance after
        ("balance == price", price, _send_body(), ["SUCCESS"], Decimal(0)),
        ("balance == price - 0.01", short, _send_body(), ["INSUFFICIENT_CREDIT"], short),
        ("balance == price of one of two", price, twice, ["INSUFFICIENT_CREDIT", "SUCCESS"], Decimal(0)),
    )
    sides = []
    for side, balance, body, expected, after in cases:
        status, statuses, left = _send_with_balance(client, balance, body)
        sides.append(
            Side(
                "credit",
                side,
                status == 200 and sorted(statuses) == expected and left == after,
                f"balance {balance}, {len(body['messages'])} message(s) of {price} each: send answered {status} "
                f"{statuses}, balance after {left} (expected {expected}, {after})",
            )
        )
    return sides


def _scheduled(client: _Client) -> tuple[str | None, float]:
    """(id of a message scheduled AHEAD seconds after the server's now, its schedule)."""
    _, clock = client.call("GET", "/_sandbox/clock")
    schedule = int(clock["now"]) + AHEAD
    status, data = client.call("POST", "/mms/send", _send_body(schedule))
    messages = data.get("messages") if isinstance(data, dict) else None
    if status != 200 or not messages or messages[0].get("status") != "SUCCESS":
        return None, schedule
    return str(messages[0].get("message_id")), schedule


def _advance_to(client: _Client, when: float) -> None:
    _, clock = client.call("GET", "/_sandbox/clock")
    client.call("POST", "/_sandbox/clock/advance", {"seconds": max(0.0, when - float(clock["now"]))})


def cancel(client: _Client) -> list[Side]:
    client.call("POST", "/_sandbox/account/balance/reset")  # funded again after the credit probes
    sides = []
    for side, offset, expected in (("clock < schedule", -MARGIN, 200), ("clock > schedule", MARGIN, 404)):
        message_id, schedule = _scheduled(client)
        if message_id is None:
            sides.append(Side("cancel", side, False, "a scheduled send was not accepted"))
            continue
        _advance_to(client, schedule + offset)
        _, record = client.call("GET", f"/mms/receipts/{message_id}")  # the message record, despite the name
        shown = record.get("status") if isinstance(record, dict) else None
        status, _ = client.call("PUT", f"/mms/{message_id}/cancel")
        waiting = offset < 0
        sides.append(
            Side(
                "cancel",
                side,
                status == expected and (shown == SCHEDULED) == waiting,
                f"schedule{offset:+d}s: status {shown} ({'' if waiting else 'not '}expected {SCHEDULED}), cancel "
                f"answered {status} (expected {expected})",
            )
        )
    return sides


def page_size() -> int:
    """The smallest page the spec allows (its Limit parameter's minimum): the fewest messages that fill one."""
    import clicksend_mms_spec

    spec = clicksend_mms_spec.load()
    return int(spec["components"]["parameters"]["Limit"]["schema"]["minimum"])


def page(client: _Client) -> list[Side]:
    """One message more than the smallest page holds: the last page has the rest, the page after it nothing."""
    size = page_size()
    for _ in range(size + 1):
        client.call("POST", "/mms/send", _send_body())
    _, first = client.call("GET", f"/mms/history?limit={size}&page=1")
    if not isinstance(first, dict) or not first.get("last_page"):
        return [Side("page", "page 1", False, f"history page 1 answered no page: {first!r:.200}")]
    total, last = int(first["total"]), int(first["last_page"])
    sides = []
    for side, number in (("page == last_page", last), ("page == last_page + 1", last + 1)):
        _, answer = client.call("GET", f"/mms/history?limit={size}&page={number}")
        expected = max(0, total - (number - 1) * size) if number == last else 0
        rows = len(answer.get("data") or []) if isinstance(answer, dict) else None
        following = answer.get("next_page_url") if isinstance(answer, dict) else "?"
        ok = rows == expected and (number < last or following is None) and (number != last or 0 < rows <= size)
        sides.append(
            Side(
                "page",
                side,
                ok,
                f"total {total}, last_page {last}: page {number} has {rows} row(s) (expected {expected}), "
                f"next_page_url {following!r} (expected None)",
            )
        )
    return sides


# One character of each alphabet the spec's body limits name: GSM 03.38 text, and text outside it ("unicode").
ALPHABET_CHARACTER = {"gsm7": "a", "unicode": "\u2713"}


def body_limits() -> dict[str, int]:
    """The spec's truncation limits of a message body, per alphabet (`x-clicksend-truncate`)."""
    import clicksend_mms_spec

    body = clicksend_mms_spec.load()["components"]["schemas"]["MmsMessageInput"]["properties"]["body"]
    return {alphabet: int(limit) for alphabet, limit in body["x-clicksend-truncate"].items()}


def body(client: _Client) -> list[Side]:
    """A body of exactly its alphabet's limit is kept whole; one character more is truncated to the limit."""
    client.call("POST", "/_sandbox/account/balance/reset")
    sides = []
    for alphabet, limit in body_limits().items():
        for length in (limit, limit + 1):
            text = ALPHABET_CHARACTER[alphabet] * length
            message = {"to": PRICED_RECIPIENT, "subject": "boundary", "body": text}
            status, data = client.call("POST", "/mms/send", {"media_file": MEDIA_FILE, "messages": [message]})
            messages = data.get("messages") if isinstance(data, dict) else None
            kept = messages[0].get("body") if status == 200 and messages else None
            parts = messages[0].get("message_parts") if status == 200 and messages else None
            kept_length = len(kept) if isinstance(kept, str) else None
            sides.append(
                Side(
                    f"body ({alphabet})",
                    f"length == limit{' + 1' if length > limit else ''}",
                    kept == text[:limit] and str(parts) == "1",
                    f"{length} characters (limit {limit}): send answered {status}, body of {kept_length} kept, "
                    f"{parts} part(s) (expected {limit}, 1)",
                )
            )
    return sides


def run(base_url: str, username: str, api_key: str) -> list[Side]:
    """Every boundary, both sides, on the account started afresh (its own reset: other accounts untouched)."""
    from . import lifecycle
    from .sandboxes import RECEIPT_DELAY, SEND_DELAY, STAGE_RECEIPT_DELAY, STAGE_SEND_DELAY, stage_sandbox

    client = _Client(base_url, username, api_key)
    client.call("POST", "/_sandbox/account/reset")
    sides = [*page(client), *credit(client), *cancel(client), *body(client)]
    sides += lifecycle.magic_recipients(client, SEND_DELAY, RECEIPT_DELAY)
    client.call("POST", "/_sandbox/account/reset")
    with stage_sandbox() as stage_url:
        stage = _Client(stage_url, username, api_key)
        sides += lifecycle.stages(stage, STAGE_SEND_DELAY, STAGE_RECEIPT_DELAY)
        sides += lifecycle.receipts_read(stage, STAGE_SEND_DELAY, STAGE_RECEIPT_DELAY)
    return sides


def fold(data: dict[str, Any], sides: list[Side]) -> None:
    """Into the run's statistics: one judged case per side, a failure per side on the wrong side of its rule."""
    data["boundaries"] = [vars(s) for s in sides]
    data.setdefault("checks_run", {})[CHECK] = len(sides)
    failed = [s for s in sides if not s.ok]
    data.setdefault("checks_failed", {})[CHECK] = len(failed)
    for s in failed:
        data.setdefault("failures", []).append(
            {"operation": "(boundaries)", "check": CHECK, "title": f"{s.boundary}: {s.side}", "message": s.detail,
             "curl": "", "count": 1}
        )  # fmt: skip


def render(sides: list[Side]) -> str:
    lines = ["Boundary probes (each rule on both sides, the account driven there through the control endpoints):"]
    lines += [f"  {'ok  ' if s.ok else 'FAIL'} {s.boundary}: {s.side} - {s.detail}" for s in sides]
    return "\n".join(lines)
