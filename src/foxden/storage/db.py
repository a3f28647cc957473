"""One ``Database`` for SQLite and PostgreSQL: callers hand it a transaction body, it runs it.

A transaction body is a plain function ``fn(conn, ...)`` taking a SQLAlchemy ``Connection``;
storage modules are written once, synchronously, against that connection, and the caller decides
what goes into one transaction. ``read`` and ``write`` run such a body:

- **SQLite** (the embedded default) runs in WAL mode. Reads run on the event loop's own thread,
  on a connection of their own, and never wait for the writer's transaction: a read is a few
  hundred microseconds of Python at most, less than handing it to a thread and back cost
  (measured: about 0.4 ms), and the GIL would serialize it anyway. All writes go to **one writer
  thread**
  that drains its queue and commits whatever is queued in one transaction (group commit); a
  body that raises is rolled back alone by replaying the batch without it. One commit per
  batch instead of one per body is what lets ingest keep up with the HTTP server.
- **PostgreSQL** uses asyncpg through SQLAlchemy's async engine; the same synchronous body runs
  inside ``AsyncConnection.run_sync``, so there is still one code path for queries. Reads use a
  pool; writes go to writer tasks ("lanes", one connection each), committing in groups too (a
  commit on PostgreSQL waits for its WAL flush: one flush per batch, not per body).

Both writers are in ``storage.writer``.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, pool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from foxden.storage.writer import TaskWriter, ThreadWriter

P = ParamSpec("P")
T = TypeVar("T")
Body = Callable[Concatenate[Connection, P], T]

# WAL lets readers work beside the writer; NORMAL sync in WAL mode survives a killed process
# (only a power loss can drop the last commits); the busy timeout covers other processes
# (the CLI) writing the same file.
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-32000",
)


def sync_url(url: str) -> str:
    """The SQLAlchemy URL of ``url`` with foxden's driver: pysqlite or asyncpg."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def shown(url: str) -> str:
    """``url`` as output and logs may show it: with its password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str, begin: str, size: int) -> Engine:
    """An engine on a SQLite file with foxden's pragmas; ``begin`` opens each transaction."""
    engine = create_engine(
        url,
        poolclass=pool.QueuePool,
        pool_size=size,
        max_overflow=0,
        connect_args={"check_same_thread": False, "isolation_level": None},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    # pysqlite's own transaction handling is bypassed (isolation_level=None) so that SQLAlchemy
    # emits BEGIN itself and savepoints work.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


class Database:
    """The storage of one foxden: run transaction bodies, on SQLite or PostgreSQL."""

    def __init__(
        self,
        url: str,
        *,
        write_batch: int = 512,
        pool_size: int = 10,
        writers: int = 4,
    ):
        self.url = sync_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        self._reader: Connection | None = None
        self._read_engine: Engine | None = None
        self._write_batch = write_batch
        self._writer: ThreadWriter | None = None
        self._lanes: list[TaskWriter] = []
        self._lane_count = writers
        self._write_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        if self.dialect == "sqlite":
            database = make_url(self.url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._write_engine = _sqlite_engine(self.url, "BEGIN IMMEDIATE", 1)
            self._read_engine = _sqlite_engine(self.url, "BEGIN", 1)
            self._reader = self._read_engine.connect()
            self._writer = ThreadWriter(self._write_engine, write_batch)
        else:
            self._async_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False
            )

    async def read(self, body: Body[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``body(conn, ...)`` in a read transaction and return its result."""
        if self._async_engine is not None:
            # One snapshot for the whole body, as on SQLite: a page and its details agree even
            # while writers commit (PostgreSQL's default, READ COMMITTED, is per statement).
            async with self._async_engine.connect() as aconn:
                await aconn.execution_options(isolation_level="REPEATABLE READ")
                result: T = await aconn.run_sync(body, *args, **kwargs)
                await aconn.rollback()
                return result
        assert self._reader is not None
        # Synchronous on purpose (see the module docstring); a body never awaits, so two
        # reads never interleave on the connection.
        with self._reader.begin():
            return body(self._reader, *args, **kwargs)

    async def write(self, body: Body[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``body(conn, ...)`` in a write transaction; return once it is committed."""
        return await self._submit(0, lambda conn: body(conn, *args, **kwargs))

    async def write_in(self, lane: str, body: Body[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``write``, in the lane of ``lane`` (a device id, say).

        On PostgreSQL each lane is a writer with its own connection, committing in parallel
        with the others; the writes of one lane key are always in the same lane, so they never
        wait on each other's row locks across lanes. SQLite has one writer for all.
        """
        index = zlib.crc32(lane.encode()) % self._lane_count
        return await self._submit(index, lambda conn: body(conn, *args, **kwargs))

    async def _submit(self, lane: int, body: Callable[[Connection], T]) -> T:
        if self._writer is not None:
            return await self._writer.submit(body)
        if not self._lanes:
            assert self._async_engine is not None
            # Made on first use: the tasks belong to the event loop of the callers.
            self._lanes = [
                TaskWriter(self._async_engine, self._write_batch) for _ in range(self._lane_count)
            ]
        return await self._lanes[lane].submit(body)

    async def close(self) -> None:
        """Finish queued writes and release every connection."""
        for writer in self._lanes:
            await writer.close()
        if self._async_engine is not None:
            await self._async_engine.dispose()
            return
        assert self._writer and self._reader and self._write_engine and self._read_engine
        await asyncio.get_running_loop().run_in_executor(None, self._writer.close)
        self._reader.close()
        self._write_engine.dispose()
        self._read_engine.dispose()
