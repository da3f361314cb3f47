"""Contract suite setup: the fuzz hooks importable (until the wheel ships fuzz/), sandbox credentials for [auth]."""

import os
import sys
from pathlib import Path

from clicksend_mms_sandbox.testing import DEFAULT

_FUZZ_DIR = str(Path(__file__).resolve().parents[2] / "fuzz")
if _FUZZ_DIR not in sys.path:
    sys.path.insert(0, _FUZZ_DIR)

# schemathesis.toml reads Basic auth from these; the runner sets them for `make fuzz`, the suite uses the sandbox's.
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_USER", DEFAULT.username)
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_KEY", DEFAULT.api_key)
