"""The spec as the reference page renders it: the spec itself, plus two reading sections made from it.

- "Wire quirks": every schema marked `x-codec`, its wire variants (the `anyOf` arms), the fields that use it and
  the values the spec's own examples hold for it.
- "Sandbox": the test accounts and recipients, from `facts.sandbox_facts()`.

Both are Redoc trait tags (sections without operations); nothing here is a second copy of the spec: the tables
are computed from it on every build.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .facts import SandboxFacts

QUIRKS_TAG = "Wire quirks"
SANDBOX_TAG = "Sandbox"
_SCHEMA_REF = "#/components/schemas/"
_MAX_EXAMPLE_VALUES = 6


@dataclass
class Quirk:
    name: str
    codec: str
    schema: dict[str, Any]
    used_by: list[str] = field(default_factory=list)  # "Schema.property"
    seen: list[Any] = field(default_factory=list)  # distinct values in the spec's examples, in order found


def reference_spec(spec: dict[str, Any], facts: SandboxFacts) -> dict[str, Any]:
    """A copy of `spec` with the quirks and sandbox sections added as trait tags, grouped after the API's tags."""
    view = copy.deepcopy(spec)
    api_tags = _operation_tags(view)
    quirks = find_quirks(view)
    view["tags"] = [
        *view.get("tags", []),
        {"name": QUIRKS_TAG, "x-traitTag": True, "description": quirks_markdown(quirks)},
        {"name": SANDBOX_TAG, "x-traitTag": True, "description": sandbox_markdown(facts)},
    ]
    view["x-tagGroups"] = [
        {"name": "Operations", "tags": api_tags},
        {"name": "Reading the wire", "tags": [QUIRKS_TAG, SANDBOX_TAG]},
    ]
    return view


def _operations(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in spec.get("paths", {}).values():
        for key, op in item.items():
            if key in ("get", "put", "post", "delete", "patch") and isinstance(op, dict):
                yield op


def _operation_tags(spec: dict[str, Any]) -> list[str]:
    declared = [t["name"] for t in spec.get("tags", [])]
    used = [tag for op in _operations(spec) for tag in op.get("tags", [])]
    return [t for t in dict.fromkeys([*declared, *used]) if t in used]


# ---- wire quirks ----


def find_quirks(spec: dict[str, Any]) -> list[Quirk]:
    schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
    quirks = {name: Quirk(name, str(s["x-codec"]), s) for name, s in schemas.items() if "x-codec" in s}
    for owner, schema in schemas.items():
        for prop, sub in schema.get("properties", {}).items():
            target = _ref_name(sub)
            if target in quirks:
                quirks[target].used_by.append(f"{owner}.{prop}")
    for value, schema in _examples(spec):
        _collect(spec, schema, value, quirks, depth=0)
    return list(quirks.values())


def _ref_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.removeprefix(_SCHEMA_REF) if isinstance(ref, str) and ref.startswith(_SCHEMA_REF) else None


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _examples(spec: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(example value, its schema) for every request and response example of every operation."""
    for op in _operations(spec):
        bodies = [_resolve(spec, op.get("requestBody", {}))]
        bodies += [_resolve(spec, r) for r in op.get("responses", {}).values()]
        for body in bodies:
            for media in body.get("content", {}).values():
                for example in media.get("examples", {}).values():
                    yield _resolve(spec, example).get("value"), media.get("schema", {})
                if "example" in media:
                    yield media["example"], media.get("schema", {})


def _collect(spec: dict[str, Any], schema: Any, value: Any, quirks: dict[str, Quirk], depth: int) -> None:
    """Walk `value` along `schema`; a value that lands on a quirk schema is recorded as seen on the wire."""
    name = _ref_name(schema)
    if name in quirks:
        if value not in quirks[name].seen:
            quirks[name].seen.append(value)
        return
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict) or depth > 20:
        return
    for arm in [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        _collect(spec, arm, value, quirks, depth + 1)
    if isinstance(value, dict):
        for key, item in value.items():
            if key in schema.get("properties", {}):
                _collect(spec, schema["properties"][key], item, quirks, depth + 1)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _collect(spec, schema["items"], item, quirks, depth + 1)


def _variant(arm: dict[str, Any]) -> tuple[str, str]:
    """(JSON type, constraints) of one anyOf arm, as a reader scans them."""
    kind = str(arm.get("type", "any"))
    rules = []
    if "format" in arm:
        rules.append(f"format `{arm['format']}`")
    if "pattern" in arm:
        rules.append(f"pattern `{arm['pattern']}`")
    if arm.get("maxLength") == 0:
        rules.append('empty string `""` only')
    elif "maxLength" in arm:
        rules.append(f"at most {arm['maxLength']} characters")
    if "minLength" in arm:
        rules.append(f"at least {arm['minLength']} characters")
    if "minimum" in arm:
        rules.append(f"≥ {arm['minimum']}")
    return kind, ", ".join(rules)


def _varied(values: list[Any], limit: int = _MAX_EXAMPLE_VALUES) -> list[Any]:
    """Up to `limit` values, taking one of each JSON type in turn, so every wire shape the examples hold shows."""
    by_type: dict[str, list[Any]] = {}
    for value in values:
        by_type.setdefault(type(value).__name__, []).append(value)
    columns = list(by_type.values())
    picked = [column[i] for i in range(max(map(len, columns), default=0)) for column in columns if i < len(column)]
    return picked[:limit]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def quirks_markdown(quirks: list[Quirk]) -> str:
    lines = [
        'ClickSend writes some fields in more than one JSON shape: money as `"2.4200"` or `19.36`, counts as `1`',
        'or `"1.00"`, times as ints, strings or `""`. The spec names each such shape a schema marked `x-codec`;',
        "the generated Python client decodes every wire variant of it to one Python type. Each field that uses",
        "one shows `x-codec` in the operations above.",
        "",
    ]
    for quirk in quirks:
        lines += [f"## {quirk.name}", "", f"`x-codec: {quirk.codec}`", ""]
        description = str(quirk.schema.get("description", "")).strip()
        if description:
            lines += [description, ""]
        arms = quirk.schema.get("anyOf") or quirk.schema.get("oneOf") or [quirk.schema]
        lines += ["| Wire variant | JSON type | Constraints |", "|---|---|---|"]
        lines += [f"| {i} | `{kind}` | {_cell(rules)} |" for i, (kind, rules) in enumerate(map(_variant, arms), 1)]
        lines.append("")
        if quirk.seen:
            shown = ", ".join(f"`{_cell(json.dumps(v, ensure_ascii=False))}`" for v in _varied(quirk.seen))
            lines += [f"**In the spec's examples:** {shown}", ""]
        if quirk.used_by:
            lines += ["**Used by:** " + ", ".join(f"`{u}`" for u in quirk.used_by), ""]
    return "\n".join(lines)


# ---- sandbox ----


def sandbox_markdown(facts: SandboxFacts) -> str:
    lines = [
        "The local sandbox (`make sandbox`, the pytest plugin, `make fuzz`) answers every operation above as",
        "ClickSend does, with these accounts and recipients (read from the sandbox's own configuration).",
        "HTTP Basic with the username and API key; this page and `/openapi.json` need no credentials.",
        "",
        "## Test accounts",
        "",
        "| Username | Behaviour | Starting balance |",
        "|---|---|---|",
    ]
    lines += [f"| `{a.username}` | {_cell(a.behaviour)} | {a.balance} {facts.currency} |" for a in facts.accounts]
    by_key: dict[str, list[str]] = {}
    for account in facts.accounts:
        by_key.setdefault(account.api_key, []).append(f"`{account.username}`")
    lines += ["", "API keys (the password of HTTP Basic):", ""]
    lines += [f"- {', '.join(users)}: `{key}`" for key, users in by_key.items()]
    lines += [
        "",
        "## ClickSend's test recipients",
        "",
        "`SUCCESS`, price `0.0000`, parts `0`, never delivered, never a receipt, never charged (as ClickSend",
        "documents; the sandbox does the same): " + ", ".join(f"`{n}`" for n in facts.test_recipients) + ".",
        "",
        "## Magic recipients (sandbox only)",
        "",
        "A send that is otherwise valid has a fixed outcome for each of these numbers (any other number delivers):",
        "",
        "| Number | Outcome |",
        "|---|---|",
    ]
    lines += [f"| `{r.number}` | {_cell(r.outcome)} |" for r in facts.magic_recipients]
    return "\n".join(lines) + "\n"
