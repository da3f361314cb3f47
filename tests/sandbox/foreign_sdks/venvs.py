"""ClickSend's official Python SDKs, each in a venv of its own, built on first use and then reused.

Both versions are the one distribution `clicksend-client` (6.x imports as `clicksend`, 5.x as `clicksend_client`
plus a stray top-level `test` package), so one environment cannot hold both, and neither belongs in the project's
own. Each venv comes from an exact pin list (clicksend-client-<version>.txt beside this file) installed with
`--no-deps` by this interpreter's pip (`pip --python`, so the venv needs no pip of its own): nothing is resolved and
nothing unpinned is fetched. Cost on a fresh machine: about 5-7 s per SDK (two small downloads from PyPI: the SDK and
pydantic-core for 6.x); after that, a stamp check. Used by the foreign-SDK tests and by `make bench`.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SDK6 = "6.0.2"  # ClickSend's current SDK
SDK5 = "5.0.91"  # the legacy SDK, still the one ClickSend's MMS docs link


class SdkUnavailable(RuntimeError):
    """The venv could not be built (no network to PyPI, a pin that no longer installs...)."""


def pins(version: str) -> Path:
    return HERE / f"clicksend-client-{version}.txt"


def ensure_venv(version: str, timeout: float = 300.0) -> Path:
    """The interpreter of a venv holding clicksend-client==`version` and its pinned dependencies."""
    wanted = pins(version).read_text(encoding="utf-8")
    venv = CACHE / f"clicksend-client-{version}"
    python, stamp = venv / "bin" / "python", venv / ".installed"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers or a bench run may ask at once: build it once
        if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
            return python
        steps = [
            [sys.executable, "-m", "venv", "--clear", "--without-pip", str(venv)],
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check",
             "--no-input", "--no-deps", "-r", str(pins(version))],
        ]  # fmt: skip
        for argv in steps:
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise SdkUnavailable(f"{' '.join(argv[:4])} took over {timeout:.0f} s") from None
            if done.returncode != 0:
                raise SdkUnavailable(f"building the clicksend-client {version} venv failed: {done.stderr[-800:]}")
        stamp.write_text(wanted, encoding="utf-8")
        return python
