"""Cases judged per coverage-matrix row (matrix.py), counted in the schemathesis process as cases finish.

A case counts for a row when the row is present in it (the parameter or body field was sent, the response field
came back, the link was followed; the security scheme's and x-clicksend-rules' rows in every case their oracle
judged) and the row's
oracle judged the case.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import clicksend_mms_spec

from . import matrix
from .matrix import SECURITY, Row


@functools.cache
def _rows() -> tuple[dict[str, dict[tuple[str, str], str]], dict[str, list[str]]]:
    """(per operation: (kind, name) -> (row key, its oracle)), (security rows by their oracle)."""
    by_operation: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    security: dict[str, list[str]] = defaultdict(list)
    for row, claim in matrix.matrix(clicksend_mms_spec.load()):
        if claim is None or claim.oracle is None:
            continue
        if row.operation == SECURITY:
            security[claim.oracle].append(row.key)
        else:
            by_operation[row.operation][(row.kind, row.name)] = claim.oracle
    return dict(by_operation), dict(security)


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    """The field paths of a JSON value, arrays as `[]` (each path once; only the first few items are read)."""
    if isinstance(value, dict):
        for name, sub in value.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            yield path
            yield from _paths(sub, path)
    elif isinstance(value, list):
        seen: set[str] = set()
        for item in value[:3]:
            for path in _paths(item, prefix + "[]"):
                if path not in seen:
                    seen.add(path)
                    yield path


def present(case: Any, payload: bytes | None, status: int | None) -> set[tuple[str, str]]:
    """(kind, name) of every row the case shows."""
    found: set[tuple[str, str]] = set()
    found.update(("query", str(name)) for name in (case.query or {}))
    found.update(("path", str(name)) for name in (case.path_parameters or {}))
    body = case.body
    if isinstance(body, (dict, list)):
        found.update(("body", path) for path in _paths(body))
    if status is not None and 200 <= status < 300 and payload:
        try:
            answer = json.loads(payload)
        except ValueError:
            answer = None
        found.update(("response", path) for path in _paths(answer))
    return found


class RowCounter:
    def __init__(self) -> None:
        self.judged: Counter[str] = Counter()

    def add(self, operation: str, case: Any, payload: bytes | None, status: int | None, transition: str | None,
            judged_by: set[str]) -> None:  # fmt: skip
        by_operation, security = _rows()
        rows = by_operation.get(operation, {})
        for kind_name in present(case, payload, status):
            oracle = rows.get(kind_name)
            if oracle is not None and oracle in judged_by:
                self.judged[Row(operation, *kind_name).key] += 1
        for (kind, name), oracle in rows.items():  # a rule is judged in every case its oracle judged
            if kind == "rule" and oracle in judged_by:
                self.judged[Row(operation, kind, name).key] += 1
        if transition:  # a followed link is its source operation's row; the case is the link's target
            for source, source_rows in by_operation.items():
                for (kind, name), oracle in source_rows.items():
                    if kind == "link" and name in transition and oracle in judged_by:
                        self.judged[Row(source, kind, name).key] += 1
        for oracle, keys in security.items():
            if oracle in judged_by:
                self.judged.update(keys)

    def to_json(self) -> Mapping[str, int]:
        return dict(sorted(self.judged.items()))
