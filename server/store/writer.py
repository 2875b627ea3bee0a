"""The send writer on SQLite: one ``sqlite3`` connection of its own, and a thread for
the waits.

A send batch through SQLAlchemy's async session costs a hop to aiosqlite's thread and
back for every statement, and SQLAlchemy's statement machinery on top; a one-message
batch took about 8 ms of CPU. Here a batch's statements run as plain sqlite3 calls:

* a small batch (the usual case below saturation) runs its reads and writes on the event
  loop, where they take a few hundred microseconds, and only ``COMMIT`` (the fsync, the
  one real wait) goes to the writer's thread. Measured on the 2-core box, with the
  server on one core as in ``make bench``: handing the whole batch to the thread cost
  0.3-0.4 ms on each hop and stretched the batch's own work while the loop and the
  thread took turns with the GIL, about 1.5 ms of a one-message batch's 3.8 ms;
* a large batch (rendering hundreds of messages) runs whole on the thread, so the loop
  keeps serving connections meanwhile.

``BEGIN IMMEDIATE`` is tried on the loop without waiting; if another process holds the
write lock (the command line seeding while the server runs) it is retried on the thread
under the usual busy timeout, so the loop never blocks on a lock.

It writes to the same database file as the engine's connections, with the same pragmas
(``server.store.db.set_sqlite_pragmas``), and takes the same per-process write lock
(``Database.write_lock``), so writes from this process never wait for each other in
SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from server.store.db import Database, set_sqlite_pragmas
from server.store.faults import storage_fault

T = TypeVar("T")


class SqliteWriter:
    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="send-writer")
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit mode: the transaction is ours (BEGIN IMMEDIATE below). Used by the
            # loop and the writer's thread in turn, never at once (the write lock).
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, cached_statements=256)
            set_sqlite_pragmas(connection, busy_timeout_ms=0)  # lock waits go to the thread (_begin_waiting)
            self._connection = connection
        return self._connection

    def _begin_waiting(self, connection: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE under the busy timeout (on the thread: another process writes)."""
        connection.execute(f"PRAGMA busy_timeout={int(self.db.busy_timeout_ms)}")
        try:
            connection.execute("BEGIN IMMEDIATE")
        finally:
            connection.execute("PRAGMA busy_timeout=0")

    def _commit(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _work(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` inside the open transaction, rolled back if it raises."""
        try:
            return work(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _whole(self, connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        result = self._work(connection, work)
        self._commit(connection)
        return result

    async def _run(self, work: Callable[[sqlite3.Connection], T], small: bool) -> T:
        loop = asyncio.get_running_loop()
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # extended codes too
                raise
            await loop.run_in_executor(self._thread, self._begin_waiting, connection)
        if not small:
            return await loop.run_in_executor(self._thread, self._whole, connection, work)
        result = self._work(connection, work)
        await loop.run_in_executor(self._thread, self._commit, connection)
        return result

    def _forget_after(self, error: BaseException) -> None:
        """After a storage fault other than a lock wait (read-only, I/O error, full), open
        a new connection for the next write: SQLite keeps a connection that once failed to
        write its log read-only even after the fault clears (found by
        tests/test_faults_storage.py), so a send could never succeed again."""
        if self._connection is None or not isinstance(error, sqlite3.Error):
            return
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if storage_fault(error) is None or code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return
        connection, self._connection = self._connection, None
        try:
            connection.close()
        except sqlite3.Error:
            pass  # it is being dropped for failing; its own close failing changes nothing

    async def transaction(self, work: Callable[[sqlite3.Connection], T], *, small: bool = True) -> T:
        """Run ``work(connection)`` in one transaction: committed when it returns, rolled
        back when it raises. ``small``: run ``work`` on the loop (a batch of a few
        messages), else on the writer's thread. Not cancellable half-way: a caller
        cancelled meanwhile still leaves it to finish (shielded), so the outcome of a
        commit is never unknown to the writer."""
        async with self.db.write_lock():
            future = asyncio.ensure_future(self._run(work, small))
            try:
                return await asyncio.shield(future)
            except asyncio.CancelledError:
                try:
                    await future  # keep the lock until the transaction is settled
                except Exception as error:
                    self._forget_after(error)
                raise
            except Exception as error:
                self._forget_after(error)
                raise

    def close(self) -> None:
        def _close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._thread.submit(_close).result()
        self._thread.shutdown(wait=True)
