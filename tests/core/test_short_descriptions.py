"""A description's first sentence is its short form (--help, docstrings, the SDK's errors): it must stand on its own,
ClickSend-neutral, naming no other layer (an operationId, this toolkit's SDK/CLI/sandbox). The rest of the text
is the reference's, which may say anything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from overrides.operation_inputs import short
from tests.helpers.spec import load_spec

_LAYER_WORDS = re.compile(r"\b(SDK|CLI|toolkit|sandbox|clicksend-mms|clicksend_mms)\b")


def _descriptions(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield where, value
            else:
                yield from _descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _descriptions(value, f"{where}/{index}")


def _inputs_descriptions(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Descriptions that become a short form: parameters' and request schemas' (every one the generator emits)."""
    yield from _descriptions(spec["components"]["parameters"], "parameters")
    yield from _descriptions(spec["components"]["schemas"], "schemas")
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for index, parameter in enumerate(operation.get("parameters", [])):
                if "description" in parameter:
                    yield f"{path} {method} parameter {index}", parameter["description"]


def offences(text: str, operation_ids: set[str]) -> list[str]:
    first = short(text)
    found = list(_LAYER_WORDS.findall(first))
    found += [name for name in operation_ids if f"`{name}`" in first]
    return found


OPERATION_IDS = {
    operation["operationId"]
    for item in load_spec()["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict)
}


def test_no_short_form_names_another_layer() -> None:
    bad = {where: offences(text, OPERATION_IDS) for where, text in _inputs_descriptions(load_spec())}
    assert {where: words for where, words in bad.items() if words} == {}


@pytest.mark.parametrize(
    "text",
    [
        "An http(s) URL (for other formats upload the file first with `upload_media`, which is `upload` in this "
        "toolkit's SDK and CLI). More.",
        "Use `send_mms` for this. More.",
    ],
)
def test_a_leaking_short_form_is_caught(text: str) -> None:
    assert offences(text, OPERATION_IDS)


def test_the_long_form_may_cross_reference() -> None:
    assert offences("A URL. Upload other formats first with `upload_media`.", OPERATION_IDS) == []
