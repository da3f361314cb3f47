"""`clicksend-mms-sandbox`: serve the sandbox with uvicorn (127.0.0.1:8765 by default)."""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import math
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import uvicorn

from .__main__ import EXIT_CONFIG
from .app import create_app
from .server import uvicorn_config
from .settings import (
    ENV_ADMIN_KEY,
    ENV_SEED,
    ConfigError,
    Settings,
    accounts_from_env,
    load_accounts_file,
    parse_account_spec,
    public_url,
)
from .store import DatabaseUnavailable
from .testing import API_BASE_PATH

log = logging.getLogger("clicksend_mms_sandbox")
N = TypeVar("N", int, float)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def build_parser(prog: str = "clicksend-mms-sandbox") -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local, stateful ClickSend MMS API (REST v3) for tests and development.",
        epilog=f"Exit codes: 0 stopped, 2 a malformed flag, {EXIT_CONFIG} a configuration it cannot use "
        "(--db, --accounts, --account, the port).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: local only)")
    parser.add_argument("--port", type=_number(int, 0, 65535), default=8765, help="0: any free port")
    parser.add_argument(
        "--db",
        default=os.environ.get("CLICKSEND_SANDBOX_DB", ":memory:"),
        help="SQLite file to persist state in (default: in memory, lost at exit)",
    )
    parser.add_argument("--accounts", metavar="FILE", help='JSON list of {"username", "api_key", "balance"?}')
    parser.add_argument(
        "--account", action="append", default=[], metavar="USER:KEY[:BALANCE]", help="add an account (repeatable)"
    )
    seconds, count = _number(float, 0.0), _number(int, 0)
    parser.add_argument("--send-delay", type=seconds, default=defaults.send_delay, help="seconds Queued -> Sent")
    parser.add_argument("--receipt-delay", type=seconds, default=defaults.receipt_delay, help="seconds Sent -> receipt")
    parser.add_argument("--rate-limit", type=count, default=defaults.rate_limit, help="requests per window; 0: off")
    parser.add_argument(
        "--rate-window", type=_number(int, 1), default=defaults.rate_window, help="rate-limit window, seconds"
    )
    parser.add_argument(
        "--max-body", type=_number(int, 1), default=defaults.max_body_bytes, help="body size limit, bytes"
    )
    parser.add_argument("--export-ttl", type=count, default=defaults.export_ttl, help="export link lifetime, seconds")
    parser.add_argument(
        "--admin-key",
        default=os.environ.get(ENV_ADMIN_KEY),
        help="the key (header X-Sandbox-Admin-Key) that whole-sandbox operations need: reset all, add accounts, move "
        f"the clock (env {ENV_ADMIN_KEY}). Without one: any account may run them on a loopback bind, nobody "
        "otherwise",
    )
    parser.add_argument(
        "--seed",
        type=_number(int, 0),
        default=os.environ.get(ENV_SEED) or None,  # a string default goes through `type` too
        help="derive the message ids, upload names and export tokens from this seed: the same requests get the same "
        f"ids (reproducible test runs; tokens become guessable). Default: random (env {ENV_SEED})",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="scheme://host[:port] clients reach the sandbox at; export and file links start with it "
        "(default: the bound address; never the request's Host header)",
    )
    parser.add_argument(
        "--header-timeout", type=_number(float, 0.1), default=defaults.header_timeout,
        help="seconds a client may take to send a request's headers",
    )  # fmt: skip
    parser.add_argument(
        "--body-timeout", type=_number(float, 0.1), default=defaults.body_timeout,
        help="seconds a client may take to send a request's body",
    )  # fmt: skip
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    access = parser.add_mutually_exclusive_group()
    access.add_argument(
        "--access-log", dest="access_log", action="store_true", help="log every request (off by default: it is slow)"
    )
    access.add_argument("--no-access-log", dest="access_log", action="store_false", help="no access log (default)")
    return parser


def _number(kind: Callable[[str], N], low: N, high: N | None = None) -> Callable[[str], N]:
    """An argparse type: `kind` within [low, high]; a usage error saying so otherwise."""

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if not (math.isfinite(value) and low <= value and (high is None or value <= high)):
            bounds = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({bounds})")
        return value

    return parse


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
        admin_key=args.admin_key or None,
        open_admin=args.host in LOOPBACK_HOSTS,
        public_url=public_url(args.public_url) if args.public_url else None,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        seed=args.seed,
    )
    return settings.with_accounts(extra) if extra else settings


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here rather than by uvicorn: a port in use is one line and the configuration
    exit code, not a server that starts and then logs a bind error."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise ConfigError(f"--host {host}: cannot listen there ({exc.strerror or exc})") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart need not wait
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        hint = "; another sandbox? choose another --port" if exc.errno == errno.EADDRINUSE else ""
        raise ConfigError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}{hint})") from None
    return sock


def origin(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"


def main(argv: Sequence[str] | None = None, prog: str = "clicksend-mms-sandbox") -> int:
    """``prog`` is the command the user typed, for usage and errors (``clicksend-mms sandbox`` from the SDK's CLI)."""
    args = build_parser(prog).parse_args(argv)
    try:
        return serve(args)
    except ConfigError as exc:
        return _refuse(str(exc))
    except DatabaseUnavailable as exc:
        return _refuse(f"--db: {exc}")


def serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    sock = listen(args.host, args.port)
    if settings.public_url is None:  # links point at the bound address (port 0 resolved), never at a Host header
        settings = replace(settings, public_url=origin(sock))
    app = create_app(settings)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    # The spec, its compiled validators and the framework are long-lived: take them out of the collector's sight,
    # so full collections under load stay short (they otherwise walk all of it, a p99 spike each time).
    gc.collect()
    gc.freeze()
    # Usernames only: API keys never reach a log.
    log.info("accounts: %s", ", ".join(a.username for a in settings.accounts))
    log.info("state: %s", settings.db_path if settings.db_path != ":memory:" else "in memory (lost at exit)")
    if args.host not in LOOPBACK_HOSTS:
        log.warning("binding %s: the sandbox is reachable from other machines", args.host)
        if settings.admin_key is None:
            log.warning("no --admin-key: nobody may reset all, add accounts or move the clock")
        if args.public_url is None:
            log.warning("links name %s: set --public-url to the address clients use", settings.public_url)
    where = origin(sock)
    log.info("ClickSend MMS API at %s%s, its reference at %s/docs (Ctrl+C to stop)", where, API_BASE_PATH, where)
    config = uvicorn_config(app, args.host, args.port, log_level=args.log_level, access_log=args.access_log)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _refuse(message: str) -> int:
    print(f"clicksend-mms-sandbox: error: {message}", file=sys.stderr)
    return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
