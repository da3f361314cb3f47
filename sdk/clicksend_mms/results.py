"""Helpers for per-message send results (rejections are results inside a 200, not exceptions)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import MmsMessageResult, SendMmsData

SUCCESS = "SUCCESS"


def rejected(results: SendMmsData | Iterable[MmsMessageResult | None]) -> list[MmsMessageResult]:
    """The messages ClickSend did not accept (``status`` other than SUCCESS, e.g. INVALID_RECIPIENT)."""
    rows = results.messages if isinstance(results, SendMmsData) else results
    return [r for r in rows if r is not None and r.status != SUCCESS]
