"""Send an MMS, read it back from history, let the sandbox clock run, and read its delivery receipt.

Runs against the local sandbox by default (`make sandbox` in another terminal):

    python examples/send_and_read.py

Point it elsewhere with CLICKSEND_BASE_URL / CLICKSEND_USERNAME / CLICKSEND_API_KEY. Against anything but a local
sandbox it sends only to one of ClickSend's documented test numbers, which is free and never delivered (so it
gets no receipt).
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from clicksend_mms import AuthenticatedClient
from clicksend_mms.api.mms import get_mms_history, get_mms_receipts, send_mms
from clicksend_mms.models import (
    MmsHistoryResponse,
    MmsMessageInput,
    MmsReceiptsResponse,
    SendMmsRequest,
    SendMmsResponse,
)

SANDBOX_DELIVERS = "+61400000001"  # a sandbox magic recipient: delivered, receipt 201 (sandbox/README.md)
CLICKSEND_TEST_NUMBER = "+61411111111"  # ClickSend's free test recipient: success, no charge, no receipt


def main() -> int:
    base_url = os.environ.get("CLICKSEND_BASE_URL", "http://127.0.0.1:8765/v3")
    local = urlsplit(base_url).hostname in {"127.0.0.1", "localhost", "::1"}
    client = AuthenticatedClient(
        base_url=base_url,
        username=os.environ.get("CLICKSEND_USERNAME", "sandbox"),
        api_key=os.environ.get("CLICKSEND_API_KEY", "sandbox-key"),
    )
    request = SendMmsRequest(
        media_file="https://example.com/cat.jpg",
        messages=[
            MmsMessageInput(
                to=SANDBOX_DELIVERS if local else CLICKSEND_TEST_NUMBER, subject="Hello", body="A cat, as promised."
            )
        ],
    )
    with client:
        sent = send_mms.sync(client=client, body=request)
        if not isinstance(sent, SendMmsResponse):
            print(f"send failed: {sent}", file=sys.stderr)
            return 1
        for message in sent.data.messages:
            # message_price is a Decimal and message_parts an int, whatever spelling came over the wire.
            price, parts = message.message_price, message.message_parts
            print(f"sent {message.message_id}: {message.status}, {price} for {parts} part(s)")

        history = get_mms_history.sync(client=client, order_by="date_added:desc", limit=15)
        if not isinstance(history, MmsHistoryResponse):
            print(f"history failed: {history}", file=sys.stderr)
            return 1
        for record in history.data.data[:3]:
            when = record.date_added.isoformat() if record.date_added else "?"
            print(f"history: {when} {record.to} {record.status} status_code={record.status_code}")

        if local:
            # The sandbox's clock only moves when told to (or in real time): skip past delivery.
            client.get_httpx_client().post("/_sandbox/clock/advance", json={"seconds": 60}).raise_for_status()
        receipts = get_mms_receipts.sync(client=client, limit=15)
        if not isinstance(receipts, MmsReceiptsResponse):
            print(f"receipts failed: {receipts}", file=sys.stderr)
            return 1
        for receipt in receipts.data.data:
            print(f"receipt: {receipt.message_id} status_code={receipt.status_code} {receipt.status_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
