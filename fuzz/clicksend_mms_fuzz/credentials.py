"""``credentials_refused``: every way the spec's HTTP Basic credential can be wrong is refused, on every operation.

schemathesis' ``ignored_auth`` sends no credentials and a random pair; a server can refuse those and still be
weaker than it looks. This oracle replays a sample of the run's successful reads (and price, which is free) with:
- ``unknown-user``: the run's API key under a username no account has;
- ``swapped``: the run's key and username swapped;
- ``not-basic``: the run's own pair, but in a scheme other than Basic;
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


def expectations(username: str, api_key: str) -> list[tuple[str, str, int | None, bool]]:
    """(way, Authorization header, expected status or None for "as a valid account", every message refused)."""
    pair = f"{username}:{api_key}".encode()
    ways: list[tuple[str, str, int | None, bool]] = [
        ("unknown-user", wire.basic_auth(username + "-no-such-user", api_key), 401, False),
        ("swapped", wire.basic_auth(api_key, username), 401, False),
        ("not-basic", "Bearer " + base64.b64encode(pair).decode("ascii"), 401, False),
    ]
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
    for way, header, status, refuses_all in expectations(run.account.username, run.account.api_key):
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
