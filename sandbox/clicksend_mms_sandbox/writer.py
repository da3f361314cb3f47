"""Group commit: one writer thread runs every write, and writes that queue up while a COMMIT is being fsynced share
the next transaction, each in its own SAVEPOINT (a failing write is rolled back alone and writes nothing). A caller
is answered only once the COMMIT holding its write has returned, so an acknowledged write survives kill -9."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], T]


class StoreClosed(RuntimeError):
    """A write or read after Store.close()."""


@dataclass
class WriterStats:
    """Counters of the writer thread (tests check group commit with them)."""

    commits: int = 0
    writes: int = 0
    largest_batch: int = 0


class _Write:
    __slots__ = ("future", "job")

    def __init__(self, job: Job[Any], future: Future[Any]) -> None:
        self.job = job
        self.future = future


_STOP = None


class Writer:
    """The writer thread: takes every write queued so far, runs each in a SAVEPOINT of one transaction, commits
    once, then answers them all.

    It holds no reference to its Store (so an unclosed Store can still be garbage collected, which stops it)."""

    max_batch = 256

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock  # shared with readers of an in-memory database
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._state_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.stats = WriterStats()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def submit(self, job: Job[T]) -> Future[T]:
        future: Future[T] = Future()
        with self._state_lock:
            if self._closed:
                raise StoreClosed("the store is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="clicksend-mms-sandbox-writer", daemon=True)
                self._thread.start()
            self._queue.put(_Write(job, future))
        return future

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the queued writes, then end the thread (idempotent)."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put(_STOP)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stopping = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._commit(batch)
            except BaseException as exc:  # e.g. a broken connection: fail, never hang, the callers
                for write in batch:
                    if not write.future.done():
                        write.future.set_exception(exc)
            if stopping:
                return

    def _commit(self, batch: list[_Write]) -> None:
        conn = self._conn
        done: list[tuple[_Write, bool, Any]] = []  # (write, ok, result or exception)
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except BaseException as exc:  # handed to every waiting caller
                for write in batch:
                    if write.future.set_running_or_notify_cancel():
                        write.future.set_exception(exc)
                return
            for write in batch:
                if not write.future.set_running_or_notify_cancel():
                    continue  # its caller went away before it ran: nothing is written, nobody is answered
                conn.execute("SAVEPOINT write")
                try:
                    result = write.job(conn)
                except BaseException as exc:  # this write alone is undone; its caller gets exc
                    conn.execute("ROLLBACK TO write")
                    conn.execute("RELEASE write")
                    done.append((write, False, exc))
                else:
                    conn.execute("RELEASE write")
                    done.append((write, True, result))
            try:
                conn.execute("COMMIT")
            except BaseException as exc:  # nothing of the batch is committed: all of it fails
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                for write, ok, value in done:
                    write.future.set_exception(exc if ok else value)
                return
            self.stats.commits += 1
            self.stats.writes += len(done)
            self.stats.largest_batch = max(self.stats.largest_batch, len(done))
        # Answered only now: every result below is durable.
        for write, ok, value in done:
            if ok:
                write.future.set_result(value)
            else:
                write.future.set_exception(value)
