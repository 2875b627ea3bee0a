"""Group commit for message sends.

Sends from every connection and REST call queue here; one writer task takes whatever
has queued (up to ``max_batch``), stores it in ONE transaction through
``post_messages`` (a fixed number of statements per batch; a refused send does not
spoil its batch), commits once, publishes the batch's events, and only then resolves each caller's future: an acknowledgement always means
"committed". On SQLite this turns N fsyncs into one and keeps a single writer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.domain.errors import DomainError
from server.domain.posting import Posted, SendRequest, post_messages
from server.store.models import User
from server.store.transaction import Transactions, Tx

log = logging.getLogger(__name__)


@dataclass
class _Send:
    actor_id: int
    thread_id: int
    client_id: str
    body: str
    future: asyncio.Future[Posted]


class SendQueue:
    def __init__(self, txs: Transactions, max_chars: int, max_batch: int = 256) -> None:
        self.txs = txs
        self.max_chars = max_chars
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Send | None] = asyncio.Queue()  # None: stop
        self._task: asyncio.Task[None] | None = None
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

    async def send(self, actor_id: int, thread_id: int, client_id: str, body: str) -> Posted:
        """Queue a send and wait until it is committed (or refused)."""
        if self._task is None or self._task.done():
            raise RuntimeError("the send queue is not running (the server is stopping)")
        future: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Send(actor_id, thread_id, client_id, body, future))
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
            try:
                await self._write(batch)
            except Exception as exc:  # the transaction failed as a whole: nothing stored
                log.exception("a batch of %d sends failed", len(batch))
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)

    async def _write(self, batch: list[_Send]) -> None:
        requests = [SendRequest(item.actor_id, item.thread_id, item.client_id, item.body) for item in batch]
        for attempt in (1, 2):
            try:
                async with self.txs.db.write() as session:
                    tx = Tx(session)
                    ids = {item.actor_id for item in batch}
                    actors = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(ids), User.deactivated_at.is_(None)))}
                    outcomes = await post_messages(tx, actors, requests, self.max_chars)
                break
            except IntegrityError:
                # Another process stored one of these client ids first (PostgreSQL with
                # several workers): the retry finds it and answers with it.
                if attempt == 2:
                    raise
        self.batches += 1
        await self.txs.announce(tx.outgoing)
        for item, outcome in zip(batch, outcomes):
            if item.future.done():
                continue
            if isinstance(outcome, DomainError):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)
