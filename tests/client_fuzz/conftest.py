"""Make `clicksend_mms_fuzz` importable before the wheel ships it (the lead adds fuzz/ to the packages)."""

import sys
from pathlib import Path

_FUZZ_DIR = str(Path(__file__).resolve().parents[2] / "fuzz")
if _FUZZ_DIR not in sys.path:
    sys.path.insert(0, _FUZZ_DIR)
