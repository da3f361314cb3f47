"""Contract suite setup: sandbox credentials for the fuzz config's [auth] section."""

import os

from clicksend_mms_sandbox.testing import DEFAULT

# schemathesis.toml reads Basic auth from these; the runner sets them for `make fuzz`, the suite uses the sandbox's.
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_USER", DEFAULT.username)
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_KEY", DEFAULT.api_key)
