"""Contract suite setup: sandbox credentials for the fuzz config's [auth] section."""

import os

# schemathesis.toml reads Basic auth from these; the runner sets them for `make fuzz`, the suite uses the sandbox's.
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_USER", "sandbox")
os.environ.setdefault("CLICKSEND_FUZZ_AUTH_KEY", "sandbox-key")
