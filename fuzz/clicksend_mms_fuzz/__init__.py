"""Contract fuzzing for clicksend-mms: `python -m clicksend_mms_fuzz` (what `make fuzz` runs).

Modules:
- ``formats``  hypothesis strategies for the spec's custom string formats (ClickSend-looking values);
- ``hooks``    the schemathesis hooks module named in schemathesis.toml (formats, spend guard, custom checks,
               the statistics handler);
- ``checks``   custom checks no built-in covers (pagination disjointness, cancel finality);
- ``guard``    the live-mode spend guard (free operations and test recipients only, unless opted in);
- ``plan``     what a run will do, decided from the environment and stated up front;
- ``target``   starting the embedded sandbox on a free 127.0.0.1 port;
- ``stats``    per-operation / per-check counters collected during the run, and the summary printed after it.
"""

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

# ClickSend's documented test recipients: a send to them succeeds, is never delivered and costs nothing. One list,
# read from the spec (x-clicksend-testing), for the spec's docs, the sandbox and the live spend guard.
__all__ = ["TEST_RECIPIENTS"]
