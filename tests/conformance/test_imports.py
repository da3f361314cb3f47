"""Recording is part of the client; checking needs PyYAML + jsonschema, which the client must not need."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Make the validation libraries unimportable, as in an install without the CLI extra.
_BLOCK = "import sys\nfor name in ('yaml', 'jsonschema', 'referencing'):\n    sys.modules[name] = None\n"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BLOCK + textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_the_client_records_without_yaml_or_jsonschema(tmp_path: object) -> None:
    result = _run(
        f"""
        import httpx, json
        from clicksend_mms import ClickSend
        import clicksend_mms.cli  # the CLI registers the conformance command without importing its libraries
        answer = {{"http_code": 200, "response_code": "SUCCESS", "response_msg": "ok", "data": {{"count": 0}}}}
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json=answer))
        with ClickSend("u", "secret-key-1", base_url="http://x", transport=transport, record="{tmp_path}/t.har") as cs:
            cs.cancel_all()
        print(len(json.load(open("{tmp_path}/t.har"))["log"]["entries"]))
        """
    )
    assert (result.returncode, result.stdout.strip()) == (0, "1"), result.stderr


def test_conformance_says_what_is_missing(tmp_path: object) -> None:
    result = _run(
        f"""
        from clicksend_mms.cli import app
        open("{tmp_path}/t.har", "w").write('{{"log": {{"entries": []}}}}')
        app(["conformance", "{tmp_path}/t.har"])
        """
    )
    assert result.returncode == 3
    assert "conformance needs yaml" in result.stderr and "Traceback" not in result.stderr
