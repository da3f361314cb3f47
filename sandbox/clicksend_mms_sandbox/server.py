"""Serve the app with uvicorn: in the foreground (the CLI) or in a background thread on a free port (in-process tests
that need a real socket and the app's state at hand; testing.serve() runs a separate process instead)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette

from .settings import Settings
from .testing import API_BASE_PATH, free_port
from .timeouts import protocol_with_header_timeout


def uvicorn_config(app: Starlette, host: str, port: int, **kwargs: Any) -> uvicorn.Config:
    # httptools (with a header timeout: timeouts.py) + uvloop: the fast extras of uvicorn[standard]; lifespan off
    # (the app needs no start-up hook).
    # None: another app on the same server (the bench's floor), or the sandbox inside a middleware without `state`
    sandbox = getattr(getattr(app, "state", None), "sandbox", None)
    http = protocol_with_header_timeout((sandbox.settings if sandbox else Settings()).header_timeout)
    options: dict[str, Any] = {"http": http, "loop": "uvloop", "lifespan": "off", "log_level": "warning"}
    options.update(kwargs)
    return uvicorn.Config(app, host=host, port=port, **options)


class ServerThread:
    """A real uvicorn server on 127.0.0.1 in a daemon thread; `url` once started, `stop()` at the end."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        self.server = uvicorn.Server(uvicorn_config(app, host, self.port, access_log=False))
        self._thread = threading.Thread(target=self.server.run, name="clicksend-mms-sandbox", daemon=True)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL to configure a ClickSend client with (its /v3, as for https://rest.clicksend.com/v3)."""
        return self.origin + API_BASE_PATH

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
