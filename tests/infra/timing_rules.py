"""The two timing rules a test file can be checked for by reading it (docs/CONTRIBUTING.md, "A test that holds on a
busy machine"):

- no sleep without a stated reason: `time.sleep(...)` / `asyncio.sleep(...)` carries `# timing-safe: <why>` on its
  line (a sleep before looking at what another thread or process did is a race a busy machine loses: wait for the
  thing itself, tests/helpers/waiting.py);
- no upper bound on a clock: an `assert` may say a wait happened (`time.monotonic() - started >= 0.3`), never that
  something was fast (`... < 0.5`): a loaded machine makes everything slower. Timings belong in `make bench`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

MARKER = "# timing-safe:"
SLEEPS = {("time", "sleep"), ("asyncio", "sleep")}
CLOCKS = {("time", "monotonic"), ("time", "perf_counter"), ("time", "time"), ("time", "monotonic_ns")}
UPPER = (ast.Lt, ast.LtE)
LOWER = (ast.Gt, ast.GtE)


@dataclass(frozen=True)
class Violation:
    line: int
    rule: str


def _dotted(node: ast.expr) -> tuple[str, str] | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        return node.func.value.id, node.func.attr
    return None


def _reads_clock(node: ast.expr) -> bool:
    return any(_dotted(sub) in CLOCKS for sub in ast.walk(node) if isinstance(sub, ast.expr))


def _upper_bounds(test: ast.expr) -> Iterator[ast.Compare]:
    """Comparisons in an assert that put a clock reading below a limit (`clock < x`, `x > clock`)."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            if (isinstance(op, UPPER) and _reads_clock(left)) or (isinstance(op, LOWER) and _reads_clock(right)):
                yield node


def violations(source: str) -> list[Violation]:
    lines = source.splitlines()
    found: list[Violation] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _dotted(node) in SLEEPS and MARKER not in lines[node.lineno - 1]:
            found.append(Violation(node.lineno, f"a sleep without `{MARKER} <why>`: wait for the event instead"))
        if isinstance(node, ast.Assert):
            found += [Violation(c.lineno, "an upper bound on a clock: timings go in `make bench`") for c in
                      _upper_bounds(node.test)]  # fmt: skip
    return sorted(found, key=lambda v: v.line)
