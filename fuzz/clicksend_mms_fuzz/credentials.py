"""``credentials_refused``: every way the spec's HTTP Basic credential can be wrong is refused, on every operation.

schemathesis' ``ignored_auth`` sends no credentials and a random pair; a server can refuse those and still be
weaker than it looks. This oracle replays a sample of the run's successful reads (and price, which is free) with:
- ``unknown-user``: the run's API key under a username no account has;
- ``swapped``: the run's key and username swapped;
- ``not-basic``: the run's own pair, but in a scheme other than Basic;
- ``key-truncated``, ``key-case``, ``key-altered``: the run's username with keys derived mechanically from its own
  key (``wrong_keys``: empty, every shorter prefix length class and a suffix; the case flipped; one character
  changed, two swapped, one appended) — the key check must accept only the exact key;
- ``key-of-another-account``: the run's username with the second account's key (when the run has one);
- ``account:<name>``: each test account of the spec's ``x-clicksend-testing`` with its shared key, expected to
  answer as the spec describes it (the 401 or 403 its description names; INSUFFICIENT_CREDIT on every message of
  a price when that is what it says).
Each way is a row of the coverage matrix (matrix.py), read from the same names.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

import clicksend_mms_spec
from schemathesis import CheckContext, Response

from . import model, runenv, wire
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id

# Operations replayed with wrong credentials: reads and price change nothing even if the server wrongly obeys.
REPLAYED = ("get_mms_history", "get_mms_receipts", "export_mms_history", "price_mms")
PRICE = "price_mms"
SAMPLE = (6, 25)  # Model.sampled: the first N successful cases, then one in K
CREDIT_SAMPLE = (10, 4)  # prices the caller's account got SUCCESS for, replayed as the account with no credit
_STATUS = re.compile(r"\b(40[13])\b")


@functools.cache
def _testing() -> dict[str, Any]:
    fixtures: dict[str, Any] = clicksend_mms_spec.load().get("x-clicksend-testing", {})
    return fixtures


def _changed(char: str) -> str:
    return "0" if char != "0" else "1"


def wrong_keys(api_key: str) -> list[tuple[str, str]]:
    """(way, key) for keys that differ from ``api_key`` in one mechanical way each; none equals it."""
    keys: list[tuple[str, str]] = [("key-truncated", "")]
    # Prefixes of 1, about a half and all but one character (a check comparing only what was sent accepts any),
    # and the key without its first character (one comparing only the end).
    for length in sorted({1, len(api_key) // 2, len(api_key) - 1}):
        if 0 < length < len(api_key):
            keys.append(("key-truncated", api_key[:length]))
    if len(api_key) > 1:
        keys.append(("key-truncated", api_key[1:]))
    for variant in (api_key.swapcase(), api_key.upper(), api_key.lower()):
        keys.append(("key-case", variant))
    if api_key:
        keys.append(("key-altered", api_key[:-1] + _changed(api_key[-1])))
        keys.append(("key-altered", _changed(api_key[0]) + api_key[1:]))
    swap = next((i for i in range(len(api_key) - 1) if api_key[i] != api_key[i + 1]), None)
    if swap is not None:
        keys.append(("key-altered", api_key[:swap] + api_key[swap + 1] + api_key[swap] + api_key[swap + 2 :]))
    keys.append(("key-altered", api_key + "0"))
    seen: set[str] = {api_key}
    distinct = []
    for way, key in keys:
        if key not in seen:
            seen.add(key)
            distinct.append((way, key))
    return distinct


def expectations(username: str, api_key: str, peer_key: str | None = None) -> list[tuple[str, str, int | None, bool]]:
    """(way, Authorization header, expected status or None for "as a valid account", every message refused)."""
    pair = f"{username}:{api_key}".encode()
    ways: list[tuple[str, str, int | None, bool]] = [
        ("unknown-user", wire.basic_auth(username + "-no-such-user", api_key), 401, False),
        ("swapped", wire.basic_auth(api_key, username), 401, False),
        ("not-basic", "Bearer " + base64.b64encode(pair).decode("ascii"), 401, False),
    ]
    ways += [(way, wire.basic_auth(username, key), 401, False) for way, key in wrong_keys(api_key)]
    if peer_key is not None and peer_key != api_key:
        ways.append(("key-of-another-account", wire.basic_auth(username, peer_key), 401, False))
    fixtures = _testing()
    for name, description in fixtures.get("accounts", {}).items():
        status = _STATUS.search(str(description))
        refuses_all = "INSUFFICIENT_CREDIT" in str(description)
        header = wire.basic_auth(name, str(fixtures.get("api_key", "")))
        ways.append((f"account:{name}", header, int(status.group(1)) if status else None, refuses_all))
    return ways


def _problem(way: str, operation: str, response: Response, status: int | None, refuses_all: bool) -> str | None:
    if status is not None:
        if response.status_code != status:
            return f"{way}: {operation} answered {response.status_code}, expected {status}"
        return None
    if refuses_all and operation == PRICE and response.status_code == 200:
        # Another rejection may come first (EMPTY_MESSAGE...); what must never happen is a message accepted.
        accepted = [m for m in wire.send_messages(response.content) if m.get("status") == "SUCCESS"]
        if accepted:
            return f"{way}: price answered SUCCESS for {accepted[0].get('to')!r} on an account with no credit"
    return None


def credentials_refused(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    run = runenv.current()
    operation = operation_id(case)
    if run.account is None or operation not in REPLAYED or response.status_code != 200:
        return SKIP
    authorization = response.request.headers.get("Authorization")
    if wire.basic_user(authorization if isinstance(authorization, str) else None) != run.account.username:
        return SKIP
    known = model.of(case)
    # A price the caller's own account got SUCCESS for is the one that shows an account with no credit priced
    # alike: those are sampled on their own, more often (the generated prices are mostly refused for other reasons).
    accepted_price = operation == PRICE and any(
        m.get("status") == "SUCCESS" for m in wire.send_messages(response.content)
    )
    every_way = known.sampled("credentials_refused", *SAMPLE)
    credit_way = accepted_price and known.sampled("credentials_refused:credit", *CREDIT_SAMPLE)
    if not (every_way or credit_way):
        return SKIP
    api = Api.of(case, response)
    problems = []
    peer_key = run.peer.api_key if run.peer is not None else None
    for way, header, status, refuses_all in expectations(run.account.username, run.account.api_key, peer_key):
        if (refuses_all and not credit_way) or (not refuses_all and not every_way):
            continue  # (a valid account with no credit reads like any other: only prices tell)
        probe = api.case(operation, query=dict(case.query or {}) or None, body=case.body)
        answer = follow_up(ctx, case, api, probe, run.account, authorization=header)
        problem = _problem(way, operation, answer, status, refuses_all)
        if problem:
            problems.append(problem)
    if problems:
        raise AssertionError("A credential that is not the caller's was not refused: " + "; ".join(problems))
    return PASSED
