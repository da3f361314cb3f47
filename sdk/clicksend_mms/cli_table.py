"""How the CLI lays rows out on a terminal of a given width, never cutting an id, date, number or status.

The first layout that fits wins: the boxed table; a compact one (a rule under the header, one space between
columns); compact with each date's time on the line under it (a whole value breaks only at its space, so the date
and the time each stay whole); compact without the free-text columns (subject, status_text...: `--json`, a pipe
or a wider terminal shows them, and a line under the table says which were left out). Only when none fits (a
very narrow terminal): one block of ``name: value`` lines per row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Values read and copied as one token: never split. Free text (subject, status_text, error) folds instead.
WHOLE_COLUMNS = frozenset({"message_id", "date", "to", "status", "price", "status_code", "timestamp"})


@dataclasses.dataclass(frozen=True)
class Layout:
    boxed: bool
    stacked: bool  # a whole value may break at its space (a date over its time)
    shown: tuple[int, ...]  # the columns shown, by index

    def width(self, widths: Sequence[int]) -> int:
        used = [widths[i] for i in self.shown]
        # boxed: "│ " before each column, " │" after the last; compact: one space between columns.
        return sum(used) + (3 * len(used) + 1 if self.boxed else len(used) - 1)


def _width(name: str, values: Sequence[str], stacked: bool) -> int:
    if name not in WHOLE_COLUMNS:
        return len(name)  # free text folds, down to its header's width
    parts = [part for value in values for part in (value.split(" ") if stacked else [value])]
    return max([len(part) for part in parts] + [len(name)])


def choose(columns: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> tuple[Layout, list[int]] | None:
    """The first layout that fits ``width``, with its column widths; None: none does (blocks, then)."""
    every = tuple(range(len(columns)))
    whole = tuple(i for i, name in enumerate(columns) if name in WHOLE_COLUMNS)
    candidates = [Layout(True, False, every), Layout(False, False, every), Layout(False, True, every)]
    if whole != every:
        candidates.append(Layout(False, True, whole))
    for layout in candidates:
        widths = [_width(name, [row[i] for row in cells], layout.stacked) for i, name in enumerate(columns)]
        if layout.width(widths) <= width:
            return layout, widths
    return None


def show(console: Console, title: str, columns: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """``cells`` (already text) as a table that fits the console, or as blocks when none does."""
    chosen = choose(columns, cells, console.width)
    if chosen is None:
        for row in cells:
            console.print(Text("\n".join(f"{name}: {value}" for name, value in zip(columns, row, strict=True)) + "\n"))
        return
    layout, widths = chosen
    if layout.boxed:
        table = Table(title=title)
    else:
        table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0)
    for i in layout.shown:
        name, whole = columns[i], columns[i] in WHOLE_COLUMNS
        if whole:  # exactly its width: rich would otherwise widen a stacked date and squeeze a column out
            table.add_column(name, no_wrap=not layout.stacked, overflow="fold", width=widths[i])
        else:
            table.add_column(name, overflow="fold", min_width=widths[i], ratio=1)
    for row in cells:
        table.add_row(*(Text(row[i]) for i in layout.shown))  # Text: values are data, never rich markup
    console.print(table)
    left_out = [name for i, name in enumerate(columns) if i not in layout.shown]
    if left_out:
        console.print(Text(f"({', '.join(left_out)} left out at this width: --json or a wider terminal shows it)"))
