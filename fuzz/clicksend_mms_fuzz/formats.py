"""Hypothesis strategies for the spec's custom formats, shaped like the values ClickSend really sends.

Without them a generator treats `format: decimal` / `format: unix-time` as plain strings filtered by the
pattern (mostly "0", "00", "1"...), and `to` as any text: valid, but nothing like the wire, so the
interesting paths (a real-looking recipient, a millisecond schedule) are rarely reached.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS
from hypothesis import strategies as st

E164_FORMAT = "e164"
DECIMAL_FORMAT = "decimal"
UNIX_TIME_FORMAT = "unix-time"

# 2015-01-01 .. 2033-05-18: the range of ClickSend timestamps seen in docs and live answers.
_WEEK = 7 * 24 * 3600
_SECONDS = st.integers(min_value=1_420_070_400, max_value=2_000_000_000)


def decimal_strings() -> st.SearchStrategy[str]:
    """Money as ClickSend writes it: 4 decimals ("2.4200"), 6 in receipt-by-id ("2.420000"), "0.0000" (test numbers)."""
    amounts = st.decimals(min_value=0, max_value=Decimal("10000"), places=4, allow_nan=False, allow_infinity=False)
    return st.one_of(
        st.just("0.0000"),
        amounts.map(lambda d: f"{d:.4f}"),
        amounts.map(lambda d: f"{d:.6f}"),
        st.integers(min_value=0, max_value=10_000).map(str),
    )


def unix_time_strings() -> st.SearchStrategy[str]:
    """Numeric-string unix times: seconds ("1467356623") and, when the caller scheduled in ms, milliseconds."""
    return st.one_of(_SECONDS.map(str), _SECONDS.map(lambda s: str(s * 1000)))


def e164_numbers() -> st.SearchStrategy[str]:
    """Recipients: ClickSend's test numbers, or E.164 numbers of the countries its docs use (AU, US, UK, CN)."""
    national = st.sampled_from(["+614", "+1405", "+4477", "+8615", "+6129"])
    generated = st.builds(lambda prefix, digits: prefix + digits, national, st.from_regex(r"\A[0-9]{7,9}\Z"))
    return st.one_of(st.sampled_from(TEST_RECIPIENTS), generated)


def near_future_schedules(body: Any, now: float) -> Any:
    """Move each generated `schedule` into the next week, keeping it deterministic in the generated value.

    A uniform integer in the spec's 0..99999999999 lands in ClickSend's accepted window (now .. now + a few
    months) about once in a thousand draws, so without this nearly every "scheduled" send is rejected or sent at
    once, and the stateful send -> cancel link never reaches a message that can be cancelled.
    """
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    messages = []
    for message in body["messages"]:
        if isinstance(message, dict) and isinstance(message.get("schedule"), int) and message["schedule"] % 2 == 0:
            # Every other value (by parity) keeps its generated schedule, past and far future included.
            message = {**message, "schedule": int(now) + 300 + message["schedule"] % _WEEK}
        messages.append(message)
    return {**body, "messages": messages}


def format_strategies() -> dict[str, st.SearchStrategy[str]]:
    """Every custom format the fuzz registers, by the name used in `format:`."""
    return {
        DECIMAL_FORMAT: decimal_strings(),
        UNIX_TIME_FORMAT: unix_time_strings(),
        E164_FORMAT: e164_numbers(),
    }
