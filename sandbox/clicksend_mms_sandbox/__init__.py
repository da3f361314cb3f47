"""Local, stateful ClickSend MMS sandbox: `create_app()` for in-process use, `clicksend-mms-sandbox` to serve it,
`clicksend_mms_sandbox.testing` for accounts, ClickSend's test fixtures and a server on a free port."""

from .accounts import Account
from .app import DroppedConnection, SandboxState, create_app
from .settings import Settings

__all__ = ["Account", "DroppedConnection", "SandboxState", "Settings", "create_app"]
