"""The fuzz's reach for receipts-read: `date_before` is moved where it can show a receipts-read that marks too
much or too little (fuzz/clicksend_mms_fuzz/reach.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from clicksend_mms_fuzz import reach


@dataclass
class Case:
    body: Any


def receipts(*times: int) -> list[dict[str, Any]]:
    return [{"message_id": f"M{i}", "timestamp": str(t)} for i, t in enumerate(times)]


@pytest.mark.parametrize("generated", [0, 1, 7, 99999999999])
def test_between_the_unread_receipts_so_some_are_marked_and_some_kept(generated: int) -> None:
    case = Case({"date_before": generated})
    reach.date_before(case, receipts(100, 100, 105, 110), "fuzzing", positive=True)
    assert case.body["date_before"] in (105, 110)  # never the oldest time: that would mark nothing


def test_all_in_one_second_keeps_them_all() -> None:
    """Sends in a fast run land in the same second; date_before on it must keep every receipt unread, which is what
    exposes a receipts-read that ignores date_before (mutant receipts-read-ignores-date-before)."""
    case = Case({"date_before": 12345})
    reach.date_before(case, receipts(100, 100, 100), "stateful", positive=True)
    assert case.body == {"date_before": 100}


@pytest.mark.parametrize(
    ("unread", "phase", "positive", "body"),
    [
        (receipts(100, 105), "coverage", True, {"date_before": 3}),  # coverage cases keep their edge values
        (receipts(100, 105), "fuzzing", False, {"date_before": 3}),  # a negative case stays negative
        ([], "fuzzing", True, {"date_before": 3}),  # nothing unread: nothing to aim at
        (receipts(100, 105), "fuzzing", True, {}),  # no date_before: marks all, as generated
        (receipts(100, 105), "fuzzing", True, {"date_before": "3"}),  # a wrong type stays wrong
    ],
)
def test_left_as_generated(unread: list[dict[str, Any]], phase: str, positive: bool, body: dict[str, Any]) -> None:
    case = Case(dict(body))
    reach.date_before(case, unread, phase, positive)
    assert case.body == body


@dataclass
class ListCase:
    query: Any


@pytest.mark.parametrize(
    ("page", "phase", "positive", "expected"),
    [
        (2, "fuzzing", True, 1),  # an even page past the first: the first, where unread receipts are
        (1000000, "stateful", True, 1),
        (3, "fuzzing", True, 3),  # odd pages stay: past-the-end pages are still asked for
        (1, "fuzzing", True, 1),
        (2, "coverage", True, 2),  # coverage keeps its edge values
        (2, "fuzzing", False, 2),  # a negative case stays negative
        ("2", "fuzzing", True, "2"),
    ],
)
def test_receipts_lists_ask_for_the_first_page_half_the_time(
    page: Any, phase: str, positive: bool, expected: Any
) -> None:
    case = ListCase({"page": page, "limit": 15})
    reach.receipts_page(case, phase, positive)
    assert case.query == {"page": expected, "limit": 15}
