"""A digest of the cases a run generated, per phase: what "same seed, same cases" is checked against.

Taken in before_call before the run's own rewrites, which put wall-clock values into a case (a send's schedule moved
into the future, receipts-read's date_before from the receipts' times): those differ between runs by design. What
the seed decides (method, path, path parameters, query, body, in order) is hashed; two runs of one seed must agree.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_digests: dict[str, Any] = {}
_counts: dict[str, int] = {}


def record(case: Any, phase: str) -> None:
    fields = [case.method, case.path, case.path_parameters, case.query, case.body]
    text = json.dumps(fields, sort_keys=True, default=_stable, ensure_ascii=True)
    if phase not in _digests:
        _digests[phase] = hashlib.sha256()
        _counts[phase] = 0
    _digests[phase].update(text.encode("utf-8") + b"\n")
    _counts[phase] += 1


def _stable(value: Any) -> str:
    """What JSON cannot hold, without what differs between processes (an object's address: `NotSet at 0x...`)."""
    if isinstance(value, bytes | bytearray):
        return value.hex()
    text = repr(value)
    return type(value).__name__ if " at 0x" in text else text


def summary() -> dict[str, dict[str, Any]]:
    """{phase: {"cases": n, "sha256": hex}}, in the order the phases ran."""
    return {phase: {"cases": _counts[phase], "sha256": digest.hexdigest()} for phase, digest in _digests.items()}
