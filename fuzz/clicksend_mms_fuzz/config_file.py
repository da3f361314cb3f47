"""The fuzz configuration, schemathesis.toml, shipped inside this package (so a wheel has it too).

It is passed to schemathesis explicitly (``--config-file``), never found by schemathesis' own search of the
current directory: its ``[auth]`` section needs environment variables only the runner and tests/contract set.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

FILENAME = "schemathesis.toml"


def path() -> Path:
    return Path(str(importlib.resources.files(__package__).joinpath(FILENAME)))
