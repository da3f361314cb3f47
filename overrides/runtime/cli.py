"""``clicksend-mms``: the command line (typer + rich) over the ``ClickSend`` facade.

Credentials: --username/--api-key, or CLICKSEND_USERNAME / CLICKSEND_API_KEY; base URL: --base-url or
CLICKSEND_BASE_URL. ``--sandbox`` points at the local sandbox (http://127.0.0.1:8765, account sandbox /
sandbox-key) unless those are given. ``--json`` prints machine-readable output (errors as JSON on stderr).

Exit codes (user mistakes and API errors never print a traceback):

| code | meaning                                                        |
|------|----------------------------------------------------------------|
| 0    | success                                                        |
| 1    | other API error (unexpected status or undecodable answer)      |
| 2    | usage error (bad option or argument; from click)               |
| 3    | configuration error (no credentials, bad base URL)             |
| 4    | authentication failed or forbidden (401 / 403)                 |
| 5    | not found (404)                                                |
| 6    | validation error (400 / 413)                                   |
| 7    | rate limited (429, after retries)                              |
| 8    | server error (5xx, after retries)                              |
| 9    | could not reach the API (connection refused, timeout, dropped) |
| 10   | send/price succeeded but some messages were rejected           |
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import httpx
import stamina
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from . import config
from .conformance_cli import conformance
from .exceptions import (
    AuthenticationError,
    ClickSendError,
    ConfigurationError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from .facade import ClickSend
from .models import MmsMessageInput, MmsMessageRecord, MmsReceipt, SendMmsData
from .results import rejected
from .retry import RetryPolicy
from .types import UNSET

T = TypeVar("T")

EXIT_API, EXIT_CONFIG, EXIT_AUTH, EXIT_NOT_FOUND, EXIT_VALIDATION = 1, 3, 4, 5, 6
EXIT_RATE_LIMITED, EXIT_SERVER, EXIT_TRANSPORT, EXIT_REJECTED = 7, 8, 9, 10
_EXIT_BY_ERROR: tuple[tuple[type[ClickSendError], int], ...] = (
    (ConfigurationError, EXIT_CONFIG),
    (AuthenticationError, EXIT_AUTH),
    (ForbiddenError, EXIT_AUTH),
    (NotFoundError, EXIT_NOT_FOUND),
    (ValidationError, EXIT_VALIDATION),
    (RateLimitedError, EXIT_RATE_LIMITED),
    (ServerError, EXIT_SERVER),
    (TransportError, EXIT_TRANSPORT),
)

app = typer.Typer(
    name="clicksend-mms",
    help="Send and track ClickSend MMS from the command line (try --sandbox against the local sandbox).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


@dataclasses.dataclass
class Options:
    """Global options; tests pass one as CliRunner's ``obj`` to inject an in-process ``transport``."""

    username: str | None = None
    api_key: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    as_json: bool = False
    transport: httpx.BaseTransport | None = None
    retry: RetryPolicy | None = None
    record: Path | None = None

    def client(self) -> ClickSend:
        return ClickSend(
            self.username,
            self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            transport=self.transport,
            retry=self.retry,
            record=self.record,
        )


def _opts(ctx: typer.Context) -> Options:
    assert isinstance(ctx.obj, Options)
    return ctx.obj


@app.callback()
def main(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Option(envvar=config.ENV_USERNAME, help="ClickSend username.")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar=config.ENV_API_KEY, help="ClickSend API key.", show_default=False)
    ] = None,
    base_url: Annotated[str | None, typer.Option(envvar=config.ENV_BASE_URL, help="API base URL.")] = None,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help=f"Use the local sandbox ({config.SANDBOX_BASE_URL}).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
    timeout: Annotated[float | None, typer.Option(help="Request timeout in seconds.")] = None,
    record: Annotated[
        Path | None, typer.Option("--record", metavar="FILE", help="Record the exchanges as HAR (key redacted).")
    ] = None,
) -> None:
    opts = ctx.obj if isinstance(ctx.obj, Options) else Options()
    opts.record = record or opts.record
    if sandbox:
        # --sandbox beats CLICKSEND_* from the environment (likely a live account), not explicit options.
        def given(name: str) -> bool:
            source = ctx.get_parameter_source(name)
            return source is not None and source.name == "COMMANDLINE"

        base_url = base_url if given("base_url") else config.SANDBOX_BASE_URL
        username = username if given("username") else config.SANDBOX_USERNAME
        api_key = api_key if given("api_key") else config.SANDBOX_API_KEY
    opts.username, opts.api_key, opts.base_url = username, api_key, base_url
    opts.as_json, opts.timeout = as_json, timeout
    ctx.obj = opts
    # Say what is being retried in human mode; keep stderr pure JSON with --json.
    stamina.instrumentation.set_on_retry_hooks([] if as_json else [_say_retry])


def _say_retry(details: stamina.instrumentation.RetryDetails) -> None:
    err.print(f"[dim]retry {details.retry_num} in {details.wait_for:.1f}s: {details.caused_by}[/]", highlight=False)


# -- output & errors ------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=_jsonable))


def _fail(opts: Options, exc: ClickSendError) -> NoReturn:
    code = next((c for cls, c in _EXIT_BY_ERROR if isinstance(exc, cls)), EXIT_API)
    if opts.as_json:
        payload = {
            "error": type(exc).__name__,
            "message": str(exc),
            "http_code": exc.http_code,
            "response_code": exc.response_code,
            "response_msg": exc.response_msg,
            "data": exc.data,
            "exit_code": code,
        }
        print(json.dumps(payload, default=_jsonable), file=sys.stderr)
    else:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        if isinstance(exc, ValidationError) and exc.data:
            err.print(exc.data)
        if isinstance(exc, ConfigurationError):
            err.print("hint: --sandbox talks to the local sandbox with its default account")
    raise typer.Exit(code)


def _run(ctx: typer.Context, action: Callable[[ClickSend], T]) -> T:
    opts = _opts(ctx)
    try:
        with opts.client() as client:
            return action(client)
    except ClickSendError as exc:
        _fail(opts, exc)


def _fmt(value: object) -> str:
    if value is None or value is UNSET:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _table(title: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, no_wrap=column == "message_id")  # ids are copied into other commands
    for row in rows:
        table.add_row(*(_fmt(v) for v in row))
    out.print(table)


# -- sending --------------------------------------------------------------------------------------------

ToOpt = Annotated[list[str], typer.Option("--to", help="Recipient (repeat for several).")]
SubjectOpt = Annotated[str, typer.Option(help="Subject, at most 20 characters.")]
BodyOpt = Annotated[str, typer.Option(help="Message text.")]
MediaOpt = Annotated[str, typer.Option("--media-file", help="URL of the jpg/gif to attach.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="Sender id or number.")]
ScheduleOpt = Annotated[int | None, typer.Option(help="Send at this unix time.")]


def _messages(
    to: list[str], subject: str, body: str, sender: str | None, schedule: int | None
) -> list[MmsMessageInput]:
    extra: dict[str, Any] = {}
    if sender is not None:
        extra["from_"] = sender
    if schedule is not None:
        extra["schedule"] = schedule
    return [MmsMessageInput(to=number, subject=subject, body=body, **extra) for number in to]


def _show_send(ctx: typer.Context, title: str, data: SendMmsData) -> None:
    if _opts(ctx).as_json:
        _print_json(data.to_dict())
    else:
        rows = [(m.to, m.status, m.message_id, m.message_price) for m in data.messages]
        _table(title, ["to", "status", "message_id", "price"], rows)
        out.print(f"total price {data.total_price}, queued {data.queued_count} of {data.total_count}")
    bad = rejected(data)
    if bad:
        err.print(f"{len(bad)} message(s) rejected: " + ", ".join(f"{m.to} {m.status}" for m in bad))
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def send(
    ctx: typer.Context,
    to: ToOpt,
    subject: SubjectOpt,
    body: BodyOpt,
    media_file: MediaOpt,
    sender: FromOpt = None,
    schedule: ScheduleOpt = None,
) -> None:
    """Send one MMS to each --to (never retried once it may have reached ClickSend)."""
    msgs = _messages(to, subject, body, sender, schedule)
    data = _run(ctx, lambda c: c.send(msgs, media_file=media_file))
    _show_send(ctx, "sent", data)


@app.command()
def price(
    ctx: typer.Context,
    to: ToOpt,
    subject: SubjectOpt,
    body: BodyOpt,
    media_file: MediaOpt,
    sender: FromOpt = None,
) -> None:
    """Price an MMS without sending it."""
    msgs = _messages(to, subject, body, sender, None)
    data = _run(ctx, lambda c: c.price(msgs, media_file=media_file))
    _show_send(ctx, "price", data)


@app.command()
def cancel(ctx: typer.Context, message_id: str) -> None:
    """Cancel one scheduled MMS."""
    _run(ctx, lambda c: c.cancel(message_id))
    _print_json({"cancelled": message_id}) if _opts(ctx).as_json else out.print(f"cancelled {message_id}")


@app.command("cancel-all")
def cancel_all(ctx: typer.Context) -> None:
    """Cancel every scheduled MMS."""
    count = _run(ctx, lambda c: c.cancel_all())
    _print_json({"count": count}) if _opts(ctx).as_json else out.print(f"cancelled {count} MMS")


# -- history & receipts ---------------------------------------------------------------------------------


@app.command()
def history(
    ctx: typer.Context,
    q: Annotated[str | None, typer.Option(help="Filter, e.g. status:Sent,to:+61411111111.")] = None,
    order_by: Annotated[str | None, typer.Option(help="e.g. date:desc.")] = None,
    date_from: Annotated[int | None, typer.Option(help="Unix time.")] = None,
    date_to: Annotated[int | None, typer.Option(help="Unix time.")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    limit: Annotated[int, typer.Option(min=15, max=100)] = 100,
    all_pages: Annotated[bool, typer.Option("--all", help="Every page, not just --page.")] = False,
) -> None:
    """List sent MMS (one page, or --all)."""
    filters: dict[str, Any] = {"q": q, "order_by": order_by, "date_from": date_from, "date_to": date_to}

    def fetch(c: ClickSend) -> list[MmsMessageRecord]:
        if all_pages:
            return list(c.iter_history(limit=limit, **filters))
        return c.history(page=page, limit=limit, **filters).data

    rows = _run(ctx, fetch)
    if _opts(ctx).as_json:
        _print_json([r.to_dict() for r in rows])
        return
    _table(
        f"MMS history ({len(rows)})",
        ["message_id", "date", "to", "status", "subject", "price"],
        [(r.message_id, r.date or r.date_added, r.to, r.status, r.subject, r.message_price) for r in rows],
    )


@app.command()
def receipts(
    ctx: typer.Context,
    page: Annotated[int, typer.Option(min=1)] = 1,
    limit: Annotated[int, typer.Option(min=15, max=100)] = 100,
    all_pages: Annotated[bool, typer.Option("--all", help="Every page, not just --page.")] = False,
) -> None:
    """List delivery receipts."""

    def fetch(c: ClickSend) -> list[MmsReceipt]:
        return list(c.iter_receipts(limit=limit)) if all_pages else c.receipts(page=page, limit=limit).data

    rows = _run(ctx, fetch)
    if _opts(ctx).as_json:
        _print_json([r.to_dict() for r in rows])
        return
    _table(
        f"MMS receipts ({len(rows)})",
        ["message_id", "status_code", "status_text", "timestamp", "error"],
        [(r.message_id, r.status_code, r.status_text, r.timestamp, r.error_text) for r in rows],
    )


@app.command("mark-read")
def mark_read(
    ctx: typer.Context,
    date_before: Annotated[int | None, typer.Option(help="Only receipts before this unix time.")] = None,
) -> None:
    """Mark delivery receipts as read."""
    _run(ctx, lambda c: c.mark_receipts_read(date_before))
    _print_json({"marked_read": True}) if _opts(ctx).as_json else out.print("receipts marked read")


# -- files ----------------------------------------------------------------------------------------------


@app.command()
def export(
    ctx: typer.Context,
    filename: Annotated[str, typer.Argument(help="Name ClickSend gives the CSV.")] = "mms-history.csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to save (default: FILENAME).")] = None,
) -> None:
    """Export the MMS history as CSV and download it."""
    target = output or Path(filename)
    opts = _opts(ctx)

    def download(c: ClickSend) -> tuple[str, int]:
        url = c.export(filename)
        with (
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=err,
                disable=opts.as_json,
            ) as bar,
            target.open("wb") as fh,
        ):
            task = bar.add_task(f"downloading {target.name}", total=None)
            size = c.download(url, fh, on_progress=lambda done, total: bar.update(task, completed=done, total=total))
        return url, size

    try:
        url, size = _run(ctx, download)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write {target}: {exc.strerror}")
        raise typer.Exit(EXIT_CONFIG) from None
    if opts.as_json:
        _print_json({"url": url, "path": str(target), "bytes": size})
    else:
        out.print(f"saved {size} bytes to {target}")


@app.command()
def upload(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="jpg/png/bmp/gif file.")],
) -> None:
    """Upload an image converted for MMS (convert=mms); prints the URL to use as --media-file."""
    data = _run(ctx, lambda c: c.upload(path))
    _print_json(data.to_dict()) if _opts(ctx).as_json else out.print(data.field_url)


# -- tools ----------------------------------------------------------------------------------------------

_PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@app.command(context_settings=_PASSTHROUGH)
def sandbox(ctx: typer.Context) -> None:
    """Start the local ClickSend MMS sandbox (arguments go to clicksend-mms-sandbox; try `sandbox --help`)."""
    try:
        # Imported by name: the sandbox is an optional companion package, not a typed dependency.
        sandbox_cli = importlib.import_module("clicksend_mms_sandbox.cli")
    except ImportError:
        err.print("[bold red]error:[/] the sandbox is not installed (package clicksend_mms_sandbox)")
        raise typer.Exit(EXIT_CONFIG) from None
    sys.argv = ["clicksend-mms-sandbox", *ctx.args]
    result: object = sandbox_cli.main()
    raise typer.Exit(result if isinstance(result, int) else 0)


@app.command(context_settings=_PASSTHROUGH)
def fuzz(ctx: typer.Context) -> None:
    """Contract-fuzz the API (runs `python -m clicksend_mms_fuzz`; arguments are passed through)."""
    opts = _opts(ctx)
    env = dict(os.environ)
    # Hand the fuzzer the same target the other commands would use.
    for name, value in ((config.ENV_USERNAME, opts.username), (config.ENV_API_KEY, opts.api_key)):
        if value:
            env[name] = value
    if opts.base_url:
        env[config.ENV_BASE_URL] = opts.base_url
    code = subprocess.call([sys.executable, "-m", "clicksend_mms_fuzz", *ctx.args], env=env)
    raise typer.Exit(code)


app.command()(conformance)
