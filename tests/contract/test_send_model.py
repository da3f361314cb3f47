"""The spec-only models added for part 3, each shown failing on the answer its planted bug gives."""

from __future__ import annotations

from clicksend_mms_fuzz import credentials, history_model, send_model

GSM7, UNICODE = send_model.body_limits()


def _answer(**fields: object) -> dict[str, object]:
    return {"status": "SUCCESS", "message_price": "2.4200", "message_parts": 1, **fields}


def test_a_body_is_truncated_at_its_alphabets_limit() -> None:
    gsm, cyrillic = "a" * (GSM7 + 3), "ж" * (GSM7 + 3)
    assert send_model.problems({"messages": [{"body": gsm}]}, [_answer(body=gsm[:GSM7])]) == []
    assert send_model.problems({"messages": [{"body": cyrillic}]}, [_answer(body=cyrillic[:UNICODE])]) == []
    # the limits swapped
    assert send_model.problems({"messages": [{"body": gsm}]}, [_answer(body=gsm[:UNICODE])])
    assert send_model.problems({"messages": [{"body": cyrillic}]}, [_answer(body=cyrillic[:GSM7])])


def test_a_test_recipient_is_free() -> None:
    sent = {"messages": [{"to": "+61411111111"}]}
    assert send_model.problems(sent, [_answer(to="+61411111111", message_price="0.0000", message_parts=0)]) == []
    assert send_model.problems(sent, [_answer(to="+61411111111")])


def test_a_local_number_is_read_in_its_country() -> None:
    sent = {"messages": [{"to": "0412345678", "country": "us"}]}
    assert send_model.problems(sent, [_answer(country="US")]) == []
    assert send_model.problems(sent, [_answer(country="AU")])
    # a rejected message is not judged; an E.164 number's country is its own
    assert send_model.problems(sent, [{"status": "COUNTRY_NOT_ENABLED", "country": "AU"}]) == []
    assert send_model.problems({"messages": [{"to": "+61412345678", "country": "US"}]}, [_answer(country="AU")]) == []


def test_a_rejected_message_is_neither_scheduled_priced_nor_split() -> None:
    sent = {"messages": [{"to": "x", "schedule": 4102444800}]}
    short = {"status": "INVALID_RECIPIENT", "to": "x", "schedule": "", "message_price": "0.0000", "message_parts": 0}
    assert send_model.problems(sent, [short]) == []
    assert send_model.problems(sent, [{**short, "message_parts": 1}])  # spec-derived mutant: parts off by one
    assert send_model.problems(sent, [{**short, "message_price": "0.0001"}])
    assert send_model.problems(sent, [{**short, "schedule": 4102444800}])


def test_an_accepted_schedule_is_the_one_asked_for_or_none() -> None:
    sent = {"messages": [{"to": "+61411111111", "schedule": 4102444800}]}
    free = {"to": "+61411111111", "message_price": "0.0000", "message_parts": 0}
    assert send_model.problems(sent, [_answer(**free, schedule=4102444800)]) == []
    assert send_model.problems(sent, [_answer(**free, schedule="4102444800")]) == []
    assert send_model.problems(sent, [_answer(**free, schedule="")]) == []  # a time already past: sent at once
    assert send_model.problems(sent, [_answer(**free, schedule=4102444801)])  # spec-derived mutant: off by one
    assert send_model.problems({"messages": [{"to": "+61411111111"}]}, [_answer(**free, schedule=4102444800)])


def test_wrong_keys_are_derived_from_the_key_and_never_equal_it() -> None:
    key = "D83DED51-9e35"
    ways = credentials.wrong_keys(key)
    keys = [k for _, k in ways]
    assert key not in keys and len(set(keys)) == len(keys)
    assert {"key-truncated", "key-case", "key-altered"} == {w for w, _ in ways}
    assert "" in keys and key[:-1] in keys and key[1:] in keys and key.swapcase() in keys


def test_history_probes_single_out_the_row() -> None:
    queries = history_model.probe_queries({"message_id": "X1", "date_added": 1700000000, "to": "+61411111111"})
    assert ({"q": "message_id:X1", "date_from": 1700000000, "date_to": 1700000000}, 1) in queries
    assert all(expected == 0 for query, expected in queries if "," in query["q"])
    assert "message_price" in history_model.ordered_fields() and "subject" not in history_model.ordered_fields()
