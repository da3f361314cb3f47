"""Send -> interrupt at a random instant -> resume until done, against a real sandbox, per interruption mode.

    python -m tests.interrupt.trials --trials 50 --seed 1          # the full run (make interrupt-trials)
    python -m tests.interrupt.trials --trials 2 --mode cli-sigkill  # one mode

Modes: SIGINT / SIGTERM / SIGKILL to the CLI (`clicksend-mms send --messages FILE`, journal on by default), task
cancellation in the SDK (`send_bulk(journal=...)`), and the sandbox's queued `drop` and `500 after commit` faults
on a send at a random instant. Each trial has its own sandbox account (fresh history and balance) and asserts:
- every message is stored exactly once (counted by its custom_string in the account's history);
- the balance went down by exactly one price per message (the price asked of the sandbox, not a number kept here);
- the interrupted run's account agreed with what the sandbox had stored at that moment (everything it reported
  sent was stored, nothing it reported not sent was); after SIGKILL, which leaves no account, the journal's
  (sent <= stored <= sent + in flight).
The seed decides every instant and size; how far a send gets before the instant depends on the machine, so the
table reports how many runs were actually cut short, and no assertion depends on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from clicksend_mms import AsyncClickSend, BulkSendError
from clicksend_mms.journal import IN_FLIGHT, SENT, Journal
from clicksend_mms.reconcile import ReconcilePolicy, UnknownFateError
from clicksend_mms.send_account import SendAccount, SendCancelled
from clicksend_mms_sandbox.testing import serve

MODES = ("cli-sigint", "cli-sigterm", "cli-sigkill", "sdk-cancel", "fault-drop", "fault-500-after-commit")
MEDIA = "https://example.com/cat.jpg"
RECIPIENT = "+61400000001"  # an ordinary, charged number
# The sandbox lists a send in history as soon as it is committed; a killed client's last request may still be
# committing when resume looks, so give history a little lag, and poll past it.
POLICY = ReconcilePolicy(history_lag=2.0, timeout=10.0, poll_interval=0.25)
MAX_RESUMES = 8


@dataclasses.dataclass
class Trial:
    mode: str
    number: int
    count: int = 0
    interrupted: bool = False
    maybe: int = 0
    resumes: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)


class Sandbox:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.url = origin + "/v3"

    def add_account(self, name: str) -> tuple[str, str]:
        key = f"{name}-key"
        body = {"username": name, "api_key": key, "balance": "1000000"}
        httpx.post(f"{self.origin}/_sandbox/accounts", json=body, auth=("sandbox", "sandbox-key")).raise_for_status()
        return name, key

    def balance(self, auth: tuple[str, str]) -> tuple[Decimal, Decimal]:
        data = httpx.get(f"{self.origin}/_sandbox/account", auth=auth).json()["data"]
        return Decimal(str(data["opening_balance"])), Decimal(str(data["balance"]))

    def fault(self, auth: tuple[str, str], fault: dict[str, Any]) -> None:
        body = {"method": "POST", "path": "/mms/send", "times": 1, **fault}
        httpx.post(f"{self.origin}/_sandbox/faults", json=body, auth=auth).raise_for_status()

    def clear_faults(self, auth: tuple[str, str]) -> None:
        httpx.delete(f"{self.origin}/_sandbox/faults", auth=auth).raise_for_status()

    def stored(self, auth: tuple[str, str]) -> Counter[str]:
        async def walk() -> Counter[str]:
            async with AsyncClickSend(*auth, base_url=self.url) as client:
                return Counter([str(row.custom_string) async for row in client.iter_history(limit=100)])

        return asyncio.run(walk())

    def price(self, auth: tuple[str, str]) -> Decimal:
        async def ask() -> Decimal:
            async with AsyncClickSend(*auth, base_url=self.url) as client:
                data = await client.price([{"to": RECIPIENT, "subject": "s", "body": "b"}], media_file=MEDIA)
                return Decimal(str(data.total_price))

        return asyncio.run(ask())


def _messages(trial: Trial) -> list[dict[str, str]]:
    return [
        {"to": RECIPIENT, "subject": "s", "body": f"m{i}", "custom_string": f"t{trial.number}-{i}"}
        for i in range(trial.count)
    ]


def _indexes(counter: Counter[str]) -> set[int]:
    return {int(tag.rsplit("-", 1)[1]) for tag in counter}


def _ranges(payload: dict[str, Any], name: str) -> set[int]:
    return {i for start, stop in payload["ranges"][name] for i in range(start, stop)}


def _check_account(trial: Trial, sent: set[int], not_sent: set[int], stored: set[int]) -> None:
    if not sent <= stored:
        trial.problems.append(f"reported sent but not stored: {sorted(sent - stored)[:5]}")
    if not_sent & stored:
        trial.problems.append(f"reported not sent but stored: {sorted(not_sent & stored)[:5]}")


# -- the CLI modes ------------------------------------------------------------------------------------------


def _cli(sandbox: Sandbox, auth: tuple[str, str], *args: str) -> list[str]:
    base = ["--base-url", sandbox.url, "--username", auth[0], "--api-key", auth[1], "--json"]
    return [sys.executable, "-m", "clicksend_mms", *base, "send", *args]


def _default_signals() -> None:
    # A harness started in the background has SIGINT ignored, and a child would inherit that: Ctrl-C as a user has it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli_run(
    command: list[str], rng: random.Random, sig: signal.Signals | None, window: float, journal: Path | None = None
) -> tuple[int, dict[str, Any] | None]:
    """Run the CLI; with ``sig``, signal it at a random instant: from its start (half the time, so start-up is
    covered too) or from when its journal appears (the send itself; Python's start-up alone can take seconds)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_signals,
    )
    if sig is not None:
        if journal is not None and rng.random() < 0.5:
            while process.poll() is None and not (journal.is_file() and journal.stat().st_size):
                time.sleep(0.01)  # timing-safe: polls for the journal; the instant is drawn after it
        try:
            process.wait(timeout=rng.uniform(0.0, window))
        except subprocess.TimeoutExpired:
            process.send_signal(sig)
    _out, err = process.communicate(timeout=300)
    payload = None
    for line in reversed(err.decode().splitlines()):
        if line.startswith("{"):
            payload = json.loads(line)
            break
    return process.returncode, payload


def cli_trial(sandbox: Sandbox, trial: Trial, rng: random.Random, sig: signal.Signals, work: Path) -> None:
    auth = sandbox.add_account(f"cli{trial.number}")
    source = work / f"t{trial.number}.jsonl"
    source.write_text("".join(json.dumps(m) + "\n" for m in _messages(trial)))
    journal = Path(f"{source}.journal")
    flags = ["--batch-size", str(rng.choice((50, 100, 250))), "--parallel", str(rng.choice((1, 2, 4)))]
    send = _cli(sandbox, auth, "--messages", str(source), "--media-file", MEDIA, *flags)
    code, payload = _cli_run(send, rng, sig, 3.0, journal)
    stored = _indexes(sandbox.stored(auth))
    if code != 0:
        trial.interrupted = True
        if not _has_job(journal):
            # Cut short before the job was in the journal (starting up, reading the input): nothing may have left.
            if stored:
                trial.problems.append(f"no job in the journal, yet {len(stored)} stored")
        elif sig is signal.SIGKILL or code < 0:
            # No account: SIGKILL, or a signal that landed while Python was finishing, its handlers gone (the
            # send had ended; what it printed went with it). The journal is then the account.
            with Journal.read(journal) as job:
                sent = {i for i, s in enumerate(job.state) if s == SENT}
                flight = {i for i, s in enumerate(job.state) if s == IN_FLIGHT}
            trial.maybe += len(flight)
            if not sent <= stored or not stored <= sent | flight:
                trial.problems.append("journal disagrees with the sandbox after SIGKILL")
        elif payload is not None and "ranges" not in payload and "nothing was sent" in payload.get("message", ""):
            # Between the job's copy and the send's start: true only if no batch had left.
            with Journal.read(journal) as job:
                left = any(s in (SENT, IN_FLIGHT) for s in job.state)
            if left or stored:
                trial.problems.append(f"'nothing was sent', yet {len(stored)} stored (batches left: {left})")
        elif payload is None or "ranges" not in payload:
            trial.problems.append(f"exit {code} without an account")
        else:
            trial.maybe += len(_ranges(payload, "may_have_been_sent"))
            _check_account(trial, _ranges(payload, "sent"), _ranges(payload, "not_sent"), stored)
    # Resume until done; the first resume is interrupted too, half the time.
    while code != 0 and trial.resumes < MAX_RESUMES:
        trial.resumes += 1
        again = sig if trial.resumes == 1 and rng.random() < 0.5 else None
        lag = ["--history-lag", str(POLICY.history_lag), "--poll-for", str(POLICY.timeout)]
        command = _cli(sandbox, auth, "--resume", str(journal), *lag) if _has_job(journal) else send
        code, _payload = _cli_run(command, rng, again, 2.0, journal)
        if code not in (0, 13, 130, 143) and code >= 0:  # < 0: killed by the signal while Python started
            trial.problems.append(f"resume exit {code}: {_payload}")
            break
    _final_checks(sandbox, auth, trial)


def _has_job(journal: Path) -> bool:
    """The journal holds a whole job (so some of it may have left); otherwise nothing was sent."""
    if not journal.is_file():
        return False
    job = Journal.read(journal)
    return job.count is not None


# -- the SDK modes ------------------------------------------------------------------------------------------


async def _sdk_send(
    sandbox: Sandbox, auth: tuple[str, str], trial: Trial, journal: Path, rng: random.Random, mode: str | None
) -> SendAccount | None:
    """One run of send_bulk on the journal; cut short as ``mode`` says. The account when it was cut short."""
    async with AsyncClickSend(*auth, base_url=sandbox.url) as client:
        task = asyncio.ensure_future(
            client.send_bulk(
                _messages(trial),
                media_file=MEDIA,
                journal=journal,
                batch_size=rng.choice((50, 100, 250)),
                concurrency=rng.choice((1, 2, 4)),
                reconcile=POLICY,
            )
        )
        done, _ = await asyncio.wait({task}, timeout=rng.uniform(0.0, 0.6) if mode else None)
        if not done and mode == "sdk-cancel":
            task.cancel()
        elif not done and mode == "fault-drop":
            await asyncio.to_thread(sandbox.fault, auth, {"drop": True, "after_commit": rng.random() < 0.5})
        elif not done and mode == "fault-500-after-commit":
            await asyncio.to_thread(sandbox.fault, auth, {"status": 500, "after_commit": True})
        try:
            await task
        except SendCancelled as exc:
            return exc.account
        except BulkSendError as exc:
            return exc.account
        return None


def sdk_trial(sandbox: Sandbox, trial: Trial, rng: random.Random, work: Path) -> None:
    auth = sandbox.add_account(f"sdk{trial.number}")
    journal = work / f"t{trial.number}.journal"
    account = asyncio.run(_sdk_send(sandbox, auth, trial, journal, rng, trial.mode))
    sandbox.clear_faults(auth)  # a fault queued after the last send must not meet a resume
    if account is not None:
        trial.interrupted = True
        trial.maybe += len(account.may_have_been_sent)
        _check_account(trial, set(account.sent), set(account.not_sent), _indexes(sandbox.stored(auth)))
    finished = account is None
    while not finished and trial.resumes < MAX_RESUMES:
        trial.resumes += 1
        try:
            finished = asyncio.run(_sdk_send(sandbox, auth, trial, journal, rng, None)) is None
        except UnknownFateError:
            continue
    _final_checks(sandbox, auth, trial)


def _final_checks(sandbox: Sandbox, auth: tuple[str, str], trial: Trial) -> None:
    counts = sandbox.stored(auth)
    expected = {f"t{trial.number}-{i}" for i in range(trial.count)}
    if set(counts) != expected:
        trial.problems.append(f"stored {len(counts)} of {trial.count} tags (or others)")
    twice = [tag for tag, n in counts.items() if n != 1]
    if twice:
        trial.problems.append(f"stored more than once: {twice[:5]}")
    opening, balance = sandbox.balance(auth)
    charged = opening - balance
    expected_charge = sandbox.price(auth) * trial.count
    if charged != expected_charge:
        trial.problems.append(f"charged {charged}, expected {expected_charge}")


# -- the table ----------------------------------------------------------------------------------------------


def run(modes: list[str], trials: int, seed: int, count_range: tuple[int, int]) -> list[Trial]:
    done: list[Trial] = []
    with serve(rate_limit=0) as running, tempfile.TemporaryDirectory() as folder:
        sandbox = Sandbox(running.origin)
        number = 0
        for mode in modes:
            for _ in range(trials):
                number += 1
                rng = random.Random(f"{seed}-{mode}-{number}")
                trial = Trial(mode, number, count=rng.randint(*count_range))
                signals = {"cli-sigint": signal.SIGINT, "cli-sigterm": signal.SIGTERM, "cli-sigkill": signal.SIGKILL}
                if mode in signals:
                    cli_trial(sandbox, trial, rng, signals[mode], Path(folder))
                else:
                    sdk_trial(sandbox, trial, rng, Path(folder))
                done.append(trial)
    return done


def table(done: list[Trial]) -> str:
    lines = [
        "| mode | trials | cut short | may-have-been-sent msgs | resumes | messages | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode in dict.fromkeys(t.mode for t in done):
        rows = [t for t in done if t.mode == mode]
        lines.append(
            f"| {mode} | {len(rows)} | {sum(t.interrupted for t in rows)} | {sum(t.maybe for t in rows)} | "
            f"{sum(t.resumes for t in rows)} | {sum(t.count for t in rows)} | {sum(bool(t.problems) for t in rows)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--trials", type=int, default=50, help="trials per mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", action="append", choices=MODES, help="only this mode (repeatable)")
    parser.add_argument("--min-messages", type=int, default=300)
    parser.add_argument("--max-messages", type=int, default=3000)
    args = parser.parse_args(argv)
    started = time.monotonic()
    done = run(args.mode or list(MODES), args.trials, args.seed, (args.min_messages, args.max_messages))
    print(table(done))
    for trial in done:
        for problem in trial.problems:
            print(f"trial {trial.number} ({trial.mode}): {problem}", file=sys.stderr)
    print(f"{len(done)} trials in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 1 if any(t.problems for t in done) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
