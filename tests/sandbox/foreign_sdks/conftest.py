"""A sandbox in its own process (the console script, as users run it) and helpers to look at it from outside."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from clicksend_mms_sandbox.testing import DEFAULT, RunningSandbox, serve

MEDIA = "https://example.com/cat.jpg"
GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """The sandbox as the default account, to check from outside what an SDK call did."""
    with httpx.Client(base_url=sandbox.url, auth=DEFAULT.basic_auth, timeout=10) as client:
        yield client


def rows_with(http: httpx.Client, body: str, auth: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """History rows whose body is `body` (tests share a sandbox, so each marks its messages with a unique body)."""
    extra = {"auth": auth} if auth else {}
    response = http.get("/mms/history", params={"q": f"body:{body}", "limit": 100}, **extra)
    rows: list[dict[str, object]] = response.json()["data"]["data"]
    return rows
