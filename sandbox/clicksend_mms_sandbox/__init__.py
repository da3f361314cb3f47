"""Local, stateful ClickSend MMS sandbox: `create_app()` for in-process use, `clicksend-mms-sandbox` to serve it."""

from .app import DroppedConnection, SandboxState, create_app
from .settings import Account, Settings

__all__ = ["Account", "DroppedConnection", "SandboxState", "Settings", "create_app"]
