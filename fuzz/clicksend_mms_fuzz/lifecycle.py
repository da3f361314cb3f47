"""Two boundary probes of a message's life on the sandbox's clock (boundaries.py runs them; sandbox-only, like it):

- magic recipients: each number the spec's `x-clicksend-sandbox` lists is sent one message; a `reject` number
  answers its status, an accepted one, once the clock has passed its receipt, reads the status its `outcome` gives
  (`outcomes`) in history and receipt-by-id, and its delivery receipt row has that outcome's status_code (or is
  absent: no receipt, ever).
- stages: a message scheduled on the server's clock, read at an instant strictly inside each stage of the
  lifecycle of a sandbox the runner starts for it with stages a minute wide (sandboxes.STAGE_SEND_DELAY,
  STAGE_RECEIPT_DELAY: the runner's own flags): Queued, Sent (no receipt yet), Completed (its receipt listed), on
  history and receipt-by-id.
- receipts-read: on that sandbox, a delivered message's receipt (two minutes after its send) carries the message's
  custom_string (the spec: "passed back with replies and delivery receipts"), and is marked read with
  `date_before` at the receipt's own second (it stays unread: it did not arrive before that) and one second later
  (it is marked). Its send and its receipt are far apart only on this sandbox: on the run's instant lifecycle they
  are the same instant, and a server comparing `date_before` with the send time would pass every generated case.

The oracle is the spec's table and the run's configuration, never the sandbox's code. The sandbox's clock is real
time plus an offset the control endpoints move and show; the embedded sandbox runs on this host, so a read is
bracketed by this host's time plus that offset, and judged only when the whole request fell inside its stage (a
stalled machine retries with a new message; it cannot make a side pass or fail).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import Any, Protocol

from . import wire
from .boundaries import MEDIA_FILE, PRICED_RECIPIENT, Side

# The statuses of a message's stages as the spec's x-extensible-enum names them (MmsMessageRecord.status).
QUEUED, SENT, COMPLETED = "Queued", "Sent", "Completed"
AHEAD = 3600  # a message scheduled an hour ahead: the stage probe's instants are measured from its schedule
MARGIN = 30.0  # seconds past a receipt's time: far more than any request takes
ATTEMPTS = 5  # reads that did not fall wholly inside their stage, retried with a new message each
RECEIPT_TAG = "receipt-probe"  # the receipts-read probe's custom_string, which its receipt must carry


class Caller(Protocol):
    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]: ...


@functools.cache
def _sandbox_table() -> dict[str, Any]:
    import clicksend_mms_spec

    table: dict[str, Any] = clicksend_mms_spec.load()["x-clicksend-sandbox"]
    return table


def _send(
    client: Caller, to: str, schedule: int | None = None, custom_string: str | None = None
) -> tuple[int, dict[str, Any]]:
    message: dict[str, Any] = {"to": to, "subject": "lifecycle", "body": "A lifecycle probe."}
    if schedule is not None:
        message["schedule"] = schedule
    if custom_string is not None:
        message["custom_string"] = custom_string
    status, data = client.call("POST", "/mms/send", {"media_file": MEDIA_FILE, "messages": [message]})
    messages = data.get("messages") if isinstance(data, dict) else None
    return status, (messages[0] if status == 200 and messages else {})


def _rows(client: Caller, path: str) -> dict[str, dict[str, Any]]:
    """message_id -> row of a list (history or receipts), one page of the spec's largest size."""
    _, page = client.call("GET", f"{path}?limit={wire.largest_page()}&page=1")
    rows = page.get("data") if isinstance(page, dict) else None
    return {str(r.get("message_id")): r for r in rows or [] if isinstance(r, dict)}


def _by_id(client: Caller, message_id: str) -> Any:
    _, record = client.call("GET", f"/mms/receipts/{message_id}")  # the message record, despite the name
    return record.get("status") if isinstance(record, dict) else None


def _code(row: Mapping[str, Any] | None) -> str | None:
    """A receipt row's status_code as text (ints and strings both occur), None when there is no row."""
    return None if row is None else str(row.get("status_code"))


def magic_recipients(client: Caller, send_delay: float, receipt_delay: float) -> list[Side]:
    """Each magic recipient of the spec judged on both sides of its send: its answer, and its outcome after the
    clock passed its receipt time."""
    client.call("POST", "/_sandbox/account/reset")  # funded, and nothing else in its history or receipts
    table = _sandbox_table()
    outcomes: dict[str, dict[str, Any]] = table["outcomes"]
    sides: list[Side] = []
    accepted: dict[str, tuple[str, str]] = {}  # number -> (message_id, outcome)
    for number, entry in table["recipients"].items():
        expected = entry.get("reject", "SUCCESS")
        status, message = _send(client, number)
        answered = message.get("status")
        sides.append(
            Side(
                "magic recipient",
                f"{number} at send",
                answered == expected,
                f"send answered {status} {answered} (expected {expected})",
            )
        )
        if "reject" not in entry and answered == expected:
            accepted[number] = (str(message.get("message_id")), entry.get("outcome", "delivered"))
    client.call("POST", "/_sandbox/clock/advance", {"seconds": send_delay + receipt_delay + MARGIN})
    history, receipts = _rows(client, "/mms/history"), _rows(client, "/mms/receipts")
    for number, (message_id, outcome) in accepted.items():
        want = outcomes[outcome]
        listed = history.get(message_id, {}).get("status")
        shown = _by_id(client, message_id)
        code = _code(receipts.get(message_id))
        sides.append(
            Side(
                "magic recipient",
                f"{number} {outcome}",
                listed == shown == want["status"] and code == want["receipt_status_code"],
                f"past its receipt time: history {listed}, receipt-by-id {shown}, receipt row status_code {code} "
                f"(expected {want['status']}, {want['receipt_status_code']})",
            )
        )
    return sides


def _stages(send_delay: float, receipt_delay: float) -> tuple[tuple[str, float, float, bool], ...]:
    """(status, start, end, receipt listed) of each stage after a message's schedule, in seconds from it (the last
    stage never ends: its end only places the read)."""
    receipt = send_delay + receipt_delay
    return (
        (QUEUED, 0.0, send_delay, False),
        (SENT, send_delay, receipt, False),
        (COMPLETED, receipt, receipt + receipt_delay, True),
    )


def _observe(client: Caller, start: float, end: float) -> tuple[float, Any, Any, bool] | None:
    """A new message scheduled AHEAD on the server's clock, read inside [schedule+start, schedule+end):
    (where the read fell, history's status, receipt-by-id's status, receipt listed), or None when the read did not
    fall wholly inside the stage (a stalled machine)."""
    _, clock = client.call("GET", "/_sandbox/clock")
    schedule = int(clock["now"]) + AHEAD
    status, message = _send(client, PRICED_RECIPIENT, schedule)
    if message.get("status") != "SUCCESS":
        raise RuntimeError(f"a scheduled send answered {status} {message.get('status')}")
    message_id = str(message.get("message_id"))
    _, clock = client.call("GET", "/_sandbox/clock")  # its `now` is whole seconds: its offset is exact
    target = schedule + start + (end - start) / 4  # early in the stage: a request's latency only moves it later
    ahead = target - (time.time() + float(clock["offset"]))
    _, moved = client.call("POST", "/_sandbox/clock/advance", {"seconds": max(0.0, ahead)})
    offset = float(moved["offset"])
    before = time.time() + offset  # the server's clock is this host's time plus its offset
    history = _rows(client, "/mms/history")
    shown = _by_id(client, message_id)
    receipted = message_id in _rows(client, "/mms/receipts")
    after = time.time() + offset
    if not (schedule + start < before and after < schedule + end):
        return None
    return (before + after) / 2 - schedule, history.get(message_id, {}).get("status"), shown, receipted


def stages(client: Caller, send_delay: float, receipt_delay: float) -> list[Side]:
    """Each stage of the lifecycle, read strictly inside it: its status on history and receipt-by-id, and whether
    its receipt is listed."""
    client.call("POST", "/_sandbox/account/reset")
    sides = []
    for expected, start, end, receipted in _stages(send_delay, receipt_delay):
        seen = None
        for _ in range(ATTEMPTS):
            seen = _observe(client, start, end)
            if seen is not None:
                break
        name = f"{expected}: schedule+{start:g}s" + (" on" if receipted else f" .. +{end:g}s")
        if seen is None:
            sides.append(Side("lifecycle", name, False, f"no read fell inside the stage in {ATTEMPTS} attempts"))
            continue
        at, listed, shown, listed_receipt = seen
        sides.append(
            Side(
                "lifecycle",
                name,
                listed == shown == expected and listed_receipt == receipted,
                f"read at schedule+{at:.2f}s: history {listed}, receipt-by-id {shown}, receipt "
                f"{'listed' if listed_receipt else 'not listed'} (expected {expected}, "
                f"{'listed' if receipted else 'not listed'})",
            )
        )
    return sides


def receipts_read(client: Caller, send_delay: float, receipt_delay: float) -> list[Side]:
    """`date_before` judged against the receipt's time, not the send's: both sides of one receipt's second."""
    client.call("POST", "/_sandbox/account/reset")
    status, message = _send(client, PRICED_RECIPIENT, custom_string=RECEIPT_TAG)
    if message.get("status") != "SUCCESS":
        return [Side("receipts-read", "a receipt to mark", False, f"send answered {status} {message.get('status')}")]
    message_id = str(message.get("message_id"))
    client.call("POST", "/_sandbox/clock/advance", {"seconds": send_delay + receipt_delay + MARGIN})
    row = _rows(client, "/mms/receipts").get(message_id)
    arrived = wire.unix_seconds(row.get("timestamp")) if row is not None else None
    if arrived is None:
        return [Side("receipts-read", "a receipt to mark", False, f"no receipt listed for {message_id} past its time")]
    tag = row.get("custom_string") if row is not None else None
    sides = [
        Side(
            "receipts-read",
            "the receipt's custom_string",
            tag == RECEIPT_TAG,
            f"the receipt says {tag!r}; the message was sent with {RECEIPT_TAG!r}",
        )
    ]
    for name, before, stays in (
        (f"date_before = the receipt's second ({arrived:.0f})", int(arrived), True),
        ("date_before one second after it", int(arrived) + 1, False),
    ):
        answered, _ = client.call("PUT", "/mms/receipts-read", {"date_before": before})
        listed = message_id in _rows(client, "/mms/receipts")
        sides.append(
            Side(
                "receipts-read",
                name,
                answered == 200 and listed == stays,
                f"answered {answered}; the receipt is {'still' if listed else 'no longer'} unread (expected "
                f"{'unread: it arrived at or after date_before' if stays else 'read: it arrived before date_before'}"
                f"; sent at {wire.unix_seconds(row.get('timestamp_send') if row else None)})",
            )
        )
    return sides
