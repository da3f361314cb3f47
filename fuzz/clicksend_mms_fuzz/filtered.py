"""Failures the fuzz drops on purpose (`hooks.filter_failure`): each rule, why, and what it dropped (a count and the
first example), for the summary and the HTML report. The rules' reasons are written here only.

A dropped failure leaves no trace in schemathesis' own reports beyond a total ("Filtered: N"), so the hook records
each one here, in the schemathesis process, and the statistics handler writes them to fuzz-stats.json.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_BODY_EXCERPT = 160


@dataclass(frozen=True)
class Rule:
    name: str
    check: str  # the check whose failure it drops
    failure: str  # schemathesis' failure class the rule applies to
    reason: str


WRONG_METHOD_404 = Rule(
    "ClickSend's 404 for a wrong method",
    "unsupported_method",
    "UnsupportedMethodResponse",
    "the check wants 405 for a method an endpoint lacks; ClickSend (and so the sandbox) answers 404 NOT_FOUND "
    '"Invalid endpoint". Exactly that envelope is accepted: a 2xx, a 5xx or any other 404 still fails.',
)
POSITIVE_FILED_AS_NEGATIVE = Rule(
    "positive case filed as negative",
    "negative_data_rejection",
    "AcceptedNegativeData",
    "schemathesis 4.32.5 files some cases it describes as a 'Positive test case' (e.g. receipts-read without a "
    "body, which the spec allows) under negative mode, then reports the API's 2xx as accepted negative data.",
)
BLANK_OPTIONAL_BODY = Rule(
    "a blank optional body is no body",
    "negative_data_rejection",
    "AcceptedNegativeData",
    "schemathesis sends whitespace as 'random bytes' (malformed JSON) and expects a 4xx; where the operation's body is "
    "optional, ClickSend reads a blank body as none (the spec's x-clicksend-undeclared.blank_optional_body), so "
    "its 2xx is right. Dropped only when the whole body is whitespace and the spec says the body is optional.",
)
RULES = (WRONG_METHOD_404, POSITIVE_FILED_AS_NEGATIVE, BLANK_OPTIONAL_BODY)

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_examples: dict[str, dict[str, Any]] = {}


def drop(rule: Rule, case: Any, response: Any) -> bool:
    """Record that `rule` dropped the failure of this case and response; returns False (filter_failure's "drop")."""
    with _lock:
        _counts[rule.name] += 1
        if rule.name not in _examples:
            _examples[rule.name] = example(case, response)
    return False


def example(case: Any, response: Any) -> dict[str, Any]:
    """What was sent and answered, without headers (they carry the credentials)."""
    phase = getattr(getattr(case.meta, "phase", None), "name", None)
    description = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "description", None)
    body = (response.content or b"").decode("utf-8", errors="replace")
    sent = urlsplit(str(getattr(response.request, "url", "") or ""))  # the path as sent: /v3/..., with its query
    target = sent.path + (f"?{sent.query}" if sent.query else "") if sent.path else case.formatted_path
    return {
        "request": f"{case.method.upper()} {target}",
        "phase": str(getattr(phase, "value", phase) or ""),
        "case": str(description or ""),
        "status": int(response.status_code),
        "response": body[:_BODY_EXCERPT] + ("…" if len(body) > _BODY_EXCERPT else ""),
    }


def summary() -> list[dict[str, Any]]:
    """Every rule, with how many failures it dropped in this process and its first example (None if none)."""
    with _lock:
        return [
            {
                "rule": rule.name,
                "check": rule.check,
                "reason": rule.reason,
                "count": _counts[rule.name],
                "example": _examples.get(rule.name),
            }
            for rule in RULES
        ]
