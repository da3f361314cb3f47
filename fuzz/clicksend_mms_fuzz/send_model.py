"""What a send or price answer must say of each message, predicted from the request and the spec alone.

Independent of the sandbox's code (it would share its bugs): every fact is the spec's.
- **Truncation** (`MmsMessageInput.body`'s `x-clicksend-truncate`): an accepted message keeps the first `gsm7`
  characters of a GSM 03.38 body and the first `unicode` of any other. The model needs no GSM table: a body of
  ASCII letters, digits and plain punctuation is certainly GSM, one with a character from U+0400 up (other than
  the euro sign, which is in the extension table) certainly is not; for any other body only "one of the two
  limits" is predicted.
- **Test recipients** (`x-clicksend-testing.recipients`): "no message to a test recipient is sent or charged":
  an accepted one costs "0.0000" and 0 parts.
- **Rejected messages** (`MmsMessageResult`: "rejected ones come back in a shorter shape (`to, body, from, schedule
  "", message_id, custom_string, status`, price `"0.0000"`, parts `0`)"): what ClickSend could not accept it echoes
  as it was given (the request's `to` and `custom_string`, never another's), with no schedule, no price, no parts.
- **Schedules** (`MmsMessageInput.schedule`: "Send at this unix time"): an accepted message answers the time it was
  asked for, or none ("" when it is sent at once: a time already past means now); never another time.
- **Local numbers** (`MmsMessageInput.country`: "Recipient country for local-format numbers"): an accepted
  message whose `to` has no `+` was read in the `country` it was sent with, so the answer names that country.
"""

from __future__ import annotations

import functools
import re
import string
from decimal import Decimal
from typing import Any

import clicksend_mms_spec

from . import wire

_CERTAINLY_GSM = frozenset(string.ascii_letters + string.digits + " .,!?:;'\"()+-*/=<>%&#@\n")
_EURO = "€"
_SEPARATORS = re.compile(r"[\s().-]")


@functools.cache
def body_limits() -> tuple[int, int]:
    """(gsm7, unicode) from the spec."""
    schemas = clicksend_mms_spec.load()["components"]["schemas"]
    limits = schemas["MmsMessageInput"]["properties"]["body"]["x-clicksend-truncate"]
    return int(limits["gsm7"]), int(limits["unicode"])


def _kind(body: str) -> str | None:
    if _CERTAINLY_GSM.issuperset(body):
        return "gsm7"
    if any(ord(char) >= 0x400 and char != _EURO for char in body):
        return "unicode"
    return None


def kept_bodies(body: str) -> set[str]:
    """What ClickSend may keep of `body`: one text when the model knows its alphabet, else either truncation."""
    gsm7, unicode = body_limits()
    kind = _kind(body)
    if kind == "gsm7":
        return {body[:gsm7]}
    if kind == "unicode":
        return {body[:unicode]}
    return {body[:gsm7], body[:unicode]}


def _is_local(to: object) -> bool:
    return isinstance(to, str) and not _SEPARATORS.sub("", to).startswith("+")


def problems(body: Any, results: list[dict[str, Any]], exact_text: bool = True) -> list[str]:
    """Where a send/price answer's accepted messages disagree with the model (same count, no list expansion).

    `exact_text=False` (live: ClickSend may normalise text it echoes) leaves the body out."""
    sent = wire.request_messages(body)
    if not sent or len(sent) != len(results) or any("list_id" in m for m in sent):
        return []
    found = []
    for index, (request, result) in enumerate(zip(sent, results, strict=True)):
        if result.get("status") != "SUCCESS":
            if exact_text:
                found += _echo_problems(index, request, result)
            found += _short_shape_problems(index, result)
            continue
        found += _schedule_problems(index, request, result)
        text, kept = request.get("body"), result.get("body")
        if exact_text and isinstance(text, str) and isinstance(kept, str) and kept not in kept_bodies(text):
            found.append(
                f"message {index}: a body of {len(text)} characters came back with {len(kept)} "
                f"(the spec's limits {body_limits()} predict {sorted(len(b) for b in kept_bodies(text))})"
            )
        if wire.is_test_recipient(request.get("to")) or wire.is_test_recipient(result.get("to")):
            price, parts = wire.money(result.get("message_price")), wire.count(result.get("message_parts"))
            if price not in (None, Decimal(0)) or parts not in (None, 0):
                found.append(
                    f"message {index} to test recipient {result.get('to')!r} costs {result.get('message_price')!r} "
                    f"in {result.get('message_parts')!r} part(s) (the spec: never charged)"
                )
        country = request.get("country")
        if _is_local(request.get("to")) and isinstance(country, str) and "country" in result:
            answered = result.get("country")
            if not isinstance(answered, str) or answered.upper() != country.upper():
                found.append(
                    f"message {index}: local number {request.get('to')!r} sent with country {country!r} was read "
                    f"as {answered!r}"
                )
    return found[:3]


def _echo_problems(index: int, request: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """A rejected message's short shape echoes what was asked (its number was not read, so not normalised)."""
    found = []
    for name in ("to", "custom_string"):
        asked, echoed = request.get(name), result.get(name)
        if isinstance(asked, str) and name in result and echoed != asked:
            status = result.get("status")
            found.append(f"message {index} was rejected ({status}) and echoed {name} {echoed!r}, not {asked!r}")
    return found


def _short_shape_problems(index: int, result: dict[str, Any]) -> list[str]:
    """A rejected message was not scheduled, priced or split: schedule "", price 0, parts 0 where it has them."""
    status = result.get("status")
    found = []
    if "message_price" in result and wire.money(result.get("message_price")) != Decimal(0):
        found.append(f"message {index} was rejected ({status}) yet priced {result.get('message_price')!r}")
    if "message_parts" in result and wire.count(result.get("message_parts")) != 0:
        found.append(f"message {index} was rejected ({status}) yet in {result.get('message_parts')!r} part(s)")
    if result.get("schedule") not in (None, ""):
        found.append(f"message {index} was rejected ({status}) yet scheduled {result.get('schedule')!r}")
    return found


def _schedule_problems(index: int, request: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """An accepted message's schedule is the one asked for, or none (sent at once)."""
    answered = result.get("schedule")
    if answered in (None, ""):
        return []
    asked = request.get("schedule")
    wanted = wire.json_integer(asked)
    if wanted is None or wire.unix_seconds(answered) != wanted:
        return [f"message {index} asked for schedule {asked!r} and answered schedule {answered!r}"]
    return []


LIMIT_PROBE_SAMPLE = (3, 20)  # Model.sampled: accepted sends whose first accepted message is priced at the limits


def limit_probe_body(body: Any, results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A price request (free) of the send's first accepted message with bodies one past each limit, in each
    alphabet: a generated send almost never has a body that long and is accepted, so the truncation rule would
    otherwise go unjudged. None when nothing was accepted."""
    sent = wire.request_messages(body)
    if not isinstance(body, dict) or len(sent) != len(results):
        return None
    accepted = next((m for m, r in zip(sent, results, strict=True) if r.get("status") == "SUCCESS"), None)
    if accepted is None:
        return None
    bodies = [(word * (limit + 1))[: limit + 1] for limit in sorted(set(body_limits())) for word in ("ab1 ", "жы ")]
    return {**body, "messages": [{**accepted, "body": text} for text in bodies]}
