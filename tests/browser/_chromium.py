"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

No driver, no port, no browser download: Debian's `chromium` package and the standard library. Commands go to the
browser on its fd 3 and answers come back on its fd 4, one JSON message per NUL-terminated frame.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "CLICKSEND_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# How long a command or a wait may take before it counts as hung: rendering the reference in a browser that shares
# two busy cores with the tests can take many seconds, and a wait ends as soon as its condition holds anyway.
PATIENCE = 120.0
# Headless, as root, on a machine whose only network is loopback: no sandbox (root), no GPU, and none of the
# background connections (Google's update, sync and field-trial hosts) that would be refused and retried.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
_BROWSER_FD_IN, _BROWSER_FD_OUT = 3, 4


def find_chromium() -> str | None:
    """$CLICKSEND_CHROMIUM (a name on PATH or a path; None if it is not there), else the first Chromium on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return shutil.which(configured)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One browser process with a fresh profile; use as a context manager."""

    def __init__(self, executable: str, width: int = 1280, height: int = 900) -> None:
        self.executable = executable
        self.size = (width, height)
        self._ids = itertools.count(1)
        self._answers: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._profile = tempfile.TemporaryDirectory(prefix="clicksend-chromium-")
        self._log = Path(self._profile.name) / "chromium.log"
        self._closed = False
        self._closed_pipe = False

    # ---- process ----

    def __enter__(self) -> Chromium:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: the pipe ends become fds 3 and 4, where Chromium looks for them
            high_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_in, _BROWSER_FD_IN)
            os.dup2(high_out, _BROWSER_FD_OUT)

        profile = Path(self._profile.name) / "profile"
        args = [self.executable, *FLAGS, f"--user-data-dir={profile}", f"--window-size={self.size[0]},{self.size[1]}"]
        with self._log.open("wb") as log:
            self.process = subprocess.Popen(
                [*args, "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(_BROWSER_FD_IN, _BROWSER_FD_OUT),
                preexec_fn=wire_fds,  # runs before any thread of ours: the reader starts after the fork
            )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._reader = threading.Thread(target=self._read, name="chromium-cdp", daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BrowserError):  # already gone: nothing to close politely
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        self._reader.join(timeout=5)
        os.close(self._from_browser)
        self._profile.cleanup()

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # ---- protocol ----

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._changed:
                    self._closed_pipe = True
                    self._changed.notify_all()
                return
            buffer += chunk
            *frames, buffer = buffer.split(b"\0")
            with self._changed:
                for frame in frames:
                    message = json.loads(frame)
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self.events.append(message)
                self._changed.notify_all()

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = PATIENCE
    ) -> Any:
        """Send one command and wait for its answer's `result`."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except OSError as exc:
            raise BrowserError(f"{method}: the browser is gone ({exc}); its log:\n{self.log_tail()}") from exc
        deadline = time.monotonic() + timeout
        with self._changed:
            while message_id not in self._answers:
                if self._closed_pipe:
                    raise BrowserError(f"{method}: the browser closed the pipe; its log:\n{self.log_tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"{method}: no answer within {timeout} s")
                self._changed.wait(left)
            answer = self._answers.pop(message_id)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        return page


class Page:
    """One tab, attached through a flat session."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = PATIENCE) -> Any:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def events(self) -> list[dict[str, Any]]:
        with self.browser._changed:
            return [e for e in self.browser.events if e.get("sessionId") == self.session]

    def goto(self, url: str, timeout: float = PATIENCE) -> None:
        seen = len(self.events())
        answer = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if answer.get("errorText"):
            raise BrowserError(f"navigating to {url}: {answer['errorText']}")
        self.wait_until(
            lambda: any(e["method"] == "Page.loadEventFired" for e in self.events()[seen:]),
            timeout,
            f"the load event of {url}",
        )

    def evaluate(self, expression: str, timeout: float = PATIENCE) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        answer = self.send("Runtime.evaluate", params, timeout=timeout)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise BrowserError(f"{expression[:80]!r} threw: {details.get('exception', {}).get('description', details)}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float = PATIENCE) -> Any:
        """Poll until the expression is truthy; returns its value."""
        value: Any = None

        def ready() -> bool:
            nonlocal value
            value = self.evaluate(expression)
            return bool(value)

        self.wait_until(ready, timeout, expression)
        return value

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.1)  # timing-safe: the poll interval of a wait for a condition (bounded by `timeout`)

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def console_errors(self) -> list[str]:
        """Every error the page reported: console.error/assert, uncaught exceptions, failed loads (Log domain)."""
        errors: list[str] = []
        for event in self.events():
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(
                    "console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                )
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                errors.append("exception: " + str(details.get("exception", {}).get("description", details.get("text"))))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        return errors
