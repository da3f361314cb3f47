"""Proof that the fuzz catches faults: each broken sandbox variant must be reported by the expected check.

Each test runs the same engine `make fuzz` runs (every check in schemathesis.toml plus the custom ones), in
process, with few examples and only the phases that reach the planted fault, to stay within CI time.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from clicksend_mms_sandbox.testing import DEFAULT
from clicksend_mms_sandbox.transports import sandbox_client

from . import _variants
from ._harness import run_engine, sandbox_app

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

VALID_AUTHORIZATION = b"Basic " + base64.b64encode(f"{DEFAULT.username}:{DEFAULT.api_key}".encode())


def _seed_history(app: Any, messages: int = 40) -> None:
    """Enough records for history to have several pages before the fuzz starts."""
    with sandbox_client(app) as client:
        body = {
            "media_file": "https://example.com/cat.jpg",
            "messages": [{"to": "+61411111111", "subject": "seed", "body": f"seed {i}"} for i in range(messages)],
        }
        assert client.post("/mms/send", json=body).status_code == 200


def _failed_checks(
    app: Any, *, phases: tuple[str, ...], max_examples: int = 10, operations: tuple[str, ...] | None = None
) -> dict[str, int]:
    stats = run_engine(app, max_examples=max_examples, phases=phases, operations=operations)
    return dict(stats.checks_failed)


def test_correct_sandbox_passes_the_planted_checks() -> None:
    # The control: what the variants below are expected to trip is quiet on the unmodified sandbox.
    app = sandbox_app()
    _seed_history(app)
    failed = _failed_checks(app, phases=("examples", "fuzzing"), max_examples=5)
    planted = {"response_schema_conformance", "ignored_auth", "next_page_continues", "cancel_is_final"}
    assert not planted & set(failed), failed


def test_response_msg_as_number_is_a_schema_violation() -> None:
    app = sandbox_app()
    failed = _failed_checks(_variants.response_msg_as_number(app), phases=("examples",))
    assert failed.get("response_schema_conformance", 0) > 0, failed


def test_500_on_some_input_is_a_server_error() -> None:
    app = sandbox_app()
    # The planted route only: the coverage phase's cases for the others cost 10 s and cannot meet the bug.
    failed = _failed_checks(
        _variants.server_error_on_large_limit(app), phases=("coverage",), operations=("get_mms_receipts",)
    )
    assert failed.get("not_a_server_error", 0) > 0, failed


def test_credentials_ignored_on_one_route_is_ignored_auth() -> None:
    app = sandbox_app()
    failed = _failed_checks(_variants.ignored_auth_on_export(app, VALID_AUTHORIZATION), phases=("examples",))
    assert failed.get("ignored_auth", 0) > 0, failed


def test_history_page_repeating_a_row_is_caught() -> None:
    app = sandbox_app()
    _seed_history(app)
    failed = _failed_checks(_variants.history_repeats_row(app), phases=("fuzzing",))
    assert failed.get("next_page_continues", 0) > 0, failed


@pytest.mark.parametrize("phase", ["fuzzing"])
def test_cancelled_message_still_cancellable_is_caught(phase: str) -> None:
    app = sandbox_app()
    failed = _failed_checks(_variants.cancel_not_final(app), phases=(phase,), max_examples=20)
    assert failed.get("cancel_is_final", 0) > 0, failed
