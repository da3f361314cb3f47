"""`clicksend-mms-sandbox` and `python -m clicksend_mms_sandbox`: serve the sandbox, or say which extra installs it.

Every install has the console script; the server stack (starlette, uvicorn, jsonschema, PyYAML) comes with the
``sandbox`` extra only. Importing the CLI here, late, turns its absence into one line instead of a traceback.
"""

from __future__ import annotations

import sys

from clicksend_mms_spec.distribution import pip_install

EXIT_CONFIG = 3  # the same code `clicksend-mms` uses for a configuration error


def main() -> int:
    try:
        from .cli import main as serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("clicksend_mms"):
            raise  # one of ours is missing: a broken install, not a missing extra
        print(
            f"clicksend-mms-sandbox needs the sandbox extra (no module {exc.name!r}): {pip_install('sandbox')}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    return serve()


if __name__ == "__main__":
    sys.exit(main())
