"""Local, stateful ClickSend MMS sandbox: `create_app()` for in-process use, `clicksend-mms-sandbox` to serve it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import Account, Settings

if TYPE_CHECKING:
    from .app import DroppedConnection, SandboxState, create_app

__all__ = ["Account", "DroppedConnection", "SandboxState", "Settings", "create_app"]
_FROM_APP = frozenset({"DroppedConnection", "SandboxState", "create_app"})


def __getattr__(name: str) -> Any:
    # The app (starlette, jsonschema, ...) loads on first use, not at import: the pytest plugin, which every install
    # registers, imports this package, and a plain `pip install clicksend-mms` has only the client's dependencies.
    if name in _FROM_APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
