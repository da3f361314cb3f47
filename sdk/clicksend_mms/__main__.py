"""`clicksend-mms` and `python -m clicksend_mms`: the command line, or which extra installs it.

The command line (cli.py) needs typer and rich, which only the ``cli`` extra installs, while every install has
the console script. Importing cli.py here, late, lets a plain install say what to install instead of ending in
a traceback (as httpx does for ``httpx[cli]``).
"""

from __future__ import annotations

import sys

from . import exit_codes

CLI_MODULES = frozenset({"typer", "rich", "click", "orjson"})  # what cli.py imports from the [cli] extra


def main() -> None:
    try:
        from .cli import app
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in CLI_MODULES:
            raise
        from clicksend_mms_spec.distribution import pip_install

        print(f"clicksend-mms: the command line needs the cli extra: {pip_install('cli')}", file=sys.stderr)
        raise SystemExit(exit_codes.CONFIG) from None
    app()


if __name__ == "__main__":
    main()
