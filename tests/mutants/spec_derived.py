"""Mutants generated mechanically from the coverage matrix (clicksend_mms_fuzz.matrix), on top of catalog.py's.

For every response row whose oracle judges the field's *value* (not only its schema), each place the sandbox's
wire module writes that field becomes one mutant: the value written is off by one (a number + 1, a string with a
character appended; null stays null), i.e. a server that does not store or echo the field as it was given. The
patch is found in the sandbox's source, not written by hand, so a renamed field or a moved line makes the catalog
(and `make mutants`) fail loudly rather than shrink silently.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import clicksend_mms_spec
from clicksend_mms_fuzz import matrix

from .catalog import Mutant, Patch

WIRE = "wire.py"
# The oracles that judge a response field's value against the model; a row judged by its schema alone gets no
# value mutant (the schema holds for any off-by-one value).
VALUE_ORACLES = frozenset({"records_match_sends", "send_is_recorded", "price_matches_send", "paginator_arithmetic"})
# A self-contained wrong value of the same type (no import, so the patch is one expression).
_OFF = '(lambda v: v + 1 if type(v) is int else (v + "1" if isinstance(v, str) and v else v))({})'
_LINE = re.compile(r'^(?P<indent>\s*)"(?P<name>[A-Za-z_]+)": (?P<expr>.+),\n$')


PAGE_ORACLE = "paginator_arithmetic"


def _judged_fields(page: bool) -> dict[str, list[tuple[str, str]]]:
    """Leaf field name -> (row key, oracle) of the matrix rows whose value an oracle judges: the page's fields
    (`page`) or the records' and messages' (the same leaf, e.g. `to`, means different things in each)."""
    fields: dict[str, list[tuple[str, str]]] = {}
    for row, claim in matrix.matrix(clicksend_mms_spec.load()):
        if row.kind != "response" or claim is None or claim.oracle not in VALUE_ORACLES:
            continue
        if (claim.oracle == PAGE_ORACLE) != page or row.name.endswith(".data"):
            continue  # (`data`: the page's rows, a list; off by one means nothing for it)
        fields.setdefault(row.name.rsplit(".", 1)[-1], []).append((row.key, claim.oracle))
    return fields


def _unique_context(lines: list[str], index: int) -> str:
    """The line, with as many lines before it as make the text occur once in the file."""
    text = "".join(lines)
    for start in range(index, -1, -1):
        old = "".join(lines[start : index + 1])
        if text.count(old) == 1:
            return old
    raise ValueError(f"no unique context for line {index + 1}")


@functools.cache
def mutants(source: Path | None = None) -> tuple[Mutant, ...]:
    from .harness import sandbox_source

    path = (source or sandbox_source()) / WIRE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    by_kind = {True: _judged_fields(page=True), False: _judged_fields(page=False)}
    found: list[Mutant] = []
    in_page = False
    for index, line in enumerate(lines):
        if line.startswith("def "):
            in_page = "page" in line  # the function that renders a paginated answer
        match = _LINE.match(line)
        fields = by_kind[in_page]
        if match is None or match["name"] not in fields or match["expr"] in ("None", '""', "''"):
            continue
        name, expr = match["name"], match["expr"]
        old = _unique_context(lines, index)
        new = old[: len(old) - len(line)] + f'{match["indent"]}"{name}": {_OFF.format(expr)},\n'
        rows = [key for key, _ in fields[name]]
        shown = ", ".join(rows[:2]) + ("..." if len(rows) > 2 else "")
        found.append(
            Mutant(
                f"spec-{name}-off-line{index + 1}",
                "spec",
                f"{WIRE}:{index + 1} writes {name} off by one (rows: {shown})",
                tuple(sorted({oracle for _, oracle in fields[name]})),
                (Patch(WIRE, old, new),),
            )
        )
    return tuple(found)


# Where the sandbox reads a query parameter: `params.get("name")` or `params.get("name", default)`.
_PARAM_READ = re.compile(r'params\.get\("(?P<name>[A-Za-z_]+)"(?:, (?P<default>[^()]+))?\)')
PARAM_FILES = ("rules.py", "handlers.py")


def _judged_parameters() -> dict[str, list[tuple[str, str]]]:
    """Query parameter name -> (row key, oracle) of the rows an oracle judges by value."""
    found: dict[str, list[tuple[str, str]]] = {}
    for row, claim in matrix.matrix(clicksend_mms_spec.load()):
        if row.kind == "query" and matrix.floored(claim) and claim is not None and claim.oracle is not None:
            found.setdefault(row.name, []).append((row.key, claim.oracle))
    return found


@functools.cache
def parameter_mutants(source: Path | None = None) -> tuple[Mutant, ...]:
    """One mutant per place the sandbox reads a judged query parameter: the parameter ignored (its default, or
    None, instead of what the request said). Named `spec-ignores-<name>` (`-2`, `-3` for later reads)."""
    from .harness import sandbox_source

    parameters = _judged_parameters()
    seen: dict[str, int] = {}
    found: list[Mutant] = []
    for file in PARAM_FILES:
        lines = ((source or sandbox_source()) / file).read_text(encoding="utf-8").splitlines(keepends=True)
        for index, line in enumerate(lines):
            for match in _PARAM_READ.finditer(line):
                name = match["name"]
                if name not in parameters:
                    continue
                seen[name] = seen.get(name, 0) + 1
                old = _unique_context(lines, index)
                changed = line[: match.start()] + (match["default"] or "None") + line[match.end() :]
                new = old[: len(old) - len(line)] + changed
                suffix = "" if seen[name] == 1 else f"-{seen[name]}"
                found.append(
                    Mutant(
                        f"spec-ignores-{name}{suffix}",
                        "spec",
                        f"{file}:{index + 1} ignores the query parameter {name} (rows: "
                        + ", ".join(key for key, _ in parameters[name])
                        + ")",
                        tuple(sorted({oracle for _, oracle in parameters[name]})),
                        (Patch(file, old, new),),
                    )
                )
    return tuple(found)
