"""``--suggest``: the spec patch that would declare what the traffic showed, as a JSON merge patch (RFC 7396) in YAML.

Undeclared fields become properties of the schema that lacked them (a shared component is patched once),
undeclared query parameters become parameters, new values join the field's list (``x-extensible-enum`` or
``enum``), new HTTP statuses become responses. Types are inferred from what was seen; every addition carries a
description to be rewritten by a human. Schema violations and unknown codec variants are listed, not patched:
they need a decision (is ClickSend wrong, or the spec?) and, for a codec, a change in ``codecs.py`` too.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .findings import Category, Finding, Report, json_type
from .spec import Spec, resolve_pointer


def patched_document(report: Report, spec: Spec) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the spec with every declarable finding declared, what was declared, what needs a human)."""
    document = copy.deepcopy(spec.document)
    declared: list[str] = []
    manual: list[str] = []
    for finding in report.findings:
        line = f"{finding.category} {finding.field} ({finding.operation} {finding.where}): {_seen(finding)}"
        if _declare(document, finding):
            declared.append(line)
        else:
            manual.append(line + (f" — {finding.detail}" if finding.detail else ""))
    return document, declared, manual


def suggest(report: Report, spec: Spec) -> str:
    import yaml

    document, declared, manual = patched_document(report, spec)
    patch = merge_patch(spec.document, document)
    lines = [
        f"# Spec patch suggested by `clicksend-mms conformance` from {', '.join(report.files) or 'traffic'}.",
        "# A JSON merge patch (RFC 7396) in YAML: merge it into spec/clicksend-mms.yaml (lists are given whole),",
        "# rewrite each 'Seen on the wire' description, use an x-codec schema where a new field is a wire quirk,",
        "# then `make generate` and commit.",
    ]
    lines += ["#", "# Declares:" if declared else "# Nothing to declare."] + [f"#   + {line}" for line in declared]
    if manual:
        lines += ["#", "# Needs a decision (not patched):"] + [f"#   ! {line}" for line in manual]
    body = yaml.safe_dump(patch, sort_keys=False, allow_unicode=True, width=110) if patch else "{}\n"
    return "\n".join(lines) + "\n" + body


def merge_patch(old: Any, new: Any) -> Any:
    """The RFC 7396 patch that turns ``old`` into ``new`` (additions and changes only: nothing is removed)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: merge_patch(old[k], v) if k in old else v for k, v in new.items() if k not in old or old[k] != v}
    return new


def apply_merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def _declare(document: dict[str, Any], finding: Finding) -> bool:
    if finding.target is None:
        return False
    node = resolve_pointer(document, finding.target)
    if finding.category is Category.UNDECLARED_VALUE:
        if finding.field == "(HTTP status)" and isinstance(node, dict):
            response: dict[str, Any] = {"description": _description(finding)}
            if finding.example is not None:
                schema = infer_schema(finding.example, {json_type(finding.example)})
                response["content"] = {"application/json": {"schema": schema}}
            node.setdefault(str(finding.seen), response)
            return True
        if isinstance(node, list):
            if finding.seen not in node:
                node.append(finding.seen)
            return True
        return False
    if finding.category is not Category.UNDECLARED_FIELD or not isinstance(node, dict):
        return False
    name = finding.first_field.rsplit(".", 1)[-1]
    schema = infer_schema(finding.example, finding.types)
    schema["description"] = _description(finding)
    if finding.where == "request query":
        entry = {"name": name, "in": "query", "required": False, "description": schema.pop("description")}
        node.setdefault("parameters", []).append({**entry, "schema": schema})
        return True
    if finding.field == "(root)":
        return False
    node.setdefault("properties", {})[name] = schema
    return True


def infer_schema(example: Any, types: set[str]) -> dict[str, Any]:
    kinds = sorted(types - {"integer"} if {"integer", "number"} <= types else types) or [json_type(example)]
    schema: dict[str, Any] = {"type": kinds[0] if len(kinds) == 1 else kinds}
    if isinstance(example, dict):
        schema["properties"] = {key: infer_schema(value, {json_type(value)}) for key, value in example.items()}
    elif isinstance(example, list) and example:
        schema["items"] = infer_schema(example[0], {json_type(item) for item in example})
    return schema


def _description(finding: Finding) -> str:
    return f"Seen on the wire ({finding.count}x, first in {finding.first}): describe it."


def _seen(finding: Finding) -> str:
    seen = json.dumps(finding.seen, ensure_ascii=False) if not isinstance(finding.seen, str) else finding.seen
    return f"{seen} ({finding.count}x, first in {finding.first})"


__all__ = ["apply_merge_patch", "infer_schema", "merge_patch", "patched_document", "suggest"]
