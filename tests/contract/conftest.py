"""Contract suite setup: sandbox credentials for the fuzz config's [auth] section and the isolation oracle."""

import os

from clicksend_mms_sandbox.testing import DEFAULT, SECOND

# schemathesis.toml reads Basic auth from these; the runner sets them for `make fuzz`, the suite uses the sandbox's
# (and its second account, which the isolation oracle replays with).
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_USER", DEFAULT.username)
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_KEY", DEFAULT.api_key)
os.environ.setdefault("CLICKSEND_FUZZ_PEER_USER", SECOND.username)
os.environ.setdefault("CLICKSEND_FUZZ_PEER_KEY", SECOND.api_key)
