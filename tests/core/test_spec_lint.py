"""spec/ is a valid OpenAPI 3.1 document and Spectral (spectral:oas) has nothing to say about it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.helpers import spec
from tests.helpers.node_tools import node_modules


def test_openapi_spec_validator_accepts_the_spec() -> None:
    document, base_uri = read_from_filename(str(spec.SPEC_PATH))
    validate(document, base_uri=base_uri)


def test_spectral_reports_no_errors_or_warnings() -> None:
    # No silent pass without Node: the lint is part of the contract.
    if shutil.which("node") is None:
        pytest.fail("Node.js is not installed: Spectral cannot lint spec/ (install nodejs, then `make lint`)")
    spectral = node_modules() / ".bin" / "spectral"
    result = subprocess.run(
        [str(spectral), "lint", "--fail-severity=warn", "--format=text", str(spec.SPEC_PATH)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_mms_operation_is_in_the_spec() -> None:
    found = {(op.method.upper(), op.path) for op in spec.operations()}
    assert found == {
        ("POST", "/mms/send"),
        ("POST", "/mms/price"),
        ("GET", "/mms/history"),
        ("GET", "/mms/history/export"),
        ("GET", "/mms/receipts"),
        ("GET", "/mms/receipts/{message_id}"),
        ("PUT", "/mms/receipts-read"),
        ("PUT", "/mms/{message_id}/cancel"),
        ("PUT", "/mms/cancel-all"),
        ("POST", "/uploads"),
    }


def test_history_filters_are_optional_query_parameters() -> None:
    params = {p["name"]: p for p in map(spec.resolve, spec.operation("get_mms_history").body["parameters"])}
    for name in ("q", "order_by", "date_from", "date_to", "page", "limit"):
        assert params[name]["in"] == "query" and params[name]["required"] is False
    assert (params["limit"]["schema"]["minimum"], params["limit"]["schema"]["maximum"]) == (15, 100)


def test_send_links_chain_to_every_operation_that_acts_on_sent_messages() -> None:
    links = spec.operation("send_mms").body["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "get_mms_receipt",
        "cancel_mms",
        "get_mms_history",
        "cancel_all_mms",
        "mark_mms_receipts_read",
        "get_mms_receipts",
    }
