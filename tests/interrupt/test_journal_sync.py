"""The journal's group commit: batches that leave together share an fsync, and none is sent before its own ``leave``
record is on disk (the order the kill -9 guarantee rests on)."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from pathlib import Path

import pytest
from clicksend_mms import journal as journal_module
from clicksend_mms.journal import Journal


def _messages(count: int) -> list[dict[str, str]]:
    return [{"to": "+61411111111", "subject": "Hi", "body": f"message {i}"} for i in range(count)]


def test_concurrent_batches_share_one_fsync_and_each_leaves_after_its_record_is_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = Journal.open(tmp_path / "job.journal")
    job.create("https://example.com/cat.jpg", _messages(80))
    on_disk: list[int] = []  # the file's size each fsync made durable

    def fsync(fd: int) -> None:
        on_disk.append(os.fstat(fd).st_size)

    monkeypatch.setattr(journal_module.os, "fsync", fsync)

    async def batch(number: int) -> int:
        indexes = list(range(number * 10, number * 10 + 10))
        await job.leave_durably(indexes, [f"tag{i}" for i in indexes])
        return _record_end(job, number)

    async def main() -> list[int]:
        return list(await asyncio.gather(*(batch(n) for n in range(8))))

    ends = asyncio.run(main())
    job.close()
    # Eight batches made ready in one turn of the loop: one fsync covers every leave record (per-batch fsyncs: 8).
    assert len(on_disk) == 1, on_disk
    # And each batch went on only once its own record was within what an fsync had put on disk.
    assert all(any(end <= size for size in on_disk) for end in ends), (ends, on_disk)


def _record_end(job: Journal, number: int) -> int:
    """Where batch ``number``'s leave record ends in the file."""
    text = job.path.read_bytes()
    marker = f'"kind":"leave","batch":{number},'.encode()
    start = text.index(marker)
    return text.index(b"\n", start) + 1


def test_a_send_cancelled_during_an_fsync_closes_the_journal_without_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancelled send closes its journal while the group commit's fsync may still run in its thread: that fsync
    must still sync this journal (not fail on a closed descriptor, and print no "exception never retrieved")."""
    job = Journal.open(tmp_path / "job.journal")
    job.create("https://example.com/cat.jpg", _messages(10))
    started, release = threading.Event(), threading.Event()
    synced: list[int] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        started.set()
        release.wait(60)
        real_fsync(fd)  # raises EBADF if the descriptor was the journal's own, closed meanwhile
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr(journal_module.os, "fsync", slow_fsync)
    errors: list[dict[str, object]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: errors.append(context))
        waiter = asyncio.ensure_future(job.leave_durably([0, 1], ["a", "b"]))
        await asyncio.to_thread(started.wait, 60)
        waiter.cancel()  # Ctrl-C / task cancellation: the batch never leaves
        with pytest.raises(asyncio.CancelledError):
            await waiter
        syncing = job._syncing
        assert syncing is not None
        job.close()  # what the send does on its way out
        release.set()
        await asyncio.wait([syncing])  # done, its exception (if any) not retrieved: as after a cancelled send

    asyncio.run(main())

    gc.collect()  # an unretrieved task exception is reported when the task is collected
    assert errors == [] and len(synced) == 1
    assert synced[0] == (tmp_path / "job.journal").stat().st_size
