"""Group commit: one writer per database commits whatever is queued in one transaction.

Each caller of ``Database.write`` queues a transaction body and waits. The writer takes every
body queued so far (up to a bound), runs them one after the other in one transaction, commits
once, then wakes each caller with its own result. A body that raises is rolled back by
replaying the batch without it: its caller gets the exception, the others the outcome they would
have had alone. On SQLite the writer is a thread owning the only write connection; on
PostgreSQL it is a task owning one connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A queued transaction body and the future its caller awaits."""

    body: Callable[[Connection], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    outcome: tuple[bool, Any] = field(default=(False, None))


def commit_batch(conn: Connection, jobs: list[Job]) -> None:
    """Run ``jobs`` in one transaction and record each outcome.

    A job that raises is dropped and the batch replayed without it (savepoints per job cost
    more than the rare replay). A failing commit fails every job still in the batch.
    """
    pending = list(jobs)
    while pending:
        try:
            with conn.begin() as transaction:
                failed = next((job for job in pending if not _apply(conn, job)), None)
                if failed is not None:
                    transaction.rollback()
                    pending.remove(failed)
                    continue
        except Exception as exc:  # the commit itself failed, and every body with it
            log.exception("group commit failed")
            for job in pending:
                job.outcome = (False, exc)
        return


def _apply(conn: Connection, job: Job) -> bool:
    try:
        job.outcome = (True, job.body(conn))
    except Exception as exc:  # noqa: BLE001 - handed back to the awaiting caller
        job.outcome = (False, exc)
        return False
    return True


def _settle(job: Job) -> None:
    if job.future.done():  # the caller was cancelled; the work is committed all the same
        return
    ok, value = job.outcome
    if ok:
        job.future.set_result(value)
    else:
        job.future.set_exception(value)


class ThreadWriter:
    """SQLite's writer: a thread with the only write connection."""

    def __init__(self, engine: Engine, batch: int) -> None:
        self._batch = batch
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        # Connect here, not in the thread, so a database that cannot be opened fails the caller.
        self._conn = engine.connect()
        self._thread = threading.Thread(target=self._run, name="foxden-writer", daemon=True)
        self._thread.start()

    async def submit(self, body: Callable[[Connection], T]) -> T:
        """Queue ``body`` and return its result once its batch is committed."""
        loop = asyncio.get_running_loop()
        job = Job(body, loop, loop.create_future())
        self._queue.put(job)
        result: T = await job.future
        return result

    def close(self) -> None:
        """Commit what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        with self._conn as conn:
            stop = False
            while not stop:
                first = self._queue.get()
                if first is None:
                    return
                jobs = [first]
                while len(jobs) < self._batch:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is None:
                        stop = True
                        break
                    jobs.append(job)
                commit_batch(conn, jobs)
                for job in jobs:
                    # A caller whose event loop has ended gets no answer; the writer carries on.
                    with contextlib.suppress(RuntimeError):
                        job.loop.call_soon_threadsafe(_settle, job)


class TaskWriter:
    """PostgreSQL's writer: a task on the event loop with one connection of its own."""

    def __init__(self, engine: AsyncEngine, batch: int) -> None:
        self._engine = engine
        self._batch = batch
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue()
        self._conn: AsyncConnection | None = None
        self._task = asyncio.get_running_loop().create_task(self._run(), name="foxden-writer")

    async def submit(self, body: Callable[[Connection], T]) -> T:
        """Queue ``body`` and return its result once its batch is committed."""
        loop = asyncio.get_running_loop()
        job = Job(body, loop, loop.create_future())
        self._queue.put_nowait(job)
        result: T = await job.future
        return result

    async def close(self) -> None:
        """Commit what is queued, then stop."""
        self._queue.put_nowait(None)
        await self._task
        if self._conn is not None:
            await self._conn.close()

    async def _run(self) -> None:
        stop = False
        while not stop:
            first = await self._queue.get()
            if first is None:
                return
            jobs = [first]
            while len(jobs) < self._batch and not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stop = True
                    break
                jobs.append(job)
            try:
                if self._conn is None:
                    self._conn = await self._engine.connect()
                await self._conn.run_sync(commit_batch, jobs)
            except Exception as exc:  # the connection broke: fail the batch, reconnect next time
                log.exception("the PostgreSQL writer lost its connection")
                for job in jobs:
                    job.outcome = (False, exc)
                conn, self._conn = self._conn, None
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()
            for job in jobs:
                _settle(job)
