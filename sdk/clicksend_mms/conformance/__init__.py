"""Check recorded traffic (HAR) against the spec: ``clicksend-mms conformance FILE...``, or from Python:

    from clicksend_mms.conformance import check
    report = check(["traffic.har"])
    report.exit_code(strict=False)   # 0 clean, 1 violations, 12 nothing checked (no entry is a spec operation)

Each entry is matched to a spec operation by method and path (absolute or relative URL, with or without the
server's ``/v3``), and its request and response are sorted into four categories (findings.Category):
schema violations, undeclared fields, wire variants no codec knows, undeclared values (HTTP status,
``response_code``, per-message ``status``). ``suggest`` (suggest.py) writes the spec patch that would
declare what was seen.

Needs PyYAML and jsonschema; the client's own import path never loads this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .check import Checker
from .findings import Category, Finding, Report
from .har import Exchange, HarError, UnreadableHarError, read_har
from .spec import Spec, SpecError, default_spec, load_document


def check(files: Iterable[str | os.PathLike[str]], spec: Spec | Path | None = None) -> Report:
    """Read every HAR file (HarError names a bad one) and check its entries against ``spec``."""
    resolved = _spec(spec)
    paths = [Path(f) for f in files]
    exchanges = [read_har(path) for path in paths]  # read all first: a bad file fails before any output
    report = Report(files=[str(p) for p in paths])
    checker = Checker(resolved)
    for batch in exchanges:
        checker.check(batch, report)
    return report


def check_exchanges(exchanges: Iterable[Exchange], spec: Spec | Path | None = None) -> Report:
    report = Report()
    Checker(_spec(spec)).check(exchanges, report)
    return report


def _spec(spec: Spec | Path | None) -> Spec:
    if isinstance(spec, Spec):
        return spec
    return default_spec() if spec is None else Spec(load_document(spec))


__all__ = [
    "Category",
    "Exchange",
    "Finding",
    "HarError",
    "Report",
    "Spec",
    "SpecError",
    "UnreadableHarError",
    "check",
    "check_exchanges",
]
