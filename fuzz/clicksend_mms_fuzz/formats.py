"""Hypothesis strategies for the spec's custom formats, shaped like the values ClickSend really sends.

Without them a generator treats `format: decimal` / `format: unix-time` as plain strings filtered by the
pattern (mostly "0", "00", "1"...), `to` as any text and `media_file` as any http URL: valid, but nothing
like the wire, so the interesting paths (a deliverable recipient, an accepted image, a millisecond schedule)
are rarely reached. `recipient` and `media-url` are given to those two fields by `hooks._annotate_schema`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS
from hypothesis import strategies as st

from . import wire
from .send_model import body_limits

RECIPIENT_FORMAT = "recipient"
MEDIA_URL_FORMAT = "media-url"
DECIMAL_FORMAT = "decimal"
UNIX_TIME_FORMAT = "unix-time"
BODY_FORMAT = "message-body"

# 2015-01-01 .. 2033-05-18: the range of ClickSend timestamps seen in docs and live answers.
_WEEK = 7 * 24 * 3600
_DECADE = 10 * 365 * 24 * 3600
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


def recipients() -> st.SearchStrategy[str]:
    """Recipients: ClickSend's test numbers, E.164 and local numbers of the countries its docs use (AU, US, UK,
    CN, NZ), and strings that are no phone number at all (which must never come back SUCCESS)."""
    national = st.sampled_from(["+614", "+1405", "+4477", "+8615", "+6129", "+6421"])
    e164 = st.builds(lambda prefix, digits: prefix + digits, national, st.from_regex(r"\A[0-9]{7,9}\Z"))
    local = st.from_regex(r"\A04[0-9]{8}\Z")
    not_a_number = st.one_of(
        st.sampled_from(["abc", "+", "12", "+61 4x1 111 111", "not-a-number", "0x41", "☎"]),
        st.from_regex(r"\A[A-Za-z]{1,12}\Z"),
    )
    return st.one_of(st.sampled_from(TEST_RECIPIENTS), e164, e164, local, not_a_number)


# ClickSend attaches jpg/jpeg/gif as they are and converts png/bmp; any other file is INVALID_MEDIA_FILE.
_IMAGE_EXTENSIONS = ("jpg", "jpeg", "gif", "png", "bmp", "JPG", "Gif")


def media_urls() -> st.SearchStrategy[str]:
    """`media_file` URLs: mostly images ClickSend accepts (some with a query string), some it refuses."""
    host = st.sampled_from(["example.com", "cdn.example.org", "yourdomain.com", "127.0.0.1:8080"])
    path = st.from_regex(r"\A[a-zA-Z0-9_-]{1,24}(/[a-zA-Z0-9_-]{1,12}){0,2}\Z")
    image = st.builds(
        lambda scheme, h, p, ext, query: f"{scheme}://{h}/{p}.{ext}{query}",
        st.sampled_from(["https", "http"]),
        host,
        path,
        st.sampled_from(_IMAGE_EXTENSIONS),
        st.sampled_from(["", "", "", "?v=2"]),
    )
    refused = st.builds(lambda h, p, ext: f"https://{h}/{p}{ext}", host, path, st.sampled_from([".pdf", ".txt", ""]))
    return st.one_of(image, image, image, image, refused)


def _repeated(length: int, word: str) -> str:
    return (word * (length // len(word) + 1))[:length]


def message_bodies() -> st.SearchStrategy[str]:
    """Bodies: mostly short text, some at the spec's truncation limits (x-clicksend-truncate), GSM and unicode.

    A generated string almost never reaches 500 characters, so without these no body is ever truncated and
    which limit applies to which alphabet is never judged (send_model predicts it)."""
    limits = sorted(set(body_limits()))
    lengths = st.sampled_from(limits).flatmap(lambda n: st.integers(min_value=n - 2, max_value=n + 3))
    gsm = st.builds(_repeated, lengths, st.sampled_from(["Hello MMS ", "ab1 "]))
    unicode = st.builds(_repeated, lengths, st.sampled_from(["Привет ", "日本語 "]))
    return st.one_of(st.text(max_size=60), st.text(max_size=60), gsm, unicode)


def future_schedules(body: Any, now: float) -> Any:
    """Move generated `schedule`s into the future, keeping each deterministic in the generated value.

    A uniform integer in the spec's 0..99999999999 lands in the next few years about once in a thousand draws, so
    without this nearly every "scheduled" send is rejected or sent at once, and nothing is ever cancellable. By the
    value modulo 4: two quarters go into the next week (what cancel and cancel-all then meet), one anywhere in the
    next ten years (every horizon, ClickSend's limit on how far ahead included), one keeps its generated value
    (past and far future).
    """
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    messages = []
    for message in body["messages"]:
        raw = message.get("schedule") if isinstance(message, dict) else None
        value = wire.json_integer(raw)
        if value is not None and value % 4 != 3:
            ahead = 300 + value % _WEEK if value % 4 < 2 else value % _DECADE
            message = {**message, "schedule": int(now) + ahead}
        messages.append(message)
    return {**body, "messages": messages}


def format_strategies() -> dict[str, st.SearchStrategy[str]]:
    """Every custom format the fuzz registers, by the name used in `format:`."""
    return {
        DECIMAL_FORMAT: decimal_strings(),
        UNIX_TIME_FORMAT: unix_time_strings(),
        RECIPIENT_FORMAT: recipients(),
        MEDIA_URL_FORMAT: media_urls(),
        BODY_FORMAT: message_bodies(),
    }
