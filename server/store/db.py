"""The async engine and its sessions.

``Database.write()`` opens the one transaction a domain write runs in. On SQLite it
starts with ``BEGIN IMMEDIATE`` (take the write lock up front, so a read-then-write
transaction never fails half-way with SQLITE_BUSY) and writes from this process queue
on an asyncio lock instead of spinning in SQLite's busy handler. ``Database.read()``
opens a session for queries only.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def set_sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """What every connection to the database file sets: the engine's, and the send
    writer's (``server.store.writer``, which waits for locks its own way)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    # FULL: every commit is on disk before it returns, so an acknowledged message
    # survives a power cut too. Group commit (send_queue) pays one fsync per batch.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(database_url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> AsyncEngine:
    """Create the engine; on SQLite set WAL, foreign keys and a busy timeout per connection
    (``busy_timeout_ms``, the setting ``SQLITE_BUSY_TIMEOUT_MS``: how long a write waits
    for another process's write lock)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the driver's implicit BEGIN would
        # defeat BEGIN IMMEDIATE and savepoints).
        dbapi_connection.isolation_level = None
        set_sqlite_pragmas(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Owns the engine and hands out sessions; created in the app's cleanup context."""

    def __init__(self, engine: AsyncEngine, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.engine = engine
        self.busy_timeout_ms = busy_timeout_ms  # the send writer waits as long (store/writer.py)
        self.is_sqlite = engine.dialect.name == "sqlite"
        write_engine = engine.execution_options(sqlite_immediate=True) if self.is_sqlite else engine
        self._write_sessions = async_sessionmaker(write_engine, expire_on_commit=False, autoflush=True)
        self._read_sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    def write_lock(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The per-process write lock (SQLite), or nothing to wait for (PostgreSQL)."""
        return self._write_lock or contextlib.nullcontext()

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite database file, or None (PostgreSQL, or SQLite in memory)."""
        database = self.engine.url.database
        return database if self.is_sqlite and database and database != ":memory:" else None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on normal exit, rolled back on error."""
        async with self.write_lock():
            async with self._write_sessions() as session:
                async with session.begin():
                    yield session

    @contextlib.asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session for one write transaction that the caller commits itself
        (``Transactions.begin``); closing it uncommitted rolls back."""
        async with self.write_lock():
            async with self._write_sessions() as session:
                yield session

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read_sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
