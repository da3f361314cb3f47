"""First contact: before the run's first request, what each account holds (sandbox), and the peer's canary.

Against a sandbox the model starts from the account as it was found, read through the API itself (history
totals by status) and the sandbox's balance endpoint, so that what the run then does is all the difference.
"""

from __future__ import annotations

import threading
from typing import Any

from . import isolation, runenv, wire
from .model import Baseline
from .probes import SANDBOX_ACCOUNT_PATH, AnyCase, Api
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


def first_contact(case: AnyCase) -> None:
    """Once per run, before its first request."""
    api = Api.of(case)
    with _lock:
        if api.model.contacted:
            return
        api.model.contacted = True
    run = runenv.current()
    for account in (run.account, run.peer):
        if account is not None and run.sandbox:
            take_baseline(api, account)
    if run.peer is not None and run.may_write():
        isolation.plant_canary(api, run.peer)
