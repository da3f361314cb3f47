"""A client for a plain-HTTP base URL (the sandbox) skips the CA bundle httpx would load, and stays fail-closed."""

from __future__ import annotations

import ssl

import httpx
from clicksend_mms import ClickSend


def _context(client: httpx.Client) -> ssl.SSLContext:
    context: ssl.SSLContext = client._transport._pool._ssl_context  # type: ignore[attr-defined]
    return context


def test_a_plain_http_client_loads_no_ca_and_still_verifies() -> None:
    with ClickSend("u", "k", base_url="http://127.0.0.1:9/v3") as cs:
        context = _context(cs.http)
    assert context.cert_store_stats()["x509_ca"] == 0  # no CA: an https request through .http cannot verify
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname


def test_an_https_client_verifies_against_the_ca_bundle() -> None:
    with ClickSend("u", "k", base_url="https://rest.clicksend.com/v3") as cs:
        context = _context(cs.http)
    assert context.cert_store_stats()["x509_ca"] > 0
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
