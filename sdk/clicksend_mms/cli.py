"""``clicksend-mms``: the command line (typer + rich) over the ``ClickSend`` facade.

Credentials: --username/--api-key, or CLICKSEND_USERNAME / CLICKSEND_API_KEY; base URL: --base-url or
CLICKSEND_BASE_URL. ``--sandbox`` points at the local sandbox (CLICKSEND_SANDBOX_URL, default
http://127.0.0.1:8765/v3, account sandbox / sandbox-key) unless those are given. ``--json`` prints machine-readable
output (errors as JSON on stderr). Tables are for terminals: piped or redirected, the same rows come out as
tab-separated values with a header line (tabs, newlines and backslashes in values written as \t, \n, \\), never cut.

Exit codes: exit_codes.py (the README has the same table).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import httpx
import orjson
import typer
from clicksend_mms_spec.distribution import pip_install
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.text import Text
from typer.core import TyperGroup

from . import _ops, cli_table, config, exit_codes
from .cli_inputs import by_place, spec_options, with_fields
from .cli_money import money, money_in_json
from .conformance.cli import conformance
from .exceptions import (
    AuthenticationError,
    ClickSendError,
    ConfigurationError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    RecordingError,
    ServerError,
    TransportError,
    ValidationError,
)
from .facade import ClickSend
from .local_files import LocalFileError, read_bytes, read_messages, refuse_to_overwrite, replace_atomically
from .models import MmsMessageRecord, MmsReceipt, SendMmsData
from .request_check import rule
from .results import rejected
from .retry import RetryPolicy
from .retry import log as retry_log
from .types import UNSET

T = TypeVar("T")

_EXIT_BY_ERROR: tuple[tuple[type[ClickSendError], int], ...] = (
    (RecordingError, exit_codes.LOCAL_FILE),  # before ConfigurationError, its base: the --record file is a local file
    (ConfigurationError, exit_codes.CONFIG),
    (InvalidRequestError, exit_codes.VALIDATION),
    (AuthenticationError, exit_codes.AUTH),
    (ForbiddenError, exit_codes.AUTH),
    (NotFoundError, exit_codes.NOT_FOUND),
    (ValidationError, exit_codes.VALIDATION),
    (RateLimitedError, exit_codes.RATE_LIMITED),
    (ServerError, exit_codes.SERVER),
    (TransportError, exit_codes.TRANSPORT),
)


def _reader_went_away() -> NoReturn:
    """stdout's reader is gone (``| head``): stop quietly with 128 + SIGPIPE, as a Unix tool killed by it would."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (CliRunner): nothing buffered to lose
        # What is still buffered would fail again when Python flushes it at exit, with a message: send it nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(exit_codes.BROKEN_PIPE)


class _Command(TyperGroup):
    """The command group, with two things click does not do on its own (both in the README)."""

    def invoke(self, ctx: Any) -> Any:  # typer's Context: recent typer vendors click, so no click names here
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # here, not at exit: a reader that went away is seen while it can be handled
        except BrokenPipeError:
            _reader_went_away()
        except Exception as exc:
            self._suggest_position(exc)
            raise

    def _suggest_position(self, exc: Exception) -> None:
        """An option of clicksend-mms itself given after the command (`history --sandbox`): say where it goes.

        click's NoSuchOption is recognised by its attributes: typer may use its own copy of click."""
        name, sub = getattr(exc, "option_name", None), getattr(exc, "ctx", None)
        if sub is None or name not in {opt for param in self.params for opt in param.opts}:
            return
        sub.fail(
            f"No such option: {name}. It is an option of clicksend-mms itself: give it before the command, "
            f"as in `clicksend-mms {name} ... {sub.info_name} ...`"
        )


class _Console(Console):
    def on_broken_pipe(self) -> None:
        _reader_went_away()


app = typer.Typer(
    name="clicksend-mms",
    cls=_Command,
    help="Send and track ClickSend MMS from the command line (try --sandbox against the local sandbox).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# soft_wrap: long lines (URLs, error texts) are never broken at the console width, so they survive a pipe.
out = _Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


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


def _show_version(value: bool) -> None:
    if value:
        from . import __version__  # read from the installed metadata only when asked for

        out.print(f"clicksend-mms {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Option(envvar=config.ENV_USERNAME, help="ClickSend username.")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar=config.ENV_API_KEY, help="ClickSend API key.", show_default=False)
    ] = None,
    base_url: Annotated[str | None, typer.Option(envvar=config.ENV_BASE_URL, help="API base URL.")] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            envvar=config.ENV_SANDBOX,
            help=f"Use the local sandbox (${config.ENV_SANDBOX_URL}, default {config.SANDBOX_BASE_URL}).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
    timeout: Annotated[float | None, typer.Option(help="Request timeout in seconds.")] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            metavar="FILE",
            help="Record the exchanges as HAR (key redacted); an existing recording is added to, never replaced.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    opts = ctx.obj if isinstance(ctx.obj, Options) else Options()
    opts.record = record or opts.record
    if sandbox:
        # --sandbox beats CLICKSEND_* from the environment (likely a live account), not explicit options.
        def given(name: str) -> bool:
            source = ctx.get_parameter_source(name)
            return source is not None and source.name == "COMMANDLINE"

        sandbox_url = os.environ.get(config.ENV_SANDBOX_URL) or config.SANDBOX_BASE_URL
        base_url = base_url if given("base_url") else sandbox_url
        username = username if given("username") else config.SANDBOX_USERNAME
        api_key = api_key if given("api_key") else config.SANDBOX_API_KEY
    opts.username, opts.api_key, opts.base_url = username, api_key, base_url
    opts.as_json, opts.timeout = as_json, timeout
    ctx.obj = opts
    # Say what is being retried in human mode; keep stderr pure JSON with --json. Only while this command runs.
    if not as_json and _RETRY_LINES not in retry_log.handlers:
        retry_log.addHandler(_RETRY_LINES)
        ctx.call_on_close(lambda: retry_log.removeHandler(_RETRY_LINES))


class _RetryLines(logging.Handler):
    """The facade logs each retry (clicksend_mms.retry); the CLI shows it as one dim line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        fields = vars(record)
        line = (
            f"retry {fields.get('attempt')}/{fields.get('attempts')} of {fields.get('operation')} "
            f"in {fields.get('wait', 0.0):.1f}s: {fields.get('error')}"
        )
        err.print(Text(line, style="dim"))


_RETRY_LINES = _RetryLines()


# -- output & errors ------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# orjson hands datetimes to _jsonable (unix seconds, as before) instead of writing them as RFC 3339 text.
_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_APPEND_NEWLINE
_PIECE = 1 << 16


def _print_json(value: Any) -> None:
    """Highlighted for a person at a terminal; plain JSON (orjson: ~10x faster than rich's re-parse) otherwise."""
    value = money_in_json(value)
    if _is_terminal():
        out.print_json(json.dumps(value, default=_jsonable))
        return
    try:
        text = orjson.dumps(value, default=_jsonable, option=_ORJSON).decode()
    except orjson.JSONEncodeError:  # what orjson refuses (an integer beyond 64 bits), json writes
        text = json.dumps(value, default=_jsonable, indent=2, ensure_ascii=False) + "\n"
    # In pieces: a pipe whose reader left cuts one big write short without an error; the next piece then fails.
    for start in range(0, len(text), _PIECE):
        out.file.write(text[start : start + _PIECE])


def _json_too(ctx: typer.Context, as_json: bool) -> Options:
    """The options, with a command's own --json (given after the command) counted like the global one."""
    opts = _opts(ctx)
    if as_json and not opts.as_json:
        opts.as_json = True
        retry_log.removeHandler(_RETRY_LINES)  # stderr is only the JSON error then
    return opts


def _fail(opts: Options, exc: ClickSendError) -> NoReturn:
    if isinstance(exc, LocalFileError):  # a ClickSendError too, raised inside a command's call
        _fail_local(opts, exc)
    code = next((c for cls, c in _EXIT_BY_ERROR if isinstance(exc, cls)), exit_codes.API)
    if opts.as_json:
        payload = {
            "error": type(exc).__name__,
            "message": str(exc),
            "http_code": exc.http_code,
            "response_code": exc.response_code,
            "response_msg": exc.response_msg,
            "data": exc.data,
            "may_have_been_sent": exc.may_have_been_sent,
            "exit_code": code,
        }
        print(json.dumps(payload, default=_jsonable), file=sys.stderr)
    else:
        _say_error(str(exc))
        if isinstance(exc, ConfigurationError) and not isinstance(exc, RecordingError):
            err.print("hint: --sandbox talks to the local sandbox with its default account")
        # A sandbox that is not running refuses the connection; a timeout or a drop means one answered too late.
        if isinstance(exc, TransportError) and not exc.request_sent and opts.base_url == config.SANDBOX_BASE_URL:
            missing = _sandbox_missing()
            install = ""
            if missing:
                install = f"the sandbox is not installed (no module {missing!r}): {pip_install('sandbox')}; then "
            err.print(f"hint: {install}start the sandbox with `clicksend-mms sandbox`", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def _say_error(text: str) -> None:
    err.print(Text.assemble(("error:", "bold red"), " ", text))


def _fail_local(opts: Options, exc: LocalFileError) -> NoReturn:
    if opts.as_json:
        payload = {"error": "LocalFileError", "message": str(exc), "exit_code": exit_codes.LOCAL_FILE}
        print(json.dumps(payload), file=sys.stderr)
    else:
        _say_error(str(exc))
    raise typer.Exit(exit_codes.LOCAL_FILE)


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
    if isinstance(value, Decimal):
        return money(value)  # the one format of money: cli_money
    return str(value)


def _is_terminal() -> bool:
    return out.file.isatty()


def _table(title: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    """A table on a terminal (cli_table: the layout that fits); tab-separated values (header line first)
    otherwise. No value is ever cut."""
    cells = [[_fmt(v) for v in row] for row in rows]
    if not _is_terminal():
        for line in [columns, *cells]:
            out.file.write("\t".join(_tsv_escape(v) for v in line) + "\n")
        return
    cli_table.show(out, title, columns, cells)


def _tsv_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# -- sending --------------------------------------------------------------------------------------------


def _about(*path: str) -> str:
    """A field's description from the spec (help texts say what the API says, limits included)."""
    return f"{rule('send_mms', *path, keyword='description')}."


def _about_message(key: str) -> str:
    return _about("messages", "items", key)


# --json is accepted after the command too (`history --json`), like before it.
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output (same as before the command).")]
_OR_FILE = " Required unless --messages is given."
ToOpt = Annotated[list[str] | None, typer.Option("--to", help=_about_message("to") + " Repeat for several." + _OR_FILE)]
SubjectOpt = Annotated[str | None, typer.Option(help=_about_message("subject") + _OR_FILE)]
BodyOpt = Annotated[str | None, typer.Option(help=_about_message("body") + _OR_FILE)]
MediaOpt = Annotated[str, typer.Option("--media-file", help=_about("media_file"))]
FromOpt = Annotated[str | None, typer.Option("--from", help=_about_message("from"))]
ScheduleOpt = Annotated[int | None, typer.Option(help=_about_message("schedule"))]
_SEND_FLAGS = "--to/--subject/--body/--from/--schedule"
_PRICE_FLAGS = "--to/--subject/--body/--from"  # price has no --schedule (a schedule changes no price)


def _messages_option(flags: str) -> Any:
    return typer.Option(
        "--messages",
        metavar="FILE",
        help="Messages as JSON (a list of objects with the API's keys: to, subject, body, from, schedule, "
        f"custom_string, ...) or JSON Lines; - reads stdin. Instead of {flags}.",
    )


SendMessagesOpt = Annotated[str | None, _messages_option(_SEND_FLAGS)]
PriceMessagesOpt = Annotated[str | None, _messages_option(_PRICE_FLAGS)]


def _messages(
    to: list[str] | None,
    subject: str | None,
    body: str | None,
    sender: str | None,
    schedule: int | None,
    messages_file: str | None,
    ctx: typer.Context,
) -> list[Any]:
    """The messages as the API's dicts: from --messages FILE, or one per --to from the options."""
    # ctx.fail: a usage error (exit 2) like click's own, e.g. for a missing option.
    if messages_file is not None:
        if to or any(v is not None for v in (subject, body, sender, schedule)):
            flags = _SEND_FLAGS if ctx.info_name == "send" else _PRICE_FLAGS
            ctx.fail(f"give either --messages FILE or {flags}, not both")
        try:
            return read_messages(messages_file)
        except LocalFileError as exc:
            _fail_local(_opts(ctx), exc)
        except ValueError as exc:  # not JSON: the file's content is the user's mistake, like a bad option
            ctx.fail(f"--messages {messages_file}: {exc}")
    for name, value in (("--to", to), ("--subject", subject), ("--body", body)):
        if not value:
            ctx.fail(f"Missing option '{name}' (or give --messages FILE).")
    extra: dict[str, Any] = {}
    if sender is not None:
        extra["from"] = sender
    if schedule is not None:
        extra["schedule"] = schedule
    return [{"to": number, "subject": subject, "body": body, **extra} for number in to or []]


def _show_send(ctx: typer.Context, title: str, data: SendMmsData) -> None:
    priced = title == "price"  # a price sends nothing: nothing is queued, a bad message would be rejected
    if _opts(ctx).as_json:
        _print_json(data.to_dict())
    else:
        rows = [(m.to, m.status, m.message_id, m.message_price) for m in data.messages]
        _table(title, ["to", "status", "message_id", "price"], rows)
        # On a terminal the totals follow the table; piped, stdout stays pure TSV and they go to stderr.
        if priced:
            summary = f"total price {money(data.total_price)} for {data.total_count} message(s)"
        else:
            summary = f"total price {money(data.total_price)}, queued {data.queued_count} of {data.total_count}"
        (out if _is_terminal() else err).print(Text(summary))
    bad = rejected(data)
    if bad:
        verdict = "would be rejected" if priced else "rejected"
        err.print(Text(f"{len(bad)} message(s) {verdict}: " + ", ".join(f"{m.to} {m.status}" for m in bad)))
        raise typer.Exit(exit_codes.REJECTED)


@app.command()
@spec_options("price_mms", skip=("schedule",))  # a schedule changes no price
def price(
    ctx: typer.Context,
    media_file: MediaOpt,
    to: ToOpt = None,
    subject: SubjectOpt = None,
    body: BodyOpt = None,
    sender: FromOpt = None,
    messages_file: PriceMessagesOpt = None,
    as_json: JsonOpt = False,
    *,
    inputs: dict[str, Any],
) -> None:
    """Price MMS without sending them (same messages as send)."""
    _json_too(ctx, as_json)
    given = _messages(to, subject, body, sender, None, messages_file, ctx)
    msgs = list(with_fields(given, by_place("price_mms", inputs, "item")))
    top = by_place("price_mms", inputs, "query", "body")
    data = _run(ctx, lambda c: c.price(msgs, media_file=media_file, **top))
    _show_send(ctx, "price", data)


@app.command()
@spec_options("cancel_mms")
def cancel(ctx: typer.Context, message_id: str, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """Cancel one scheduled MMS."""
    opts = _json_too(ctx, as_json)
    _run(ctx, lambda c: c.cancel(message_id, **inputs))
    _print_json({"cancelled": message_id}) if opts.as_json else out.print(f"cancelled {message_id}")


@app.command("cancel-all")
@spec_options("cancel_all_mms")
def cancel_all(ctx: typer.Context, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """Cancel every scheduled MMS."""
    opts = _json_too(ctx, as_json)
    count = _run(ctx, lambda c: c.cancel_all(**inputs))
    _print_json({"count": count}) if opts.as_json else out.print(f"cancelled {count} MMS")


# -- history & receipts ---------------------------------------------------------------------------------


_ALL = Annotated[bool, typer.Option("--all", help="Every page, not just --page.")]


@app.command()
@spec_options("get_mms_history", defaults={"limit": _ops.page_size("get_mms_history")})
def history(ctx: typer.Context, all_pages: _ALL = False, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """List sent MMS (one page, or --all)."""
    _json_too(ctx, as_json)

    def fetch(c: ClickSend) -> list[MmsMessageRecord]:
        if all_pages:
            return list(c.iter_history(**{k: v for k, v in inputs.items() if k != "page"}))
        return c.history(**inputs).data

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
@spec_options("get_mms_receipts", defaults={"limit": _ops.page_size("get_mms_receipts")})
def receipts(ctx: typer.Context, all_pages: _ALL = False, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """List delivery receipts."""
    _json_too(ctx, as_json)

    def fetch(c: ClickSend) -> list[MmsReceipt]:
        if all_pages:
            return list(c.iter_receipts(**{k: v for k, v in inputs.items() if k != "page"}))
        return c.receipts(**inputs).data

    rows = _run(ctx, fetch)
    if _opts(ctx).as_json:
        _print_json([r.to_dict() for r in rows])
        return
    _table(
        f"MMS receipts ({len(rows)})",
        ["message_id", "status_code", "status_text", "timestamp", "error"],
        [(r.message_id, r.status_code, r.status_text, r.timestamp, r.error_text) for r in rows],
    )


@app.command()
@spec_options("get_mms_receipt")
def receipt(ctx: typer.Context, message_id: str, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """Show the record of one message (as JSON)."""
    _json_too(ctx, as_json)
    record = _run(ctx, lambda c: c.receipt(message_id, **inputs))
    _print_json(record.to_dict())


@app.command("mark-read")
@spec_options("mark_mms_receipts_read")
def mark_read(ctx: typer.Context, as_json: JsonOpt = False, *, inputs: dict[str, Any]) -> None:
    """Mark delivery receipts as read."""
    opts = _json_too(ctx, as_json)
    _run(ctx, lambda c: c.mark_receipts_read(**inputs))
    _print_json({"marked_read": True}) if opts.as_json else out.print("receipts marked read")


# -- files ----------------------------------------------------------------------------------------------


@app.command()
@spec_options("export_mms_history")
def export(
    ctx: typer.Context,
    filename: Annotated[str, typer.Argument(help="Name ClickSend gives the CSV.")] = "mms-history.csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to save (default: FILENAME).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    as_json: JsonOpt = False,
    *,
    inputs: dict[str, Any],
) -> None:
    """Export the MMS history as CSV and download it (an existing file is kept unless --force)."""
    target = output or Path(filename)
    opts = _json_too(ctx, as_json)
    if not force:
        try:
            refuse_to_overwrite(target)  # before asking ClickSend for an export nobody will save
        except LocalFileError as exc:
            _fail_local(opts, exc)

    def download(c: ClickSend) -> tuple[str, int]:
        url = c.export(filename, **inputs)
        with (
            replace_atomically(target, force=force) as fh,  # first: an unwritable target shows no progress bar
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=err,
                disable=opts.as_json,
            ) as bar,
        ):
            task = bar.add_task(f"downloading {target.name}", total=None)
            size = c.download(url, fh, on_progress=lambda done, total: bar.update(task, completed=done, total=total))
        return url, size

    try:
        url, size = _run(ctx, download)
    except LocalFileError as exc:
        _fail_local(opts, exc)
    if opts.as_json:
        _print_json({"url": url, "path": str(target), "bytes": size})
    else:
        out.print(Text(f"saved {size} bytes to {target}"))


@app.command()
@spec_options("upload_media", skip=("content",))  # the file is PATH
def upload(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="jpg/png/bmp/gif file.")],
    as_json: JsonOpt = False,
    *,
    inputs: dict[str, Any],
) -> None:
    """Upload an image converted for MMS (convert=mms); prints the URL to use as --media-file."""
    opts = _json_too(ctx, as_json)
    try:
        content = read_bytes(path)
    except LocalFileError as exc:
        _fail_local(opts, exc)
    data = _run(ctx, lambda c: c.upload(content, **inputs))
    _print_json(data.to_dict()) if opts.as_json else out.print(Text(data.field_url))


# -- tools ----------------------------------------------------------------------------------------------


def _sandbox_missing() -> str | None:
    """The module that keeps the sandbox from starting here, or None when it can start."""
    try:
        # Imported by name, when needed: the sandbox and its server stack are the [sandbox] extra.
        importlib.import_module("clicksend_mms_sandbox.cli")
    except ModuleNotFoundError as exc:
        return exc.name or "clicksend_mms_sandbox"
    return None


_PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@app.command(context_settings=_PASSTHROUGH)
def sandbox(ctx: typer.Context) -> None:
    """Start the local ClickSend MMS sandbox (arguments go to clicksend-mms-sandbox; try `sandbox --help`)."""
    missing = _sandbox_missing()
    if missing:
        err.print(
            "[bold red]error:[/] the sandbox is not installed "
            f"(no module {missing!r}): {escape(pip_install('sandbox'))}",
            soft_wrap=True,
        )
        raise typer.Exit(exit_codes.CONFIG)
    sandbox_cli = importlib.import_module("clicksend_mms_sandbox.cli")
    result: object = sandbox_cli.main(ctx.args, prog="clicksend-mms sandbox")
    raise typer.Exit(result if isinstance(result, int) else 0)


@app.command()
def fuzz(
    ctx: typer.Context,
    max_time: Annotated[
        int | None, typer.Option("--max-time", min=1, metavar="SECONDS", help="Stop fuzzing after this many seconds.")
    ] = None,
    examples: Annotated[
        int | None,
        typer.Option("--examples", min=1, metavar="N", help="Case budget: examples per operation per phase."),
    ] = None,
) -> None:
    """Contract-fuzz the API (`python -m clicksend_mms_fuzz`, same as `make fuzz`): the embedded sandbox, or the
    live API when credentials are set (free operations only unless CLICKSEND_ALLOW_SPEND=1)."""
    opts = _opts(ctx)
    try:
        # Imported by name, like the sandbox: the fuzzer is a companion package, and it owns its settings' names.
        plan = importlib.import_module("clicksend_mms_fuzz.plan")
    except ImportError:
        _say_error("the fuzzer is not installed (package clicksend_mms_fuzz)")
        raise typer.Exit(exit_codes.CONFIG) from None
    env = dict(os.environ)
    # Hand the fuzzer the same target the other commands would use.
    for name, value in ((config.ENV_USERNAME, opts.username), (config.ENV_API_KEY, opts.api_key)):
        if value:
            env[name] = value
    if opts.base_url:
        env[config.ENV_BASE_URL] = opts.base_url
    if max_time is not None:
        env[plan.MAX_TIME_ENV] = str(max_time)
    if examples is not None:
        env[plan.EXAMPLES_ENV] = str(examples)
    code = subprocess.call([sys.executable, "-m", "clicksend_mms_fuzz"], env=env)
    raise typer.Exit(code)


app.command()(conformance)

# `send` and `journal` live in their own module (streamed, journaled, resumable); it registers them on `app`.
from . import cli_send  # noqa: E402,F401
