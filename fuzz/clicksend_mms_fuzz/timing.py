"""Where a run's time goes, measured in the schemathesis process: each generated case's request (from
`before_call` to `after_call`: the HTTP round trip and the sandbox's work), the requests checks send themselves
(`probes.Api.send`), and the hooks' own work. The rest of the phases' time is schemathesis: generating cases and
running the checks. The summary prints the split (`fuzz-stats.json` `timing`)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

_LOCK = threading.Lock()
SECONDS: defaultdict[str, float] = defaultdict(float)
STARTED = time.monotonic()


def add(kind: str, seconds: float) -> None:
    with _LOCK:
        SECONDS[kind] += seconds


def snapshot() -> dict[str, float]:
    with _LOCK:
        found: dict[str, float] = {kind: round(value, 2) for kind, value in SECONDS.items()}
    found["process"] = round(time.monotonic() - STARTED, 2)
    return found
