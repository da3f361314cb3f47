"""Local, stateful ClickSend MMS sandbox: `create_app()` for in-process use, `clicksend-mms-sandbox` to serve it,
`clicksend_mms_sandbox.testing` for accounts, ClickSend's test fixtures and a server on a free port."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accounts import Account
    from .app import DroppedConnection, SandboxState, create_app
    from .settings import Settings

__all__ = ["Account", "DroppedConnection", "SandboxState", "Settings", "create_app"]
_HOME = {
    "Account": "accounts",
    "DroppedConnection": "app",
    "SandboxState": "app",
    "Settings": "settings",
    "create_app": "app",
}


def __getattr__(name: str) -> Any:
    # Everything loads on first use, not at import: the pytest plugin, which every install registers, imports this
    # package, and a plain `pip install clicksend-mms` has none of the sandbox's dependencies (starlette, jsonschema,
    # PyYAML for the spec that settings and testing read).
    if name in _HOME:
        return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
