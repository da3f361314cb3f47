"""The examples run as a user runs them: a subprocess against a real sandbox server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers.spec import ROOT


def test_send_and_read_example(clicksend_sandbox_url: str) -> None:
    env = {**os.environ, "CLICKSEND_BASE_URL": clicksend_sandbox_url}
    env.pop("CLICKSEND_USERNAME", None)
    env.pop("CLICKSEND_API_KEY", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "send_and_read.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    sent = [line for line in lines if line.startswith("sent ")]
    assert len(sent) == 1 and "SUCCESS" in sent[0] and "2.4200 for 1 part(s)" in sent[0]
    message_id = sent[0].split()[1].rstrip(":")
    assert any(line.startswith("history: ") and "+61400000001" in line for line in lines)
    # After the clock moved on, the message has its delivery receipt.
    assert any(line.startswith(f"receipt: {message_id} status_code=") for line in lines), result.stdout
