"""Send an MMS, then read it back from history, with the generated client.

Runs against the local sandbox by default (`make sandbox` in another terminal):

    python examples/send_and_read.py

Point it elsewhere with CLICKSEND_BASE_URL / CLICKSEND_USERNAME / CLICKSEND_API_KEY. The recipient is one of
ClickSend's documented test numbers, so even the live API answers without sending or charging.
"""

from __future__ import annotations

import os
import sys

from clicksend_mms import AuthenticatedClient
from clicksend_mms.api.mms import get_mms_history, send_mms
from clicksend_mms.models import MmsHistoryResponse, MmsMessageInput, SendMmsRequest, SendMmsResponse


def main() -> int:
    client = AuthenticatedClient(
        base_url=os.environ.get("CLICKSEND_BASE_URL", "http://127.0.0.1:8765"),
        username=os.environ.get("CLICKSEND_USERNAME", "sandbox"),
        api_key=os.environ.get("CLICKSEND_API_KEY", "sandbox-key"),
    )
    request = SendMmsRequest(
        media_file="https://example.com/cat.jpg",
        messages=[MmsMessageInput(to="+61411111111", subject="Hello", body="A cat, as promised.")],
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
        for record in history.data.data:
            when = record.date_added.isoformat() if record.date_added else "?"
            print(f"{when} {record.to} {record.status} status_code={record.status_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
