"""What a conformance check finds, in four categories, each finding counted and with its first example."""

from __future__ import annotations

import collections
import dataclasses
import enum
from typing import Any

from .. import exit_codes


class Category(enum.StrEnum):
    VIOLATION = "schema violation"  # the wire breaks the spec (fails by default)
    UNDECLARED_FIELD = "undeclared field"  # on the wire, not in the operation's schema (listed; --strict fails)
    UNKNOWN_VARIANT = "unknown wire variant"  # a quirk field no codec decodes (fails by default)
    UNDECLARED_VALUE = "undeclared value"  # HTTP status, response_code, status outside the spec (listed)


FAILING = frozenset({Category.VIOLATION, Category.UNKNOWN_VARIANT})
ABSENT = "(absent)"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def render_path(parts: tuple[str | int, ...], *, generic: bool = True) -> str:
    """``data.messages[].status``; with ``generic=False`` the indices stay (``data.messages[3].status``)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += "[]" if generic else f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(root)"


@dataclasses.dataclass
class Finding:
    category: Category
    operation: str
    where: str  # "request body", "request query", "request path", "response 200", ...
    field: str  # generic path: data.messages[].message_id
    expected: str
    seen: Any  # the first value seen
    first: str  # the entry it was first seen in ("traffic.har#3")
    first_field: str  # that occurrence's concrete path
    count: int = 1
    types: set[str] = dataclasses.field(default_factory=set)  # JSON types seen
    codec: str | None = None
    detail: str = ""  # the codec's own words, or a hint
    target: str | None = None  # spec pointer where --suggest would declare it
    example: Any = None  # what --suggest infers a schema from (a new status: its body)

    @property
    def fails_by_default(self) -> bool:
        return self.category in FAILING


@dataclasses.dataclass
class Report:
    files: list[str] = dataclasses.field(default_factory=list)
    entries: int = 0
    checked: int = 0
    operations: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)  # checked, per op
    unmatched: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    not_checked: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    refused: int = 0  # requests outside the spec that the server refused with a 4xx, as the spec predicts
    _findings: dict[tuple[Any, ...], Finding] = dataclasses.field(default_factory=dict)

    def add(self, finding: Finding, discriminator: Any = "") -> None:
        key = (finding.category, finding.operation, finding.where, finding.field, discriminator)
        found = self._findings.get(key)
        if found is None:
            self._findings[key] = finding
        else:
            found.count += 1
            found.types |= finding.types

    @property
    def findings(self) -> list[Finding]:
        return list(self._findings.values())

    def of(self, category: Category) -> list[Finding]:
        return [f for f in self._findings.values() if f.category is category]

    def exit_code(self, *, strict: bool = False) -> int:
        """0 conforms, 1 a finding that fails (with ``strict``: any finding), 12 nothing was checked (no entry is an
        operation of the spec): an empty or foreign recording must not pass for clean traffic."""
        if any(strict or f.fails_by_default for f in self._findings.values()):
            return exit_codes.API
        return exit_codes.OK if self.checked else exit_codes.NOTHING_CHECKED
