"""First contact: before the run's first request, the server's clock, what each account holds (sandbox), and the
peer's canary.

Against a sandbox the model starts from the account as it was found, read through the API itself (history
totals by status) and the sandbox's balance endpoint, so that what the run then does is all the difference.
"""

from __future__ import annotations

import email.utils
import threading
from typing import Any

from . import isolation, runenv, wire
from .model import Baseline
from .probes import SANDBOX_ACCOUNT_PATH, SANDBOX_CLOCK_PATH, AnyCase, Api
from .runenv import Credentials

_lock = threading.Lock()


def _total(api: Api, account: Credentials, query: dict[str, Any]) -> int:
    response, _, _ = api.send(api.case("get_mms_history", query=query), account)
    page = wire.page_of(response.content) if response.status_code == 200 else None
    return wire.count(page.get("total")) or 0 if page else 0


def take_baseline(api: Api, account: Credentials) -> None:
    data = api.control(SANDBOX_ACCOUNT_PATH, account)
    api.model.set_baseline(
        account.username,
        Baseline(
            balance=wire.money(data.get("balance")) if isinstance(data, dict) else None,
            history_total=_total(api, account, {}),
            scheduled=_total(api, account, {"q": "status:Scheduled"}),
            cancelled=_total(api, account, {"q": "status:Cancelled"}),
        ),
    )


def _server_offset(api: Api, account: Credentials) -> float:
    """The server's clock minus ours: a sandbox says its own (tests advance it); anything else, its Date header."""
    clock = api.control(SANDBOX_CLOCK_PATH, account)
    if isinstance(clock, dict) and isinstance(clock.get("offset"), int | float):
        return float(clock["offset"])  # the sandbox runs on this machine's clock, moved on by `offset`
    response, started, answered = api.send(api.case("get_mms_history"), account)
    date = wire.header(response.headers, "Date")
    try:
        server = email.utils.parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError):
        server = None
    # Whole seconds: only an offset well beyond that is worth correcting.
    return 0.0 if server is None or abs(server + 0.5 - (started + answered) / 2) < 2 else server + 0.5 - answered


def first_contact(case: AnyCase) -> None:
    """Once per run, before its first request."""
    api = Api.of(case)
    with _lock:
        if api.model.contacted:
            return
        api.model.contacted = True
    run = runenv.current()
    if run.account is not None:
        api.model.offset = _server_offset(api, run.account)
    for account in (run.account, run.peer):
        if account is not None and run.sandbox:
            take_baseline(api, account)
    if run.peer is not None and run.may_write():
        isolation.plant_canary(api, run.peer)
