"""Group commit for message sends.

Sends from every connection and REST call queue here; one writer task takes whatever
has queued (up to ``max_batch``) and stores it in ONE transaction with ``post_sends`` (a
fixed number of statements per batch). It commits once, hands the batch's events to the
publisher, and only then resolves each caller's future: an acknowledgement always
means "committed". On SQLite this turns N fsyncs into one and keeps a single writer.

Where: on SQLite, on the send writer's own connection (``server.store.writer``), under the
same per-process write lock as every other write: a batch of up to ``SMALL_BATCH`` sends
on the event loop with only the commit on the writer's thread, a larger one whole on the
thread. On PostgreSQL (or SQLite in memory) it runs inside ``Transactions.begin()`` like
every other write (``posting.post_in_session``).

One bad send never fails the others: a send refused by the domain (validation,
permission, conflict) gets its own error inside the batch; if the batch's transaction
fails as a whole (a constraint or driver error no check foresaw), each of its sends is
written again on its own, so only the send that cannot be stored is answered with an
error, and that answer is the truth ("internal", logged with its traceback). A storage
fault (the database locked past the busy timeout, read-only, out of space:
``server.store.faults``) is nobody's send's fault: every send of the batch is answered
``unavailable`` at once, nothing is stored, and the client's retry with the same client
id succeeds once it clears.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from server.domain.errors import DomainError, Unavailable
from server.domain.posting import Batch, Outcome, Posted, SendRequest, post_in_session, post_sends
from server.store.faults import storage_fault
from server.store.send_sql import SendSql
from server.store.transaction import Transactions
from server.store.writer import SqliteWriter

log = logging.getLogger(__name__)
# Batches up to this many sends are written on the event loop, larger ones on the writer's
# thread (``server.store.writer``): about 0.1 ms of the loop per send.
SMALL_BATCH = 16


class SendFailed(DomainError):
    """The send could not be stored, even on its own; nothing was written for it."""

    code = "internal"


@dataclass
class _Send:
    actor_id: int
    session_id: str | None  # a live connection's session, re-checked when the batch is written
    request: SendRequest
    future: asyncio.Future[Posted]


class SendQueue:
    def __init__(self, txs: Transactions, max_chars: int, max_batch: int = 256) -> None:
        self.txs = txs
        self.max_chars = max_chars
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Send | None] = asyncio.Queue()  # None: stop
        self._task: asyncio.Task[None] | None = None
        path = txs.db.sqlite_path
        self._writer = SqliteWriter(txs.db, path) if path else None
        self.batches = 0  # for benchmarks and tests: how many commits served the sends

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="send-queue")

    async def stop(self) -> None:
        """Finish every send already queued (and the batch being written), then stop;
        never cancel a write half-way, so every waiting caller gets its answer."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        await self._task
        self._task = None
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._writer.close)

    async def send(
        self, actor_id: int, thread_id: int, client_id: str, body: str, *, session_id: str | None = None, trimmed: str = ""
    ) -> Posted:
        """Queue a send and wait until it is committed (or refused). With
        ``session_id``, the send is refused if that session has ended by the time it is
        written (a socket outliving its sign-out)."""
        if self._task is None or self._task.done():
            raise RuntimeError("the send queue is not running (the server is stopping)")
        future: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Send(actor_id, session_id, SendRequest(actor_id, thread_id, client_id, body, trimmed), future))
        # shield: a caller that goes away must not cancel a write already in flight
        return await asyncio.shield(future)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            await self._write_isolating(batch)

    async def _write_isolating(self, batch: list[_Send]) -> None:
        try:
            outcomes = await self._write(batch)
        except Exception as error:
            reason = storage_fault(error)
            if reason is not None:
                log.warning("%d sends refused: %s (%s)", len(batch), reason, error)
                self._answer(batch, [Unavailable(f"{reason}; nothing was saved: send it again")] * len(batch))
                return
            if len(batch) == 1:
                log.exception("a send could not be stored")
                self._answer(batch, [SendFailed("this message could not be stored; nothing was saved")])
                return
            log.warning("a batch of %d sends failed as a whole; writing each on its own", len(batch))
            for item in batch:
                await self._write_isolating([item])
            return
        self._answer(batch, outcomes)

    async def _write(self, batch: list[_Send]) -> list[Outcome]:
        """Write the batch in one transaction; returns each send's outcome once its
        events are handed to the publisher (after commit)."""
        sends = [(item.session_id, item.request) for item in batch]
        for attempt in (1, 2):
            try:
                if self._writer is not None:
                    done: Batch = await self._writer.transaction(
                        lambda c: post_sends(SendSql(c, "sqlite"), sends, self.max_chars), small=len(sends) <= SMALL_BATCH
                    )
                    await self.txs.announce(done.outgoing)
                else:
                    async with self.txs.begin() as tx:
                        done = await post_in_session(tx, lambda sql: post_sends(sql, sends, self.max_chars))
                break
            except (IntegrityError, sqlite3.IntegrityError):
                # Another process stored one of these client ids first (several
                # workers): the retry finds it and answers with it.
                if attempt == 2:
                    raise
        self.batches += 1
        return done.outcomes

    @staticmethod
    def _answer(batch: list[_Send], outcomes: list[Outcome]) -> None:
        for item, outcome in zip(batch, outcomes):
            if item.future.done():
                continue
            if isinstance(outcome, DomainError):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)
