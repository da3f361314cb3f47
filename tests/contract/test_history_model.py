"""history_obeys_query's judgements, each shown failing on the answer a server that ignores the parameter gives."""

from __future__ import annotations

from clicksend_mms_fuzz import history_model, model, runenv
from clicksend_mms_fuzz.model import Baseline

ROWS = [
    {"message_id": "A", "date_added": 1000},
    {"message_id": "B", "date_added": 2000},
    {"message_id": "C", "date_added": 3000},
]


def test_rows_outside_the_date_range_fail() -> None:
    assert history_model.row_problems({"date_from": 1000, "date_to": 3000}, ROWS) == []
    assert history_model.row_problems({"date_from": 1500}, ROWS)  # date_from ignored: A shows
    assert history_model.row_problems({"date_to": 2500}, ROWS)  # date_to ignored: C shows


def test_order_by_date_added_is_held_and_other_fields_are_not() -> None:
    assert history_model.row_problems({"order_by": "date_added:asc"}, ROWS) == []
    assert history_model.row_problems({"order_by": "date_added:desc"}, ROWS)  # order_by ignored
    assert history_model.row_problems({"order_by": "subject:desc"}, ROWS) == []


def test_q_message_id_answers_only_that_message() -> None:
    assert history_model.row_problems({"q": "message_id:b"}, ROWS[1:2]) == []
    assert history_model.row_problems({"q": "message_id:B"}, ROWS)  # q ignored


def _known(monkeypatch: object) -> model.Model:
    known = model.Model()
    known.set_baseline("sandbox", Baseline(balance=None, history_total=0, scheduled=0, cancelled=0))
    payload = (
        b'{"data": {"total_price": "0", "messages": ['
        b'{"message_id": "M1", "status": "SUCCESS", "to": "+61411111111"},'
        b'{"message_id": "M2", "status": "SUCCESS", "to": "+61411111111"}]}}'
    )
    known.record_send("sandbox", payload, 1000.0, 999.0)
    known.record_send("sandbox", payload.replace(b"M1", b"M3").replace(b"M2", b"M4"), 5000.0, 4999.0)
    return known


def test_totals_are_predicted_from_the_model(monkeypatch: object) -> None:
    runenv.current.cache_clear()
    known = _known(monkeypatch)
    total = history_model.total_problems
    assert total({}, 4, known, "sandbox") == []
    assert total({}, 5, known, "sandbox")
    assert total({"q": "message_id:m1"}, 1, known, "sandbox") == []
    assert total({"q": "message_id:M1"}, 4, known, "sandbox")  # q ignored
    assert total({"q": "message_id:PEER"}, 1, known, "sandbox")  # another account's message shows
    assert total({"date_from": 3000}, 2, known, "sandbox") == []
    assert total({"date_from": 3000}, 4, known, "sandbox")  # date_from ignored
    assert total({"date_to": 3000}, 4, known, "sandbox")  # date_to ignored
    assert total({"date_from": 1000}, 4, known, "sandbox") == []  # M1/M2 may be either side: 2 to 4
    assert total({"date_from": 1000}, 2, known, "sandbox") == []
    assert total({"date_from": 1000}, 1, known, "sandbox")


def test_page_one_in_date_added_order_starts_at_the_oldest_or_newest_message(monkeypatch: object) -> None:
    runenv.current.cache_clear()
    known = _known(monkeypatch)
    first = history_model.first_row_problems
    oldest, newest = [{"message_id": "M1", "date_added": 999}], [{"message_id": "M3", "date_added": 5000}]
    assert first({"order_by": "date_added:asc"}, oldest, known, "sandbox") == []
    assert first({"order_by": "date_added:asc"}, newest, known, "sandbox")  # order_by ignored: newest first
    assert first({"order_by": "date_added:DESC"}, newest, known, "sandbox") == []
    assert first({"order_by": "date_added:desc"}, oldest, known, "sandbox")
    assert first({"order_by": "date_added:asc", "page": 2}, newest, known, "sandbox") == []
