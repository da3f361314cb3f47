"""Checks no built-in covers, for properties of ClickSend's API that the spec states in prose.

- ``pages_are_disjoint``: a Laravel paginator over a stable set never repeats a row on the next page. Built-in
  checks validate each page alone, so a repeated row (an off-by-one OFFSET) passes every one of them.
- ``cancel_is_final``: a cancelled MMS is no longer scheduled, so cancelling it again answers 404 NOT_FOUND
  (spec: cancel_mms). schemathesis' use_after_free only follows DELETE, and ClickSend cancels with PUT.

Both send one follow-up request with the credentials of the request under test, recorded in the scenario so
that it appears in the reports with its own curl reproduction.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis import Case, CheckContext, Response

AnyCase = Case[Any]

PAGINATED_OPERATIONS = ("get_mms_history", "get_mms_receipts")
CANCEL_OPERATION = "cancel_mms"


def operation_id(case: AnyCase) -> str:
    raw: dict[str, Any] = case.operation.definition.raw
    return str(raw.get("operationId", ""))


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


def _base_url(case: AnyCase, response: Response) -> str:
    """Where the request under test went, minus the operation's path (works for URL and ASGI targets alike)."""
    url = str(response.request.url)
    parts = urlsplit(url)
    path = parts.path
    formatted = case.formatted_path
    prefix = path[: len(path) - len(formatted)] if formatted and path.endswith(formatted) else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}"


def follow_up(ctx: CheckContext, case: AnyCase, response: Response, probe: AnyCase) -> Response:
    """Send `probe` as a child of `case`, with the same credentials and target as the request under test."""
    authorization = response.request.headers.get("Authorization")
    if authorization is not None:
        probe.headers["Authorization"] = authorization
    kwargs: dict[str, Any] = {"base_url": _base_url(case, response)}
    if case.operation.app is not None:
        kwargs["app"] = case.operation.app
    ctx.internals.record_case(parent_id=case.id, case=probe)
    answer: Response = case.operation.schema.transport.send(probe, **kwargs)
    ctx.internals.record_response(case_id=probe.id, response=answer)
    return answer


def _row_ids(page: Any) -> list[str]:
    rows = page.get("data") if isinstance(page, dict) else None
    if not isinstance(rows, list):
        return []
    return [str(row["message_id"]) for row in rows if isinstance(row, dict) and "message_id" in row]


def pages_are_disjoint(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    if operation_id(case) not in PAGINATED_OPERATIONS or response.status_code != 200:
        return None
    body = _json(response)
    page = body.get("data") if isinstance(body, dict) else None
    if not isinstance(page, dict):
        return None
    try:
        current, last = int(page["current_page"]), int(page["last_page"])
    except (KeyError, TypeError, ValueError):
        return None  # response_schema_conformance reports a malformed paginator
    if current >= last:
        return None
    query = {**(case.query or {}), "page": current + 1}
    probe = case.operation.Case(query=query)
    answer = follow_up(ctx, case, response, probe)
    next_body = _json(answer)
    next_page = next_body.get("data") if answer.status_code == 200 and isinstance(next_body, dict) else None
    if not isinstance(next_page, dict) or next_page.get("total") != page.get("total"):
        # A row added or removed between the two requests (another worker sending) shifts every later row;
        # only a set that did not change says anything about the paginator.
        return None
    repeated = sorted(set(_row_ids(page)) & set(_row_ids(next_page)))
    if repeated:
        raise AssertionError(
            f"Page {current + 1} repeats {len(repeated)} row(s) of page {current} "
            f"(total unchanged at {page.get('total')}): {', '.join(repeated[:5])}"
        )
    return True


def cancel_is_final(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    if operation_id(case) != CANCEL_OPERATION or response.status_code != 200:
        return None
    probe = case.operation.Case(path_parameters=dict(case.path_parameters or {}))
    answer = follow_up(ctx, case, response, probe)
    if answer.status_code != 404:
        message_id = (case.path_parameters or {}).get("message_id")
        raise AssertionError(
            f"MMS {message_id} was cancelled, yet cancelling it again answered {answer.status_code} "
            "instead of 404 NOT_FOUND: a cancelled message is still cancellable"
        )
    return True


def register() -> None:
    """Register the checks with schemathesis (idempotent: the hooks module may be imported more than once)."""
    from schemathesis.checks import CHECKS

    for check in (pages_are_disjoint, cancel_is_final):
        if check.__name__ not in {c.__name__ for c in CHECKS.get_all()}:
            schemathesis.check(check)
