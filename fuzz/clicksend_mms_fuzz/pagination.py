"""Oracles for Laravel's paginator (history and receipts): each page alone, and a page against the next one.

The built-in checks validate each page's shape; these compare its numbers with each other: an inflated `total`,
an empty page claiming `total: 1`, a `from` off by one or a row repeated on the next page all pass the schema.
"""

from __future__ import annotations

import math
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from schemathesis import CheckContext, Response

from . import runenv, wire
from .probes import PASSED, SKIP, AnyCase, Api, follow_up, operation_id

PAGINATED_OPERATIONS = ("get_mms_history", "get_mms_receipts")
# Order keys the pages are sorted by when the request does not say: newest first (spec, sandbox README).
_DEFAULT_ORDER = {"get_mms_history": "date_added", "get_mms_receipts": "timestamp"}
_followed_lock = threading.Lock()


def _parameter_default(case: AnyCase, name: str) -> int | None:
    """The spec's default of a query parameter (page, limit), resolving local $refs: never kept by hand."""
    spec: dict[str, Any] = case.operation.schema.raw_schema
    for parameter in case.operation.definition.raw.get("parameters", []):
        while isinstance(parameter, dict) and "$ref" in parameter:
            node: Any = spec
            for key in str(parameter["$ref"]).lstrip("#/").split("/"):
                node = node.get(key, {}) if isinstance(node, dict) else {}
            parameter = node
        if isinstance(parameter, dict) and parameter.get("name") == name and parameter.get("in") == "query":
            default = parameter.get("schema", {}).get("default")
            return default if isinstance(default, int) else None
    return None


def _requested(case: AnyCase, name: str) -> int | None:
    value = (case.query or {}).get(name)
    if value is None:
        return _parameter_default(case, name)
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def arithmetic_problems(page: dict[str, Any], requested_page: int | None, requested_limit: int | None) -> list[str]:
    """What is inconsistent in one page: its numbers against each other, its rows, and what was asked for."""
    total, per_page = wire.count(page.get("total")), wire.count(page.get("per_page"))
    current, last = wire.count(page.get("current_page")), wire.count(page.get("last_page"))
    if None in (total, per_page, current, last):
        return []  # a malformed paginator is response_schema_conformance's to report
    assert total is not None and per_page is not None and current is not None and last is not None
    rows = len(wire.rows_of(page))
    problems: list[str] = []
    if requested_limit is not None and per_page != requested_limit:
        problems.append(f"per_page is {per_page}, the request asked for {requested_limit}")
    if requested_page is not None and current != requested_page:
        problems.append(f"current_page is {current}, the request asked for page {requested_page}")
    if per_page <= 0:
        return [*problems, f"per_page is {per_page}"]
    expected_last = math.ceil(total / per_page)
    # Laravel says last_page 0 for an empty result ([SMS]); 1 is the other reading of "one empty page".
    if last != expected_last and not (total == 0 and last in (0, 1)):
        problems.append(f"last_page is {last}, but {total} rows at {per_page} per page make {expected_last}")
    offset = (current - 1) * per_page
    expected_rows = max(0, min(per_page, total - offset))
    if rows != expected_rows:
        problems.append(
            f"page {current} holds {rows} row(s), but total {total} at {per_page} per page puts {expected_rows} on it"
        )
    first, final = page.get("from"), page.get("to")
    if rows:
        if wire.count(first) != offset + 1 or wire.count(final) != offset + rows:
            problems.append(
                f"from/to are {first}/{final}, the {rows} row(s) on page {current} are {offset + 1}..{offset + rows}"
            )
    elif first is not None or final is not None:
        problems.append(f"from/to are {first}/{final} on an empty page (null expected)")
    next_url, prev_url = page.get("next_page_url"), page.get("prev_page_url")
    if (next_url is None) != (current >= last):
        problems.append(f"next_page_url is {next_url!r} on page {current} of {last}")
    elif next_url is not None and not _points_at(next_url, current + 1):
        problems.append(f"next_page_url {next_url!r} does not point at page {current + 1}")
    if (prev_url is None) != (current <= 1):
        problems.append(f"prev_page_url is {prev_url!r} on page {current}")
    elif prev_url is not None and not _points_at(prev_url, current - 1):
        problems.append(f"prev_page_url {prev_url!r} does not point at page {current - 1}")
    return problems


def _points_at(url: object, page: int) -> bool:
    """The link's `page` query parameter is exactly `page` (not a number that merely starts with it)."""
    return parse_qs(urlsplit(str(url)).query).get("page") == [str(page)]


def _ok_page(case: AnyCase, response: Response) -> dict[str, Any] | None:
    if operation_id(case) not in PAGINATED_OPERATIONS or response.status_code != 200:
        return None
    return wire.page_of(response.content)


def paginator_arithmetic(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    page = _ok_page(case, response)
    if page is None:
        return SKIP
    problems = arithmetic_problems(page, _requested(case, "page"), _requested(case, "limit"))
    if problems:
        raise AssertionError("Paginator numbers disagree: " + "; ".join(problems))
    return PASSED


def _sort_key(operation: str, row: dict[str, Any]) -> float | None:
    return wire.unix_seconds(row.get(_DEFAULT_ORDER[operation]))


def next_page_continues(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """Page N+1 continues page N: same total and per_page, `from` = N's `to` + 1, no row twice, order kept.

    A page past the end instead gets the last page fetched once per (query, total): on it the row count is what
    exposes a `total` that counts rows which do not exist.
    """
    page = _ok_page(case, response)
    run = runenv.current()
    if page is None or run.account is None:
        return SKIP
    total, current, last = (wire.count(page.get(k)) for k in ("total", "current_page", "last_page"))
    if total is None or current is None or last is None or not total:
        return SKIP
    operation = operation_id(case)
    query = {k: v for k, v in (case.query or {}).items() if k != "page"}
    if current > last >= 1:
        key = (operation, tuple(sorted((k, str(v)) for k, v in query.items())), total)
        api = Api.of(case, response)
        with _followed_lock:
            if key in api.model.followed:
                return SKIP
            api.model.followed.add(key)
        answer = follow_up(ctx, case, api, api.case(operation, query={**query, "page": last}), run.account)
        last_page = wire.page_of(answer.content) if answer.status_code == 200 else None
        if last_page is None or wire.count(last_page.get("total")) != total:
            return SKIP  # the set changed in between: nothing to compare
        problems = arithmetic_problems(last_page, last, _requested(case, "limit"))
        if problems:
            raise AssertionError(f"The last page ({last}) disagrees with total {total}: " + "; ".join(problems))
        return PASSED
    if current >= last:
        return SKIP
    api = Api.of(case, response)
    answer = follow_up(ctx, case, api, api.case(operation, query={**query, "page": current + 1}), run.account)
    following = wire.page_of(answer.content) if answer.status_code == 200 else None
    if following is None or wire.count(following.get("total")) != total:
        # A row added or removed between the two requests shifts every later row; only a stable set says
        # anything about the paginator.
        return SKIP
    problems = arithmetic_problems(following, current + 1, wire.count(page.get("per_page")))
    repeated = sorted(set(wire.row_ids(page)) & set(wire.row_ids(following)))
    if repeated:
        problems.append(
            f"page {current + 1} repeats {len(repeated)} row(s) of page {current}: {', '.join(repeated[:3])}"
        )
    this_rows, next_rows = wire.rows_of(page), wire.rows_of(following)
    if "order_by" not in query and this_rows and next_rows:
        before, after = _sort_key(operation, this_rows[-1]), _sort_key(operation, next_rows[0])
        if before is not None and after is not None and after > before:
            problems.append(f"page {current + 1} starts newer ({after:.0f}) than page {current} ends ({before:.0f})")
    if problems:
        raise AssertionError(
            f"Page {current + 1} does not continue page {current} (total {total}): " + "; ".join(problems)
        )
    return PASSED
