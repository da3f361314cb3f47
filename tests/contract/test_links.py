"""links_lead_to_own_data's judgements, each failing on what a broken or leaking link gives."""

from __future__ import annotations

from clicksend_mms_fuzz import links, model

HEADER = "message_id,date_added,to\r\n"


def _known() -> model.Model:
    known = model.Model()
    accepted = b'{"message_id": "M1", "status": "SUCCESS"}, {"message_id": "M2", "status": "SUCCESS"}'
    payload = b'{"data": {"messages": [' + accepted + b"]}}"
    known.record_send("me", payload, 1000.0, 999.0)
    known.record_send("peer", payload.replace(b"M1", b"P1").replace(b"M2", b"P2"), 1000.0, 999.0)
    known.canary_id = "P2"
    return known


def test_an_export_with_exactly_the_accounts_messages_passes() -> None:
    csv = (HEADER + "M1,1,x\r\nM2,1,y\r\n").encode()
    assert links.export_problems(200, csv, "me", _known(), complete=True) == []


def test_a_broken_leaking_or_incomplete_export_fails() -> None:
    known = _known()
    assert links.export_problems(404, b"", "me", known, complete=False)
    assert links.export_problems(200, (HEADER + "M1,1,x\r\nP1,1,y\r\n").encode(), "me", known, complete=False)
    assert links.export_problems(200, (HEADER + "P2,1,y\r\n").encode(), "me", known, complete=False)  # the canary
    assert links.export_problems(200, (HEADER + "M1,1,x\r\n").encode(), "me", known, complete=True)  # M2 missing
    assert links.export_problems(200, (HEADER + "M1,1,x\r\n").encode(), "me", known, complete=False) == []


def test_an_upload_url_serves_an_image() -> None:
    assert links.upload_problems(200, {"content-type": ["image/jpeg"]}, b"\xff\xd8") == []
    assert links.upload_problems(404, {}, b"")
    assert links.upload_problems(200, {"content-type": ["application/json"]}, b"{}")
