"""The fuzz configuration, schemathesis.toml, shipped inside this package (so a wheel has it too).

It is passed to schemathesis explicitly (``--config-file``), never found by schemathesis' own search of the
current directory: its ``[auth]`` section needs environment variables only the runner and tests/contract set.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path
from typing import Any

FILENAME = "schemathesis.toml"


def path() -> Path:
    return Path(str(importlib.resources.files(__package__).joinpath(FILENAME)))


def settings() -> dict[str, Any]:
    """The configuration as data (the seed and case budget the runner states up front)."""
    with path().open("rb") as fh:
        return tomllib.load(fh)


def enabled_checks() -> list[str]:
    """The checks schemathesis.toml turns on (before the runner leaves any out live)."""
    checks = settings().get("checks", {})
    return sorted(name for name, options in checks.items() if isinstance(options, dict) and options.get("enabled"))
