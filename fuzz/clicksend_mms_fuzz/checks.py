"""The custom checks (oracles) the fuzz adds to schemathesis' built-in ones, and where each may run.

Each is enabled in schemathesis.toml's [checks] and described in fuzz/README.md; `guard.CHECKS_LIVE` says which
of them run against live ClickSend.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import CheckContext, Response

from . import credentials, cross_rules, effects, history_model, isolation, links, pagination, ratelimit, rules
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id
from .runenv import current

CANCEL_OPERATION = "cancel_mms"


def cancel_is_final(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A cancelled MMS is no longer scheduled, so cancelling it again answers 404 NOT_FOUND (spec: cancel_mms).

    schemathesis' use_after_free only follows DELETE, and ClickSend cancels with PUT.
    """
    run = current()
    if operation_id(case) != CANCEL_OPERATION or response.status_code != 200 or run.account is None:
        return SKIP
    api = Api.of(case, response)
    probe = api.case(CANCEL_OPERATION, path_parameters=dict(case.path_parameters or {}))
    answer = follow_up(ctx, case, api, probe, run.account)
    if answer.status_code != 404:
        message_id = (case.path_parameters or {}).get("message_id")
        raise AssertionError(
            f"MMS {message_id} was cancelled, yet cancelling it again answered {answer.status_code} "
            "instead of 404 NOT_FOUND: a cancelled message is still cancellable"
        )
    return PASSED


CHECKS: tuple[Any, ...] = (
    pagination.paginator_arithmetic,
    pagination.next_page_continues,
    effects.send_is_recorded,
    effects.records_match_sends,
    history_model.history_obeys_query,
    links.links_lead_to_own_data,
    cancel_is_final,
    effects.cancel_takes_effect,
    effects.cancel_all_takes_effect,
    effects.receipts_read_takes_effect,
    effects.balance_matches_charges,
    isolation.other_account_sees_nothing,
    credentials.credentials_refused,
    cross_rules.spec_rules_hold,
    rules.invalid_recipient_not_success,
    rules.price_matches_send,
    rules.scheduled_not_delivered_early,
    rules.receipts_only_for_sent,
    ratelimit.rate_limit_burst,
)


def register() -> None:
    """Register the checks with schemathesis (idempotent: the hooks module may be imported more than once)."""
    from schemathesis.checks import CHECKS as REGISTRY

    known = set(REGISTRY.get_all_names())
    for check in CHECKS:
        if check.__name__ not in known:
            schemathesis.check(check)
