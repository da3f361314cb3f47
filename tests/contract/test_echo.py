"""records.echo_problems: a send or price answer echoes each message's body, subject and custom_string."""

from __future__ import annotations

from clicksend_mms_fuzz import records

REQUEST = {"messages": [{"to": "0411111111", "subject": "S", "body": "B", "custom_string": ""}]}


def test_an_echo_that_differs_fails_and_normalised_numbers_do_not() -> None:
    echoed = [{"to": "+61411111111", "subject": "S", "body": "B", "custom_string": None, "status": "SUCCESS"}]
    assert records.echo_problems(REQUEST, echoed) == []
    assert records.echo_problems(REQUEST, [{**echoed[0], "body": "B1"}])  # body not stored as given
    assert records.echo_problems(REQUEST, [{**echoed[0], "subject": "S1"}])


def test_a_rejected_message_without_a_subject_and_a_list_send_are_not_held() -> None:
    assert records.echo_problems(REQUEST, [{"to": "x", "body": "B", "status": "INVALID_RECIPIENT"}]) == []
    listed = {"messages": [{"list_id": 4, "subject": "S", "body": "B"}]}
    assert records.echo_problems(listed, [{"body": "other"}]) == []
