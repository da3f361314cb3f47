"""Contract suite setup: the fuzz hooks importable (until the wheel ships fuzz/), sandbox credentials for [auth]."""

import os
import sys
from pathlib import Path

_FUZZ_DIR = str(Path(__file__).resolve().parents[2] / "fuzz")
if _FUZZ_DIR not in sys.path:
    sys.path.insert(0, _FUZZ_DIR)

# schemathesis.toml reads Basic auth from these; the runner sets them for `make fuzz`, the suite uses the sandbox's
# (and its second account, for the isolation oracle).
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_USER", "sandbox")
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_KEY", "sandbox-key")
os.environ.setdefault("CLICKSEND_FUZZ_PEER_USER", "sandbox-peer")
os.environ.setdefault("CLICKSEND_FUZZ_PEER_KEY", "sandbox-peer-key")
