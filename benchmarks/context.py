"""What every section shares: options, the page files, the results collected, notes and skips."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from .page import page_bytes
from .servers import CACHE
from .stats import Summary


@dataclasses.dataclass
class Figure:
    """One measured figure. ``ratio`` is how it compares with its reference in the same run (higher is better)."""

    section: str
    name: str
    unit: str
    summary: Summary
    ratio: float | None = None
    ratio_label: str = ""
    target: str = ""
    passed: bool | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            **self.summary.as_dict(),
            "ratio": self.ratio,
            "ratio_label": self.ratio_label,
            "target": self.target,
            "passed": self.passed,
            **({"extra": self.extra} if self.extra else {}),
        }


@dataclasses.dataclass
class Context:
    quick: bool
    profile: bool = True
    started: float = dataclasses.field(default_factory=time.monotonic)
    figures: list[Figure] = dataclasses.field(default_factory=list)
    notes: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    profiles: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        self.page = page_bytes()
        self.page_file = CACHE / "page.json"
        self.page_file.write_bytes(self.page)
        self.official_page_file = CACHE / "page-official.json"

    @property
    def repeats(self) -> int:
        return 3 if self.quick else 15

    def note(self, section: str, text: str) -> None:
        self.notes.setdefault(section, []).append(text)
        print(f"  [{section}] {text}", flush=True)

    def skip(self, section: str, reason: str) -> None:
        self.skipped[section] = reason
        print(f"  [{section}] SKIPPED: {reason}", flush=True)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure
