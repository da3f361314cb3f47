"""Fixtures for the client tests: fast retry policies, a fake ClickSend, and the in-process sandbox when ready."""

from __future__ import annotations

import pytest
from clicksend_mms import ClickSend, RetryPolicy

from tests.client.fakes import FakeClickSend

# No real waiting in unit tests; Retry-After values are still honoured (tests use tiny ones).
FAST = RetryPolicy(attempts=4, timeout=10.0, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0, max_retry_after=2.0)


@pytest.fixture
def fake() -> FakeClickSend:
    return FakeClickSend()


@pytest.fixture
def client(fake: FakeClickSend) -> ClickSend:
    return ClickSend("user", "SECRET-KEY-123", transport=fake.transport(), retry=FAST)
