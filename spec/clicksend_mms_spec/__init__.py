"""The ClickSend MMS contract, spec/clicksend-mms.yaml, found the same way in a checkout and in an installed wheel.

A top-level package of its own (not part of ``clicksend_mms``): importing anything under ``clicksend_mms`` runs
the SDK's ``__init__`` (facade, retries, ...), which the sandbox and the fuzzer must not depend on. It needs
nothing beyond the standard library until ``load()`` is called, which needs PyYAML (the ``sandbox`` extra).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

FILENAME = "clicksend-mms.yaml"


def path() -> Path:
    """The spec file: the copy packaged beside this module in a wheel, else spec/clicksend-mms.yaml in a checkout."""
    packaged = importlib.resources.files(__name__).joinpath(FILENAME)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / FILENAME
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"{FILENAME} is neither packaged with {__name__} nor at {checkout}")


def load() -> dict[str, Any]:
    """The spec parsed into a fresh dict on every call (callers cache it and may not share one mutable copy)."""
    try:
        import yaml  # lazily: the client alone never reads the spec, and PyYAML is not among its dependencies
    except ImportError as exc:
        from .distribution import pip_install

        raise ImportError(f"reading the spec needs PyYAML: {pip_install('sandbox')}") from exc
    # libyaml's loader where PyYAML has it: about 9x faster than the pure-Python one on this spec.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path().open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=loader)  # a safe loader: plain data only
    return spec
