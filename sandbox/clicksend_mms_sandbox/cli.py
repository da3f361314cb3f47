"""`clicksend-mms-sandbox`: serve the sandbox with uvicorn (127.0.0.1:8765 by default)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .server import uvicorn_config
from .settings import Settings, accounts_from_env, load_accounts_file, parse_account_spec

log = logging.getLogger("clicksend_mms_sandbox")


def build_parser() -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="clicksend-mms-sandbox",
        description="A local, stateful ClickSend MMS API (REST v3) for tests and development.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: local only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--db",
        default=os.environ.get("CLICKSEND_SANDBOX_DB", ":memory:"),
        help="SQLite file to persist state in (default: in memory, lost at exit)",
    )
    parser.add_argument("--accounts", metavar="FILE", help='JSON list of {"username", "api_key", "balance"?}')
    parser.add_argument(
        "--account", action="append", default=[], metavar="USER:KEY[:BALANCE]", help="add an account (repeatable)"
    )
    parser.add_argument("--send-delay", type=float, default=defaults.send_delay, help="seconds Queued -> Sent")
    parser.add_argument("--receipt-delay", type=float, default=defaults.receipt_delay, help="seconds Sent -> receipt")
    parser.add_argument("--rate-limit", type=int, default=defaults.rate_limit, help="requests per window; 0: off")
    parser.add_argument("--rate-window", type=int, default=defaults.rate_window, help="rate-limit window, seconds")
    parser.add_argument("--max-body", type=int, default=defaults.max_body_bytes, help="body size limit, bytes")
    parser.add_argument("--export-ttl", type=int, default=defaults.export_ttl, help="export link lifetime, seconds")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    access = parser.add_mutually_exclusive_group()
    access.add_argument(
        "--access-log", dest="access_log", action="store_true", help="log every request (off by default: it is slow)"
    )
    access.add_argument("--no-access-log", dest="access_log", action="store_false", help="no access log (default)")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    extra = accounts_from_env()
    if args.accounts:
        extra += load_accounts_file(args.accounts)
    extra += [parse_account_spec(spec) for spec in args.account]
    settings = Settings(
        db_path=args.db,
        send_delay=args.send_delay,
        receipt_delay=args.receipt_delay,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        max_body_bytes=args.max_body,
        export_ttl=args.export_ttl,
    )
    return settings.with_accounts(extra) if extra else settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except (OSError, ValueError, KeyError) as exc:
        parser.error(f"bad account configuration: {exc}")
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    # The spec, its compiled validators and the framework are long-lived: take them out of the collector's sight,
    # so full collections under load stay short (they otherwise walk all of it, a p99 spike each time).
    gc.collect()
    gc.freeze()
    # Usernames only: API keys never reach a log.
    log.info("accounts: %s", ", ".join(a.username for a in settings.accounts))
    log.info("state: %s", settings.db_path if settings.db_path != ":memory:" else "in memory (lost at exit)")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("binding %s: the sandbox is reachable from other machines", args.host)
    config = uvicorn_config(app, args.host, args.port, log_level=args.log_level, access_log=args.access_log)
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
