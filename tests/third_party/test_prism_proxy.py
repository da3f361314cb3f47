"""A validator no one here wrote agrees with the spec about the sandbox's wire: Prism 5.14.2 (pinned in package.json)
as a validating proxy (``--errors``: any request or response that breaks the spec becomes an error) in front of
the sandbox, while ClickSend's official Python SDK (clicksend-client 6.0.2, tests/sandbox/foreign_sdks) runs its
calls through it. Zero violations: every call succeeds and Prism logs none. Everything on 127.0.0.1.

The SDK writes ``/v3`` into every path; Prism matches a spec's paths without its server's base path, so Prism reads
a copy of the spec with the first server's path (``/v3``) folded into each path (the same URLs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from clicksend_mms_sandbox.spec import base_path
from clicksend_mms_sandbox.testing import DEFAULT, HOST, RunningSandbox, free_port, serve

from tests.helpers.node_tools import node_modules
from tests.helpers.spec import load_spec
from tests.helpers.waiting import wait_until
from tests.sandbox.foreign_sdks.conftest import GIF, MEDIA
from tests.sandbox.foreign_sdks.venvs import SDK6, ensure_venv
from tests.sandbox.foreign_sdks.worker import SdkWorker

pytestmark = [pytest.mark.node, pytest.mark.slow]

PRISM_VERSION = "5.14.2"
_VIOLATION = re.compile(r"violat|✖|error ", re.IGNORECASE)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with serve(rate_limit=0) as running:
        yield running


@pytest.fixture(scope="module")
def prism(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Prism's origin and its log file."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed (Prism comes from package.json)")
    prism = node_modules() / ".bin" / "prism"
    version = subprocess.run([str(prism), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version == PRISM_VERSION
    folder = tmp_path_factory.mktemp("prism")
    spec = load_spec()
    prefix = base_path(spec)
    folded = {**spec, "paths": {prefix + path: item for path, item in spec["paths"].items()}}
    spec_file = folder / "clicksend-mms.yaml"
    spec_file.write_text(yaml.safe_dump(folded, sort_keys=False, allow_unicode=True), encoding="utf-8")
    port = free_port()
    log = folder / "prism.log"
    with log.open("w") as out:
        argv = [str(prism), "proxy", str(spec_file), sandbox.origin, "-h", HOST, "-p", str(port), "--errors"]
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            origin = f"http://{HOST}:{port}"
            _wait_listening(process, log)
            yield origin, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_listening(process: subprocess.Popen[bytes], log: Path) -> None:
    # Prism says when it listens; waiting for its own words is an event, not a guess at how long it takes.
    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"prism exited: {log.read_text(encoding='utf-8')[-2000:]}")
        return "Prism is listening" in log.read_text(encoding="utf-8")

    wait_until(listening, "Prism says it is listening")


def _refused(origin: str, log: Path, already: int) -> list[str]:
    """Send a request the spec forbids (a limit below the minimum) and wait for Prism to log refusing it; returns the
    log lines since ``already`` before that refusal. Prism logs in order, so everything sent earlier is logged by
    then (an event to wait for, not a pause)."""
    answer = httpx.get(f"{origin}/v3/mms/history", params={"limit": 1}, auth=DEFAULT.basic_auth, timeout=30)
    assert answer.status_code == 422 and "limit" in answer.text, answer.text

    def before_sentinel() -> tuple[list[str]] | None:  # a tuple: truthy even when no line came before
        lines = log.read_text(encoding="utf-8").splitlines()[already:]
        sentinel = [i for i, line in enumerate(lines) if "get /v3/mms/history" in line and _VIOLATION.search(line)]
        return (lines[: sentinel[-1]],) if sentinel else None

    (earlier,) = wait_until(before_sentinel, "Prism logs refusing the sentinel")
    return earlier


def test_prism_rejects_what_the_spec_forbids(prism: tuple[str, Path]) -> None:
    """The proxy does validate (else zero violations would prove nothing), and logs it as the other test looks for."""
    origin, log = prism
    _refused(origin, log, len(log.read_text(encoding="utf-8").splitlines()))


def test_the_official_sdk_through_prism_meets_no_violation(prism: tuple[str, Path]) -> None:
    origin, log = prism
    already = len(log.read_text(encoding="utf-8").splitlines())
    sdk = SdkWorker(ensure_venv(SDK6), "sdk6_worker.py", origin, DEFAULT)
    body = f"through prism {uuid.uuid4().hex}"
    message = [{"to": "+61437111222", "subject": "prism", "body": body, "from": "test"}]
    try:
        calls = {
            "send": sdk.call("send", media_file=MEDIA, messages=message),
            "price": sdk.call("price", media_file=MEDIA, messages=message),
            "history": sdk.call("history"),  # this sandbox holds only these calls' messages
            "export": sdk.call("export", filename="prism.csv"),
            "upload": sdk.call("upload", content=GIF, convert="mms"),
        }
    finally:
        sdk.close()
    failed = {name: reply for name, reply in calls.items() if not reply.ok}
    lines = _refused(origin, log, already)
    violations = [line for line in lines if _VIOLATION.search(line)]
    assert failed == {} and violations == [], (failed, violations)
    forwarded = [line for line in lines if "Forwarding" in line]
    assert len(forwarded) >= len(calls), lines  # every call went through Prism to the sandbox
