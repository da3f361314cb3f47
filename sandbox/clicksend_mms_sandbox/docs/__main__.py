"""`python -m clicksend_mms_sandbox.docs [OUT]` (`make docs`): build the API reference into a static folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..spec import load_spec
from .site import build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clicksend_mms_sandbox.docs", description=__doc__)
    parser.add_argument(
        "out", nargs="?", default="build/docs", type=Path, help="folder to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    index = build_site(args.out, load_spec())
    print(f"API reference: {index} (open it in a browser; `make sandbox` also serves it at /docs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
