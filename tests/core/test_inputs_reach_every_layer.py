"""Every parameter and body field of the spec reaches every layer (tests/core/_layers.py says how each is probed)."""

from __future__ import annotations

from typing import Any

import clicksend_mms_spec
import pytest
from clicksend_mms import _ops

from tests.core import _layers


def test_every_input_reaches_every_layer() -> None:
    found = _layers.failures(clicksend_mms_spec.path())
    assert len(found) >= 20, f"too few inputs found in the spec: {sorted(found)}"
    missing = {name: layers for name, layers in found.items() if layers}
    print(f"layers: {', '.join(_layers.LAYERS)}; left out on purpose: {_layers.EXEMPT}")
    assert missing == {}, f"inputs that do not reach a layer: {missing}"


def test_a_facade_that_forgets_body_fields_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """The planted bug: the facades drop the optional body fields (as a hand-written signature would)."""
    real = _ops._split

    def forgetful(operation_id: str, options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return real(operation_id, options)[0], {}

    monkeypatch.setattr(_ops, "_split", forgetful)
    found = _layers.failures(clicksend_mms_spec.path())
    missing = found["mark_mms_receipts_read.date_before"]
    layers = [line.split(":")[0] for line in missing]
    assert layers == ["ClickSend", "AsyncClickSend", "CLI", "SDK input check"], missing
