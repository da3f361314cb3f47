"""The send journal: one JSON Lines file per bulk job, so a send cut short at any instant can resume exactly once.

Records, one JSON object a line, appended only:

    {"kind": "job", "version": 2, "job": "<hex>", "media_file": ..., "created": <unix>}
    {"kind": "messages", "from": <input index>, "m": [<wire dicts as given>, ...]}   the input, 1,000 messages a line
    {"kind": "input", "count": N}                               every message is in the journal: sending may start
    {"kind": "leave", "batch": B, "at": <unix>, "i": [indexes], "tags": [custom_strings]}   fsync'd BEFORE it leaves
    {"kind": "answered", "batch": B, "r": [[index, message_id, status], ...]}                after ClickSend's answer
    {"kind": "refused", "batch": B, "error": "..."}             an answer proved nothing was accepted (a 4xx)
    {"kind": "maybe", "batch": B, "error": "..."}               no answer, or one that does not prove anything
    {"kind": "reconciled", "batch": B, "sent": [...], "not_sent": [...], "forced": [...]}    resume's findings

Why it survives kill -9 at any instant: the whole input is written (and fsync'd) before the first batch leaves, a
batch's ``leave`` is fsync'd before its request starts, and a line cut short by the kill (no newline) is ignored.
So a batch is "in flight" (may have been sent) exactly when its ``leave`` is there without an ``answered`` or
``refused``; only those need reconciling against ClickSend's history, by tag.

The tag: each message's ``custom_string`` is what identifies it in ClickSend's history. A message without one gets
``cs-<job>-<index>`` (the index zero-padded to 7 digits), derived when it is sent (the format is part of the journal's
version; a ``leave`` records the tags its batch was sent with). A user's own must be unique within the job (ClickSend
cannot tell two messages with the same custom_string apart), so a repeated one is refused before anything is sent
(``DuplicateTagError``).

Two processes cannot work on one job: the journal is locked (``flock``, exclusive, not waiting) while open, and a
second opener gets ``JournalLockedError``. The lock goes with the process, kill -9 included.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from .exceptions import ClickSendError, InvalidRequestError
from .request_check import Problem

VERSION = 2
# Version 1 copied the input one message a line, each with its tag set ({"kind": "message", "i": ..., "m": ...}):
# still read, so a job started before an upgrade resumes after it. Version 2 copies it a chunk a line, as given: the
# copy before the first batch leaves is what delays a journaled send, and one record per message cost 2 us each.
READABLE_VERSIONS = frozenset({1, 2})
TAG_FIELD = "custom_string"

# Per-message states, one byte each (a 100,000-message job keeps 100 kB of state in memory).
PENDING = 0  # never left
SENT = 1  # ClickSend answered for it, or history shows it
IN_FLIGHT = 2  # its batch may have been sent: reconcile before anything else
NOT_SENT = 3  # its batch was refused, or reconcile proved it absent: safe to send
RESENDABLE = frozenset({PENDING, NOT_SENT})  # never IN_FLIGHT: only reconcile may turn that into NOT_SENT


class JournalError(ClickSendError):
    """The journal cannot be used: unreadable, another job's, or not a journal."""


class JournalLockedError(JournalError):
    """Another process has this journal open (it is sending or resuming this job)."""


class DuplicateTagError(InvalidRequestError):
    """Two messages of one job share a custom_string: history could not tell which of them was sent."""


@dataclasses.dataclass
class LeftBatch:
    """A batch whose ``leave`` is in the journal: when, which messages, their tags."""

    number: int
    at: float
    indexes: list[int]
    tags: list[str]


# msgspec (a dependency of the client already): the journal is written and read back once per message.
_encoder = msgspec.json.Encoder()
_encode = _encoder.encode
_COPY_CHUNK = 1_000  # messages a line while copying the input (memory stays bounded for a streamed input)
_decode = msgspec.json.Decoder().decode


def added_tag(job: str, index: int) -> str:
    """Fixed width up to 10 million messages, so the tags sort in input order: in an export sorted by custom_string,
    and in a server's index on it (where each new tag is then appended, not inserted among the others)."""
    return f"cs-{job}-{index:07d}"


class Journal:
    """An open, locked journal. ``Journal.open(path)`` reads what an earlier run left (``exists``), if anything."""

    def __init__(self, path: Path, fh: IO[bytes]) -> None:
        self.path = path
        self._fh = fh
        self.job: str | None = None
        self.media_file: str | None = None
        self.created: float | None = None
        self.count: int | None = None  # set once the whole input is in the journal
        self.state = bytearray()
        self.in_flight: dict[int, LeftBatch] = {}
        self.next_batch = 0
        self.last_at: float | None = None
        self._source: Sequence[Mapping[str, Any]] | None = None  # the input create() copied, when it is in memory
        self._written = 0  # records appended so far
        self._synced = 0  # records known to be on disk
        self._syncing: asyncio.Task[None] | None = None

    # -- opening ------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Journal:
        import fcntl  # POSIX file locks; imported here so that `import clicksend_mms` works everywhere

        target = Path(path)
        fh = _opened(target, "a+b")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise JournalLockedError(
                f"the send journal {target} is in use by another process (a send or resume of this job is running): "
                "wait for it to finish, or stop it, before resuming."
            ) from None
        journal = cls(target, fh)
        try:
            journal._replay()
        except BaseException:
            journal.close()
            raise
        return journal

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Journal:
        """The journal's state without taking its lock (to show a job another process is running)."""
        target = Path(path)
        fh = _opened(target, "rb")
        journal = cls(target, fh)
        try:
            journal._replay()
        finally:
            fh.close()
        return journal

    @property
    def exists(self) -> bool:
        """True when an earlier run wrote a job here."""
        return self.job is not None

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()  # closing the file releases its lock

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _records(self) -> Iterator[dict[str, Any]]:
        self._fh.seek(0)
        for number, line in enumerate(self._fh, start=1):
            if not line.endswith(b"\n"):
                return  # cut short by a kill while being written: it never took effect (see the module's doc)
            try:
                record = _decode(line)
            except msgspec.DecodeError:
                raise JournalError(f"{self.path} line {number} is not a send journal record") from None
            if not isinstance(record, dict) or "kind" not in record:
                raise JournalError(f"{self.path} line {number} is not a send journal record")
            yield record

    def _replay(self) -> None:
        for record in self._records():
            kind = record["kind"]
            if kind == "job":
                if record.get("version") not in READABLE_VERSIONS:
                    raise JournalError(f"{self.path} is a send journal of another version ({record.get('version')})")
                self.job, self.media_file, self.created = record["job"], record["media_file"], record["created"]
            elif self.job is None:
                raise JournalError(f"{self.path} is not a send journal (no job record first)")
            elif kind in ("messages", "message"):
                end = record["from"] + len(record["m"]) if kind == "messages" else record["i"] + 1
                if end > len(self.state):
                    self.state.extend(bytes(end - len(self.state)))
            elif kind == "input":
                self.count = record["count"]
            elif kind == "leave":
                batch = LeftBatch(record["batch"], record["at"], record["i"], record["tags"])
                self.in_flight[batch.number] = batch
                self.next_batch = max(self.next_batch, batch.number + 1)
                self.last_at = batch.at
                self._mark(batch.indexes, IN_FLIGHT)
            elif kind == "answered":
                left = self.in_flight.pop(record["batch"])
                self._mark(left.indexes, SENT)
            elif kind == "refused":
                left = self.in_flight.pop(record["batch"])
                self._mark(left.indexes, NOT_SENT)
            elif kind == "maybe":
                pass  # still in flight: only history can tell
            elif kind == "reconciled":
                left = self.in_flight.pop(record["batch"])
                self._mark(record["sent"], SENT)
                self._mark(record["not_sent"], NOT_SENT)
                self._mark(record.get("forced", []), NOT_SENT)
        if self.job is not None and self.count is None:
            # Killed while copying the input: nothing can have left (sending starts after the input record).
            self.state = bytearray()

    def _mark(self, indexes: Iterable[int], state: int) -> None:
        for index in indexes:
            self.state[index] = state

    # -- writing ------------------------------------------------------------------------------------------
    def _append(self, record: Mapping[str, Any], *, durable: bool, flush: bool = True) -> None:
        self._fh.write(_encode(record) + b"\n")
        self._written += 1
        if flush or durable:
            self._fh.flush()
        if durable:
            os.fsync(self._fh.fileno())
            self._synced = self._written

    def create(self, media_file: str, messages: Iterable[Mapping[str, Any]]) -> int:
        """Write a new job: every message as given, a chunk a line, then the input record (fsync'd). Returns the count.

        Raises ``DuplicateTagError`` (nothing sent) when two messages carry the same custom_string."""
        if self.exists and self.count is not None:
            raise JournalError(f"{self.path} already holds a job; resume it, or give another journal")
        self._fh.seek(0)
        self._fh.truncate()  # a job whose input copy was cut short: start it again (nothing of it left)
        job = secrets.token_hex(6)
        created = time.time()
        self._append(
            {"kind": "job", "version": VERSION, "job": job, "media_file": media_file, "created": created}, durable=False
        )
        seen: dict[str, int] = {}
        count = 0
        source = iter(messages)
        while chunk := [m if isinstance(m, dict) else dict(m) for m in itertools.islice(source, _COPY_CHUNK)]:
            given = [m.get(TAG_FIELD) for m in chunk]
            if any(given):
                self._refuse_repeats(given, count, seen)
            # Not flushed: the input record after the last chunk is fsync'd, which puts every chunk on disk with it.
            self._fh.write(_encode({"kind": "messages", "from": count, "m": chunk}) + b"\n")
            self._written += 1
            count += len(chunk)
        self._append({"kind": "input", "count": count}, durable=True)
        self.job, self.media_file, self.created, self.count = job, media_file, created, count
        self.state = bytearray(count)
        if isinstance(messages, Sequence):
            self._source = messages  # to_send need not read the copy back: it is these
        return count

    def _refuse_repeats(self, given: list[Any], start: int, seen: dict[str, int]) -> None:
        """``DuplicateTagError`` (and no job written) when a custom_string of this chunk repeats an earlier one."""
        for index, tag in enumerate(given, start):
            if tag and (first := seen.setdefault(tag, index)) != index:
                self._fh.seek(0)
                self._fh.truncate()
                raise DuplicateTagError(
                    [Problem(("messages", index, TAG_FIELD), "unique", f"repeats message {first}'s custom_string")],
                    advice="The send journal identifies each message in ClickSend's history by its custom_string: "
                    "give every message its own, or none (the journal then adds one).",
                )

    @staticmethod
    def _tagged(job: str, index: int, message: Mapping[str, Any]) -> Mapping[str, Any]:
        """The message as the journal keeps and sends it: its own custom_string, or one the journal adds (to a copy:
        the caller's message is never changed). Read only, never mutated: a tagged message is returned as it is."""
        if message.get(TAG_FIELD):
            return message if isinstance(message, dict) else dict(message)  # a plain dict, for the JSON encoder
        return {**message, TAG_FIELD: added_tag(job, index)}

    def leave(self, indexes: list[int], tags: list[str]) -> int:
        """Record that a batch is about to leave, durably; returns its number. Call BEFORE sending it."""
        return self._record_leave(indexes, tags, durable=True)

    def _record_leave(self, indexes: list[int], tags: list[str], *, durable: bool) -> int:
        number = self.next_batch
        self.next_batch += 1
        at = time.time()
        self._append({"kind": "leave", "batch": number, "at": at, "i": indexes, "tags": tags}, durable=durable)
        self.in_flight[number] = LeftBatch(number, at, indexes, tags)
        self.last_at = at
        self._mark(indexes, IN_FLIGHT)
        return number

    async def leave_durably(self, indexes: list[int], tags: list[str]) -> int:
        """``leave``, with the fsync in a thread: other batches' requests go on while this one waits for the disk.
        Returns once the record is on disk, so the caller still sends only after that.

        Group commit: batches that become ready while an fsync runs share the next one (one fsync puts every record
        written before it on disk), so eight concurrent batches wait for two fsyncs, not eight in a row."""
        number = self._record_leave(indexes, tags, durable=False)
        mine = self._written
        while self._synced < mine:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync_written())
            await asyncio.shield(self._syncing)  # a cancelled waiter leaves the fsync to finish for the others
        return number

    async def _sync_written(self) -> None:
        covered = self._written  # every record appended (and flushed) before this fsync starts
        # A descriptor of its own, closed by the thread when done: a cancelled send closes the journal while this
        # fsync may still run, and fsync on the closed (or reused) descriptor would fail, or sync another file.
        fd = os.dup(self._fh.fileno())
        try:
            await asyncio.to_thread(_fsync_and_close, fd)
            self._synced = max(self._synced, covered)
        finally:
            self._syncing = None

    def answered(self, number: int, results: list[tuple[int, str | None, str | None]]) -> None:
        # Not fsync'd: if this line is lost the batch looks in flight, and reconcile finds it in history.
        self._append({"kind": "answered", "batch": number, "r": results}, durable=False)
        self._mark(self.in_flight.pop(number).indexes, SENT)

    def refused(self, number: int, error: str) -> None:
        self._append({"kind": "refused", "batch": number, "error": error}, durable=False)
        self._mark(self.in_flight.pop(number).indexes, NOT_SENT)

    def maybe(self, number: int, error: str) -> None:
        self._append({"kind": "maybe", "batch": number, "error": error}, durable=False)

    def reconciled(self, number: int, sent: list[int], not_sent: list[int], forced: list[int]) -> None:
        self._append(
            {"kind": "reconciled", "batch": number, "sent": sent, "not_sent": not_sent, "forced": forced}, durable=True
        )
        self.in_flight.pop(number)
        self._mark(sent, SENT)
        self._mark([*not_sent, *forced], NOT_SENT)

    # -- reading ------------------------------------------------------------------------------------------
    def to_send(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """The messages never sent (pending or proven not sent), in input order, read back from the file.

        Its own read handle: the journal is appended to while this is read (the messages all come before the
        input record, where reading stops). A job this journal just created from a list reads that list instead
        (the same messages, tagged the same way, without decoding the copy)."""
        if self._source is not None and self.job is not None:
            job, state, tagged = self.job, self.state, self._tagged
            for index, message in enumerate(self._source):
                if state[index] in RESENDABLE:
                    yield index, tagged(job, index, message)
            return
        job, state, tagged = self.job or "", self.state, self._tagged
        with self.path.open("rb") as reader:
            for line in reader:
                record = _decode(line)
                kind = record["kind"]
                if kind == "input":
                    return
                if kind == "messages":
                    for index, message in enumerate(record["m"], record["from"]):
                        if state[index] in RESENDABLE:
                            yield index, tagged(job, index, message)
                elif kind == "message" and state[record["i"]] in RESENDABLE:  # version 1: the message as tagged then
                    yield record["i"], record["m"]

    def fingerprint_matches(self, media_file: str, count: int) -> bool:
        return self.media_file == media_file and self.count == count

    def counts(self) -> dict[str, int]:
        names = {PENDING: "pending", SENT: "sent", IN_FLIGHT: "in_flight", NOT_SENT: "not_sent"}
        totals = dict.fromkeys(names.values(), 0)
        for state, name in names.items():
            totals[name] = self.state.count(state)
        return totals


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _opened(target: Path, mode: str) -> IO[bytes]:
    try:
        return target.open(mode)
    except OSError as exc:
        raise JournalError(f"cannot open the send journal {target}: {exc.strerror or exc}") from None
