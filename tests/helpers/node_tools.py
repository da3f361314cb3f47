"""node_modules/ for the tests that run the pinned Node tools (Spectral, Prism, Redoc's package).

`make test` installs node_modules/ beside pytest instead of before it (npm ci took 23-28 s of a clean clone's run
before any test could start). A test that needs it asks make for it: the recipe takes a lock and looks again once
it holds it, so the asker waits for the install in progress and finds it done, and a standalone `pytest` installs
it itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.spec import ROOT

NODE_MODULES = ROOT / "node_modules"


def node_modules() -> Path:
    """node_modules/, installed from package-lock.json (fails the test, saying why, when npm is missing)."""
    if shutil.which("npm") is None:
        pytest.fail("npm (Node.js) is not installed: the spec lint and the Node tools need it (install nodejs/npm)")
    done = subprocess.run(
        ["make", "--no-print-directory", "node_modules/.installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard: npm ci from the registry took 23-28 s here
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"`make node_modules/.installed` failed:\n{done.stdout}{done.stderr}")
    return NODE_MODULES
