"""Regressions found by the contract fuzzer (make fuzz), each pinned to the input that found it."""

from __future__ import annotations

from clicksend_mms_sandbox import create_app
from clicksend_mms_sandbox.transports import sandbox_client


def test_media_url_that_urlsplit_rejects_is_an_invalid_media_file_not_a_500() -> None:
    # Found by make fuzz: "https://a]b/x.gif" made urlsplit raise "Invalid IPv6 URL" and the send answer 500.
    http = sandbox_client(create_app())
    message = {"subject": "s", "body": "b", "to": "+61411111111"}
    for path in ("/mms/send", "/mms/price"):
        response = http.post(path, json={"media_file": "https://a]b/x.gif", "messages": [message]})
        assert response.status_code == 200, response.text
        assert response.json()["data"]["messages"][0]["status"] == "INVALID_MEDIA_FILE"
