"""The send writer on SQLite: one ``sqlite3`` connection on one thread of its own.

A send batch through SQLAlchemy's async session costs a hop to aiosqlite's thread and
back for every statement, and SQLAlchemy's statement machinery on top; a one-message
batch took about 8 ms of CPU. Here the whole batch (``BEGIN IMMEDIATE``, every read and
write, ``COMMIT``) is one call on the writer's thread, awaited once.

It writes to the same database file as the engine's connections, with the same pragmas
(``server.store.db``), and takes the same per-process write lock (``Database.write_lock``)
so writes from this process never wait in SQLite's busy handler; another process (the
command line seeding while the server runs) is waited for by the busy timeout, as for
every other write.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from server.store.db import SQLITE_BUSY_TIMEOUT_MS, Database

T = TypeVar("T")


class SqliteWriter:
    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="send-writer")
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit mode: the transaction is ours (BEGIN IMMEDIATE below).
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True, cached_statements=256)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "synchronous=FULL"):
                connection.execute(f"PRAGMA {pragma}")
            self._connection = connection
        return self._connection

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` in one transaction on the writer's thread: committed
        when it returns, rolled back when it raises. Not cancellable half-way: a caller
        cancelled while it runs still leaves it to finish (shielded), so the outcome of a
        commit is never unknown to the writer."""
        async with self.db.write_lock():
            future = asyncio.get_running_loop().run_in_executor(self._thread, self._transaction, work)
            try:
                return await asyncio.shield(future)
            except asyncio.CancelledError:
                await future  # keep the lock until the transaction is settled
                raise

    def close(self) -> None:
        def _close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._thread.submit(_close).result()
        self._thread.shutdown(wait=True)
