"""Message bodies as ClickSend counts them: GSM 03.38 text or "unicode", truncated (never split) at the spec's limits.

ClickSend's Send MMS page: "Standard MMS Message 1500 characters, Unicode MMS Message 500 characters. If a message
is longer the allowed number of characters it will be truncated. If a message contains any characters that aren't
in the GSM 03.38 character set, the message type will be treated as unicode." The limits are read from the spec
(`x-clicksend-truncate` on MmsMessageInput.body). Assumptions, written down in sandbox/README.md: the extension
table (`^{}\\[~]|€` and form feed) is GSM 03.38 too, and a character is a Unicode code point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The basic table without its escape (0x1B, which only introduces the extension table), then the extension table.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_GSM7 = frozenset(GSM7_BASIC + GSM7_EXTENSION)


def is_gsm7(text: str) -> bool:
    return _GSM7.issuperset(text)


@dataclass(frozen=True)
class BodyLimits:
    gsm7: int
    unicode: int

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> BodyLimits:
        limits = spec["components"]["schemas"]["MmsMessageInput"]["properties"]["body"]["x-clicksend-truncate"]
        return cls(gsm7=int(limits["gsm7"]), unicode=int(limits["unicode"]))

    def truncate(self, body: str) -> str:
        """What ClickSend keeps of `body`: the first 1500 characters of GSM text, the first 500 of anything else."""
        if len(body) <= min(self.gsm7, self.unicode):
            return body  # short enough either way: no need to look at the characters
        return body[: self.gsm7 if is_gsm7(body) else self.unicode]
