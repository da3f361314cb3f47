"""Recipients: phone numbers read as ClickSend reads them, their countries, and the numbers with fixed outcomes
(ClickSend's test recipients, the sandbox's magic recipients)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args

from .message import Outcome
from .spec import load_spec
from .testing import TEST_RECIPIENTS

# Dialling codes the sandbox recognises. A number whose country is known but not priced answers COUNTRY_NOT_ENABLED;
# so does an international number with a prefix not listed here.
DIAL_CODES: dict[str, str] = {
    "AU": "61", "NZ": "64", "US": "1", "CA": "1", "GB": "44", "CN": "86", "DE": "49", "FR": "33",
    "IN": "91", "JP": "81", "SG": "65", "PH": "63", "ZA": "27", "IE": "353", "BR": "55",
}  # fmt: skip
_PREFIX_TO_COUNTRY = sorted(
    ((code, country) for country, code in DIAL_CODES.items() if country != "CA"),  # +1 is read as US
    key=lambda item: -len(item[0]),
)
DEFAULT_COUNTRY = "AU"  # the sandbox accounts are Australian, as in ClickSend's examples
_PHONE_CHARS = re.compile(r"[\s().-]")
_DIGITS = re.compile(r"^[0-9]{6,15}$")

# ClickSend's documented test recipients (from the spec): SUCCESS, free, never delivered, never a receipt.
CLICKSEND_TEST_RECIPIENTS = frozenset(TEST_RECIPIENTS)


@dataclass(frozen=True)
class Magic:
    reject: str | None = None  # a per-message status at send time
    outcome: Outcome = "delivered"


def _magic(entry: dict[str, Any]) -> Magic:
    outcome = entry.get("outcome", "delivered")
    if outcome not in get_args(Outcome):
        raise ValueError(f"x-clicksend-sandbox: unknown outcome {outcome!r} (known: {get_args(Outcome)})")
    return Magic(reject=entry.get("reject"), outcome=outcome)


# Sandbox magic recipients (in the spirit of Stripe's test cards), kept apart from ClickSend's own numbers: the
# spec's `x-clicksend-sandbox` lists them, so its readers, the docs and the fuzzer's oracle share one table.
MAGIC_RECIPIENTS: dict[str, Magic] = {
    number: _magic(entry) for number, entry in load_spec()["x-clicksend-sandbox"]["recipients"].items()
}


@dataclass(frozen=True)
class Recipient:
    number: str  # E.164
    country: str | None  # None: a prefix the sandbox does not know

    @property
    def is_test_number(self) -> bool:
        return self.number in CLICKSEND_TEST_RECIPIENTS

    @property
    def magic(self) -> Magic | None:
        return MAGIC_RECIPIENTS.get(self.number)


def read_recipient(raw: str, country: str | None) -> Recipient | None:
    """The recipient `raw` names (E.164 `+` and 8..15 digits, or local digits read with `country`, default AU), or
    None when it is not a phone number."""
    cleaned = _PHONE_CHARS.sub("", raw)
    if cleaned.startswith("+"):
        digits = cleaned[1:]
        if not _DIGITS.match(digits) or len(digits) < 8:
            return None
        for prefix, found in _PREFIX_TO_COUNTRY:
            if digits.startswith(prefix):
                return Recipient("+" + digits, found)
        return Recipient("+" + digits, None)
    if not _DIGITS.match(cleaned):
        return None
    local_country = (country or DEFAULT_COUNTRY).upper()
    code = DIAL_CODES.get(local_country)
    if code is None:
        return Recipient("+" + cleaned, None)
    national = cleaned[1:] if cleaned.startswith("0") else cleaned
    if cleaned.startswith(code) and len(cleaned) > 9:  # already international without the '+'
        national = cleaned[len(code) :]
    return Recipient(f"+{code}{national}", local_country)
