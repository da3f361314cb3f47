"""``clicksend-mms send`` and ``clicksend-mms journal``: any number of messages, streamed, journaled, resumable.

How a send runs:
- ``--to`` options, or ``--messages`` from stdin or with ``--no-journal``, of at most one request's worth of
  messages: one request, the table of results as before.
- ``--messages FILE`` (JSON Lines streamed line by line; a JSON list is read whole): a send journal is kept, by
  default at ``FILE.journal`` (``--journal PATH`` elsewhere, ``--no-journal`` for none). The whole input is checked
  and copied into the journal first (nothing is sent when any message is bad), then sent in batches.
- ``--resume JOURNAL``: the job in the journal, its in-flight batches first reconciled against the MMS history;
  only what never reached ClickSend is sent.
- More messages than one request takes, without a journal (stdin, ``--no-journal``): streamed in batches; memory
  holds ``--batch-size`` x ``--concurrency`` messages, not the input.

Ctrl-C or SIGTERM at any point prints the account (sent / may have been sent / not sent, by input index) and exits
130 or 143; a send that may have gone through is never resent without reconciling it (exit_codes.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import json
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.progress import Progress
from rich.text import Text

from . import _ops, exit_codes
from .async_facade import AsyncClickSend
from .bulk import BulkSendError, Sender, account_of, reconcile_job, run_interruptible
from .cli import (
    _EXIT_BY_ERROR,
    BodyOpt,
    FromOpt,
    JsonOpt,
    ScheduleOpt,
    SendMessagesOpt,
    SubjectOpt,
    ToOpt,
    _about,
    _fail,
    _fail_local,
    _json_too,
    _messages,
    _opts,
    _print_json,
    _run,
    _say_error,
    _show_send,
    app,
    err,
    out,
)
from .cli_inputs import by_place, spec_options, with_fields
from .cli_money import money
from .exceptions import ClickSendError, InvalidRequestError
from .journal import Journal, JournalError, JournalLockedError
from .local_files import LocalFileError
from .models import SendMmsData
from .reconcile import ReconcilePolicy, UnknownFateError
from .request_check import Problem, check
from .send_account import SendAccount, SendInterrupted

DEFAULTS = ReconcilePolicy()
EXIT_BY_SIGNAL = {"SIGINT": exit_codes.INTERRUPTED, "SIGTERM": exit_codes.TERMINATED}
JOURNAL_SUFFIX = ".journal"


# -- input, streamed --------------------------------------------------------------------------------------


def stream_messages(source: str) -> Iterator[Any]:
    """Messages one at a time: JSON Lines streamed line by line; a JSON list, or one object over several lines, read
    whole. ``LocalFileError`` when it cannot be read, ``ValueError`` (with the line) when it is not JSON."""
    try:
        fh = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise LocalFileError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        lines = enumerate(fh, start=1)
        for number, line in lines:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                if number > 1 or not line.lstrip().startswith(("[", "{")):
                    raise ValueError(f"line {number} is not JSON ({exc.msg}, column {exc.colno})") from None
                value = _NOT_A_LINE
            if number == 1 and (value is _NOT_A_LINE or isinstance(value, list)):
                yield from _whole(line + "".join(rest for _, rest in lines))
                return
            yield value
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    finally:
        if fh is not sys.stdin:
            fh.close()


_NOT_A_LINE = object()


def _whole(text: str) -> Iterator[Any]:
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if isinstance(whole, list):
        yield from whole
    elif isinstance(whole, dict):
        yield whole
    else:
        raise ValueError("expected a JSON list of message objects, or one object per line")


def checked(messages: Iterator[Any], media_file: str) -> Iterator[dict[str, Any]]:
    """The messages, each checked against the spec (per request-sized chunk) before it is passed on.

    ``InvalidRequestError`` names the input index of every bad message of the first chunk that has one."""
    for number in itertools.count():
        chunk = list(itertools.islice(messages, _ops.MAX_BATCH))
        if not chunk:
            return
        offset = number * _ops.MAX_BATCH
        problems = [
            _shifted(p, offset)
            for p in check("send_mms", _ops.send_body(chunk, media_file))
            if not (p.path == ("messages",) and p.rule in ("minItems", "maxItems"))
        ]
        if problems:
            raise InvalidRequestError(problems)
        yield from chunk


def _shifted(problem: Problem, offset: int) -> Problem:
    path = tuple(part + offset if isinstance(part, int) and i == 1 else part for i, part in enumerate(problem.path))
    return dataclasses.replace(problem, path=path)


# -- the client ---------------------------------------------------------------------------------------------


class _SyncTransport(httpx.AsyncBaseTransport):
    """A sync transport (the one tests hand the CLI through ``Options``) under the async client, in a thread."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        sync_request = httpx.Request(request.method, request.url, headers=request.headers, content=content)
        response = await asyncio.to_thread(self._inner.handle_request, sync_request)
        body = await asyncio.to_thread(response.read)
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def _async_client(ctx: typer.Context) -> AsyncClickSend:
    opts = _opts(ctx)
    return AsyncClickSend(
        opts.username,
        opts.api_key,
        base_url=opts.base_url,
        timeout=opts.timeout,
        retry=opts.retry,
        record=opts.record,
        transport=_SyncTransport(opts.transport) if opts.transport is not None else None,
    )


# -- sending ------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Tally:
    rejected: int = 0
    total_price: Decimal = Decimal(0)

    def add(self, _indexes: list[int], data: SendMmsData) -> None:
        from .results import rejected

        self.rejected += len(rejected(data))
        if data.total_price is not None:
            self.total_price += Decimal(str(data.total_price))


@dataclasses.dataclass(frozen=True)
class BulkSettings:
    media_file: str
    batch_size: int
    concurrency: int
    rate: float | None
    policy: ReconcilePolicy


def _progress_line(account: SendAccount, failed: int) -> str:
    return (
        f"sent {len(account.sent)} · may have been sent {len(account.may_have_been_sent)} · failed {failed} · "
        f"not sent yet {len(account.not_sent)}"
    )


async def _run_bulk(
    ctx: typer.Context,
    settings: BulkSettings,
    journal: Journal | None,
    source: Iterator[Any],
    tally: _Tally,
    accounts: list[SendAccount],
) -> SendAccount:
    """Reconcile (a resume), then send; ``accounts[-1]`` is the account as it stands at every instant."""

    async def send_all() -> SendAccount:
        opts = _opts(ctx)
        async with _async_client(ctx) as client:
            if journal is not None:
                await reconcile_job(client, journal, settings.policy)
                accounts.append(account_of(journal))
                items: Any = journal.to_send()
            else:
                items = enumerate(source)
            account = accounts[-1]
            show = not opts.as_json and err.is_terminal
            with Progress("{task.description}", console=err, disable=not show, transient=True) as bar:
                task = bar.add_task(_progress_line(account, 0))
                sender = Sender(
                    client,
                    settings.media_file,
                    batch_size=settings.batch_size,
                    concurrency=settings.concurrency,
                    account=account,
                    journal=journal,
                    rate=settings.rate,
                    on_answer=tally.add,
                    on_change=lambda a: bar.update(task, description=_progress_line(a, len(sender.failures))),
                )
                await sender.run(items)
            if sender.failures:
                failures = sorted(sender.failures, key=lambda f: f.start)
                raise BulkSendError([], failures, account, str(journal.path) if journal else None)
            return account

    where = str(journal.path) if journal is not None else None
    # Interruptible from the start: while resume reconciles, the account is the journal's as it stands.
    return await run_interruptible(send_all(), lambda: accounts[-1], where)


def _account_payload(account: SendAccount, journal: Path | None) -> dict[str, Any]:
    return {**account.to_json(), "journal": str(journal) if journal else None}


def _end_bulk(
    ctx: typer.Context,
    job: Journal | None,
    run: Callable[[_Tally, list[SendAccount]], Coroutine[Any, Any, SendAccount]],
) -> NoReturn:
    """Run the bulk coroutine and turn its ending into output and an exit code; never a traceback.

    ``accounts[-1]`` is the account as it stands, kept here: a signal that lands outside the send's own handler
    (asyncio.run's SIGINT handler before it is installed, the loop's shutdown, the summary's printing) is still
    reported with what was sent, never as "nothing was sent"."""
    journal_path = job.path if job is not None else None
    accounts: list[SendAccount] = []
    try:
        accounts.append(account_of(job) if job is not None else SendAccount())
        _run_to_the_end(ctx, lambda tally: asyncio.run(run(tally, accounts)), journal_path)
    except SendInterrupted as exc:
        _interrupted(ctx, exc.account, journal_path, exc.signal_name, exc)
    except KeyboardInterrupt as exc:
        # The journal's state is exact at every instant (a batch is in flight before it leaves); without one,
        # the account the send keeps.
        account = account_of(job) if job is not None else accounts[-1] if accounts else SendAccount()
        name = str(exc) or "SIGINT"
        where = str(journal_path) if journal_path else None
        _interrupted(ctx, account, journal_path, name, SendInterrupted(name, account, where))


def _interrupted(
    ctx: typer.Context, account: SendAccount, journal_path: Path | None, name: str, exc: BaseException
) -> NoReturn:
    _report_account(ctx, account, journal_path, f"interrupted by {name}", exc)
    raise typer.Exit(EXIT_BY_SIGNAL.get(name, exit_codes.INTERRUPTED)) from None


def _run_to_the_end(ctx: typer.Context, run: Callable[[_Tally], SendAccount], journal_path: Path | None) -> NoReturn:
    opts = _opts(ctx)
    tally = _Tally()
    try:
        account = run(tally)
    except BulkSendError as exc:
        first = exc.failures[0].error if exc.failures else exc
        code = next((c for cls, c in _EXIT_BY_ERROR if isinstance(first, cls)), exit_codes.API)
        _report_account(ctx, exc.account, journal_path, "incomplete", exc)
        raise typer.Exit(code) from None
    except UnknownFateError as exc:
        if opts.as_json:
            print(json.dumps({"error": "UnknownFateError", "message": str(exc), "exit_code": exit_codes.UNKNOWN_FATE}))
        else:
            _say_error(str(exc))
        raise typer.Exit(exit_codes.UNKNOWN_FATE) from None
    except JournalError as exc:
        _fail_local(opts, LocalFileError(str(exc)))
    except ClickSendError as exc:
        _fail(opts, exc)
    summary = {
        **_account_payload(account, journal_path),
        "rejected_this_run": tally.rejected,
        "total_price_this_run": money(tally.total_price),
    }
    if opts.as_json:
        _print_json(summary)
    else:
        where = f"; journal {journal_path}" if journal_path else ""
        out.print(
            Text(
                f"sent {len(account.sent)} message(s); this run: total price {money(tally.total_price)}, "
                f"{tally.rejected} rejected{where}"
            )
        )
    raise typer.Exit(exit_codes.REJECTED if tally.rejected else exit_codes.OK)


def _report_account(
    ctx: typer.Context, account: SendAccount, journal: Path | None, what: str, exc: BaseException
) -> None:
    if _opts(ctx).as_json:
        payload = {"error": type(exc).__name__, "message": str(exc), **_account_payload(account, journal)}
        print(json.dumps(payload), file=sys.stderr)
        return
    _say_error(f"send {what}: {account.describe()}")
    if isinstance(exc, BulkSendError) and exc.failures:
        err.print(Text(f"first error: {exc.failures[0].error}"))
    if journal:
        err.print(Text(f"resume with: clicksend-mms send --resume {journal}"))


def _terminate_as_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _send_one_request(ctx: typer.Context, msgs: list[Any], media_file: str) -> None:
    """At most one request's worth, no journal: one request, and the table of its results."""
    try:
        data = _run(ctx, lambda c: c.send(msgs, media_file=media_file))
    except SendInterrupted as exc:
        _report_account(ctx, exc.account, None, f"interrupted by {exc.signal_name}", exc)
        raise typer.Exit(EXIT_BY_SIGNAL.get(exc.signal_name, exit_codes.INTERRUPTED)) from None
    _show_send(ctx, "sent", data)


JournalOpt = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        metavar="PATH",
        help=f"Keep the send journal here (default for --messages FILE: FILE{JOURNAL_SUFFIX}); it must not hold a job.",
    ),
]
NoJournalOpt = Annotated[
    bool, typer.Option("--no-journal", help="Keep no send journal (a cut-short send cannot resume).")
]
ResumeOpt = Annotated[
    Path | None,
    typer.Option(
        "--resume",
        metavar="FILE",
        help="Resume the job in this send journal: reconcile what was in flight with the MMS history, send the rest.",
    ),
]


@app.command()
@spec_options("send_mms")
def send(
    ctx: typer.Context,
    media_file: Annotated[str | None, typer.Option("--media-file", help=_about("media_file"))] = None,
    to: ToOpt = None,
    subject: SubjectOpt = None,
    body: BodyOpt = None,
    sender: FromOpt = None,
    schedule: ScheduleOpt = None,
    messages_file: SendMessagesOpt = None,
    journal: JournalOpt = None,
    no_journal: NoJournalOpt = False,
    resume: ResumeOpt = None,
    batch_size: Annotated[
        int, typer.Option(metavar="N", help=f"Messages per request (1..{_ops.MAX_BATCH}).")
    ] = _ops.MAX_BATCH,
    concurrency: Annotated[int, typer.Option("--parallel", metavar="N", help="Requests at a time.")] = 8,
    rate: Annotated[float | None, typer.Option(metavar="N", help="At most this many requests a second.")] = None,
    history_lag: Annotated[
        float, typer.Option(metavar="SECS", help="Resume: seconds within which MMS history shows an accepted message.")
    ] = DEFAULTS.history_lag,
    reconcile_timeout: Annotated[
        float,
        typer.Option("--poll-for", metavar="SECS", help="Resume: seconds to poll history for in-flight messages."),
    ] = DEFAULTS.timeout,
    force_unknown: Annotated[
        bool,
        typer.Option("--force", help="Resume: send again messages whose fate history cannot settle (may send twice)."),
    ] = False,
    as_json: JsonOpt = False,
    *,
    inputs: dict[str, Any],
) -> None:
    """Send one MMS to each --to, or any number from --messages FILE (checked against the API spec first; a send
    that may have reached ClickSend is never resent without reconciling it with the MMS history)."""
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        _send(
            ctx,
            media_file,
            (to, subject, body, sender, schedule),
            messages_file,
            journal,
            no_journal,
            resume,
            (batch_size, concurrency, rate, history_lag, reconcile_timeout, force_unknown),
            as_json,
            by_place("send_mms", inputs, "item"),
        )
    except KeyboardInterrupt as exc:  # before any batch could leave (reading, checking, copying the input)
        name = str(exc) or "SIGINT"
        if _opts(ctx).as_json:
            print(json.dumps({"error": "SendInterrupted", "message": f"{name}: nothing was sent"}), file=sys.stderr)
        else:
            _say_error(f"interrupted by {name} before anything was sent")
        raise typer.Exit(EXIT_BY_SIGNAL.get(name, exit_codes.INTERRUPTED)) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _send(
    ctx: typer.Context,
    media_file: str | None,
    flags: tuple[list[str] | None, str | None, str | None, str | None, int | None],
    messages_file: str | None,
    journal: Path | None,
    no_journal: bool,
    resume: Path | None,
    tuning: tuple[int, int, float | None, float, float, bool],
    as_json: bool,
    fields: dict[str, Any],
) -> None:
    to, subject, body, sender, schedule = flags
    batch_size, concurrency, rate, history_lag, reconcile_timeout, force_unknown = tuning
    _json_too(ctx, as_json)
    for name, value, low, high in (
        ("--batch-size", batch_size, 1, _ops.MAX_BATCH),
        ("--parallel", concurrency, 1, None),
        ("--rate", rate, 0.001, None),
        ("--history-lag", history_lag, 0, None),
        ("--poll-for", reconcile_timeout, 0, None),
    ):
        if value is not None and (value < low or (high is not None and value > high)):
            ctx.fail(f"{name} must be {low}..{high}" if high is not None else f"{name} must be at least {low}")
    policy = ReconcilePolicy(history_lag=history_lag, timeout=reconcile_timeout, force=force_unknown)
    settings = functools.partial(BulkSettings, batch_size=batch_size, concurrency=concurrency, rate=rate, policy=policy)
    if resume is not None:
        if messages_file is not None or to or journal is not None or no_journal or fields:
            ctx.fail("--resume JOURNAL takes the job's messages from the journal: give no messages nor --journal")
        _resume(ctx, resume, media_file, settings)
    if media_file is None:
        ctx.fail("Missing option '--media-file'.")
    if journal is not None and no_journal:
        ctx.fail("give --journal PATH or --no-journal, not both")
    if messages_file is not None and (to or any(v is not None for v in (subject, body, sender, schedule))):
        _messages(to, subject, body, sender, schedule, messages_file, ctx)  # the usage error for the mix
    if messages_file not in (None, "-"):
        _readable(ctx, str(messages_file))
    if journal is None and messages_file not in (None, "-") and not no_journal:
        journal = Path(f"{messages_file}{JOURNAL_SUFFIX}")
    if journal is not None:
        _new_job(ctx, journal, messages_file, flags, settings(media_file), fields)
    if messages_file is None:
        _send_one_request(
            ctx, list(with_fields(_messages(to, subject, body, sender, schedule, None, ctx), fields)), media_file
        )
        return
    _stream_without_journal(ctx, messages_file, media_file, settings(media_file), fields)


def _readable(ctx: typer.Context, source: str) -> None:
    """Before a journal is made for it: a file that cannot be read is the user's to fix, with nothing written."""
    try:
        Path(source).open("rb").close()
    except OSError as exc:
        _fail_local(_opts(ctx), LocalFileError(f"cannot read {source}: {exc.strerror or exc}"))


def _stream_without_journal(
    ctx: typer.Context, source: str, media_file: str, settings: BulkSettings, fields: dict[str, Any]
) -> NoReturn:
    opts = _opts(ctx)
    try:
        stream = with_fields(stream_messages(source), fields)
        head = list(itertools.islice(stream, _ops.MAX_BATCH + 1))
    except LocalFileError as exc:
        _fail_local(opts, exc)
    except ValueError as exc:
        ctx.fail(f"--messages {source}: {exc}")
    if len(head) <= _ops.MAX_BATCH:
        _send_one_request(ctx, head, media_file)
        raise typer.Exit(exit_codes.OK)
    messages = checked(itertools.chain(head, stream), media_file)
    _end_bulk(ctx, None, lambda tally, accounts: _run_bulk(ctx, settings, None, messages, tally, accounts))


def _new_job(
    ctx: typer.Context,
    path: Path,
    messages_file: str | None,
    flags: tuple[list[str] | None, str | None, str | None, str | None, int | None],
    settings: BulkSettings,
    fields: dict[str, Any],
) -> NoReturn:
    opts = _opts(ctx)
    try:
        job = Journal.open(path)
    except JournalError as exc:
        _fail_local(opts, LocalFileError(str(exc)))
    try:
        if job.count is not None:  # a journal whose input copy was cut short sent nothing: it is started again
            _fail_local(
                opts,
                LocalFileError(
                    f"the send journal {path} holds a job (an earlier send of these messages?): resume it with "
                    f"`clicksend-mms send --resume {path}`, or give --journal NEW_PATH, or --no-journal"
                ),
            )
        try:
            if messages_file is None:
                source: Iterator[Any] = iter(_messages(*flags, None, ctx))
            else:
                source = stream_messages(messages_file)
            source = with_fields(source, fields)
            if not opts.as_json:  # before the job exists: from then on, an interrupt is reported with its account
                err.print(Text(f"send journal: {path} (resume with `clicksend-mms send --resume {path}`)", style="dim"))
            job.create(settings.media_file, checked(source, settings.media_file))
        except LocalFileError as exc:
            _discard(job)
            _fail_local(opts, exc)
        except ValueError as exc:
            _discard(job)
            if isinstance(exc, InvalidRequestError):
                _fail(opts, exc)
            ctx.fail(f"--messages {messages_file}: {exc}")
        except BaseException:
            _discard(job)
            raise
        _end_bulk(ctx, job, lambda tally, accounts: _run_bulk(ctx, settings, job, iter(()), tally, accounts))
    finally:
        job.close()


def _discard(job: Journal) -> None:
    """A job whose input could not be copied whole sent nothing: leave no journal that looks like one."""
    job.close()
    job.path.unlink(missing_ok=True)


def _resume(
    ctx: typer.Context,
    path: Path,
    media_file: str | None,
    settings: Callable[[str], BulkSettings],
) -> NoReturn:
    opts = _opts(ctx)
    if not path.is_file():
        _fail_local(opts, LocalFileError(f"no send journal at {path}"))
    try:
        job = Journal.open(path)
    except JournalError as exc:
        _fail_local(opts, LocalFileError(str(exc)))
    try:
        if job.count is None or job.media_file is None:
            _fail_local(opts, LocalFileError(f"{path} holds no complete job (nothing of it was sent): send it anew"))
        if media_file is not None and media_file != job.media_file:
            ctx.fail(f"--media-file differs from the job's ({job.media_file}); leave it out to resume")
        chosen = settings(job.media_file)
        _end_bulk(ctx, job, lambda tally, accounts: _run_bulk(ctx, chosen, job, iter(()), tally, accounts))
    finally:
        job.close()


# -- clicksend-mms journal ----------------------------------------------------------------------------------


@app.command("journal")
def show_journal(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A send journal (from `send --messages`).")],
    as_json: JsonOpt = False,
) -> None:
    """Show a send job's state: how many messages are sent, in flight (may have been sent), not sent yet."""
    opts = _json_too(ctx, as_json)
    if not path.is_file():
        _fail_local(opts, LocalFileError(f"no send journal at {path}"))
    in_use = False
    try:
        job = Journal.open(path)
    except JournalLockedError:
        in_use = True
        job = Journal.read(path)
    except JournalError as exc:
        _fail_local(opts, LocalFileError(str(exc)))
    try:
        counts = job.counts()
        flight = [{"batch": b.number, "left_at": b.at, "indexes": len(b.indexes)} for b in job.in_flight.values()]
        state = {
            "journal": str(path),
            "job": job.job,
            "media_file": job.media_file,
            "created": job.created,
            "messages": job.count,
            "sent": counts["sent"],
            "in_flight": counts["in_flight"],
            "not_sent": counts["pending"] + counts["not_sent"],
            "in_flight_batches": flight,
            "in_use": in_use,
            "done": job.count is not None and counts["sent"] == job.count,
        }
    finally:
        job.close()
    if opts.as_json:
        _print_json(state)
        return
    if job.count is None:
        out.print(Text(f"{path}: a job whose input was never copied whole; nothing of it was sent"))
        return
    lines = [
        f"job {job.job}: {job.count} message(s), media_file {job.media_file}",
        f"sent {state['sent']}, in flight (may have been sent) {state['in_flight']}, not sent yet {state['not_sent']}",
    ]
    if flight:
        lines.append(f"{len(flight)} batch(es) in flight: `send --resume {path}` reconciles them with the MMS history")
    elif not state["done"]:
        lines.append(f"resume with `clicksend-mms send --resume {path}`")
    else:
        lines.append("done: every message was sent")
    if in_use:
        lines.append("in use: a send or resume of this job is running now")
    out.print(Text("\n".join(lines)))
