"""A conformance report for people (rich tables, one per category) and for machines (``--json``)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from .. import exit_codes
from .findings import ABSENT, Category, Finding, Report

MAX_ROWS = 40  # per category in the table; a fuzz run's HAR can hold hundreds of odd query keys
_COLUMNS: dict[Category, tuple[str, ...]] = {
    Category.VIOLATION: ("operation", "where", "field", "expected", "seen", "count", "first in"),
    Category.UNDECLARED_FIELD: ("operation", "where", "field", "first example", "types", "count", "first in"),
    Category.UNKNOWN_VARIANT: ("codec", "operation", "where", "field", "seen", "count", "first in"),
    Category.UNDECLARED_VALUE: ("operation", "where", "field", "value", "declared", "count", "first in"),
}
_TITLES: dict[Category, str] = {
    Category.VIOLATION: "1. Schema violations",
    Category.UNDECLARED_FIELD: "2. Undeclared fields (on the wire, not in the spec)",
    Category.UNKNOWN_VARIANT: "3. Wire variants no codec knows",
    Category.UNDECLARED_VALUE: "4. Undeclared values (HTTP status, response_code, status)",
}


def to_json(report: Report, *, strict: bool = False) -> dict[str, Any]:
    return {
        "files": report.files,
        "summary": _summary(report),
        **{category.name.lower(): [_finding_json(f) for f in _sorted(report.of(category))] for category in Category},
        "operations": dict(sorted(report.operations.items())),
        "unmatched": dict(report.unmatched.most_common()),
        "not_checked": dict(report.not_checked.most_common()),
        "exit_code": report.exit_code(strict=strict),
    }


def render(report: Report, console: Console, *, strict: bool = False) -> None:
    for category in Category:
        findings = _sorted(report.of(category))
        fails = "fails" if strict or category.name in ("VIOLATION", "UNKNOWN_VARIANT") else "listed"
        title = f"{_TITLES[category]}: {len(findings)} ({fails})"
        if not findings:
            console.print(f"[bold]{title}[/]")
            continue
        table = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
        for column in _COLUMNS[category]:
            # Names are copied into searches and the spec: never broken; values may fold.
            table.add_column(column, overflow="fold", no_wrap=column in ("operation", "field", "count", "first in"))
        shown = sorted(findings, key=lambda f: -f.count)[:MAX_ROWS]  # the commonest first, if there are many
        for finding in _sorted(shown):
            table.add_row(*_row(category, finding))
        console.print(table)
        if len(findings) > MAX_ROWS:
            console.print(f"  ... and {len(findings) - MAX_ROWS} more (--json lists them all)")
    if report.unmatched:
        console.print(f"[bold]Not in the spec (not checked)[/]: {sum(report.unmatched.values())} entries")
        for reason, count in report.unmatched.most_common(10):
            console.print(f"  {count} x {reason}", highlight=False)
    s = _summary(report)
    line = (
        f"{s['entries']} entries in {len(report.files) or 1} file(s): {s['checked']} checked, "
        f"{s['unmatched']} not in the spec, {s['refused']} invalid request(s) refused as the spec predicts"
    )
    if report.not_checked:
        line += "; not checked: " + ", ".join(f"{n} {why}" for why, n in report.not_checked.most_common())
    console.print(line, highlight=False)
    code = report.exit_code(strict=strict)
    if code == exit_codes.NOTHING_CHECKED:
        console.print(
            "[bold red]Nothing was checked[/]: no entry is an operation of the spec (an empty recording, or another "
            "API?), so this says nothing about conformance."
        )
        return
    verdict = "[bold red]does not conform[/]" if code else "[bold green]conforms[/]"
    console.print(f"The traffic {verdict} to the spec" + (" (strict)" if strict else "") + ".")


def _row(category: Category, f: Finding) -> tuple[str, ...]:
    count, first = str(f.count), f.first
    if category is Category.VIOLATION:
        return (f.operation, f.where, f.field, f.expected, _show(f.seen), count, first)
    if category is Category.UNDECLARED_FIELD:
        return (f.operation, f.where, f.field, _show(f.seen), ", ".join(sorted(f.types)), count, first)
    if category is Category.UNKNOWN_VARIANT:
        return (str(f.codec), f.operation, f.where, f.field, _show(f.seen), count, first)
    return (f.operation, f.where, f.field, _show(f.seen), _short(f.expected), count, first)


def _finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operation": f.operation,
        "where": f.where,
        "field": f.field,
        "expected": f.expected,
        "seen": f.seen,
        "count": f.count,
        "first": {"entry": f.first, "field": f.first_field},
        "types": sorted(f.types),
    }
    if f.codec:
        out["codec"] = f.codec
    if f.detail:
        out["detail"] = f.detail
    return out


def _summary(report: Report) -> dict[str, int]:
    return {
        "entries": report.entries,
        "checked": report.checked,
        "unmatched": sum(report.unmatched.values()),
        "refused": report.refused,
        "not_checked": sum(report.not_checked.values()),
        **{category.name.lower(): len(report.of(category)) for category in Category},
    }


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.operation, f.where, f.field, str(f.seen)))


def _short(listing: str, limit: int = 48) -> str:
    """A long declared list, cut for the table (``--json`` has it whole)."""
    if len(listing) <= limit:
        return listing
    items = listing.split(", ")
    return listing[:limit].rsplit(", ", 1)[0] + f", … ({len(items)} values)"


def _show(value: Any) -> str:
    # JSON spelling, so "400" and 400 differ on the screen as they do on the wire.
    return value if value == ABSENT else json.dumps(value, ensure_ascii=False)
