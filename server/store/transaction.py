"""One write transaction and what it will announce once committed.

Domain functions receive a ``Tx`` and never open their own: the door (HTTP view,
Socket.IO handler, send queue, command line) opens it with ``Transactions.begin()``.
They write through ``tx.session`` and queue what others must hear about with
``tx.to_room`` / ``tx.to_person`` / ``tx.record`` / ``tx.directive`` /
``tx.mail_queued``. ``begin()`` commits and only then hands the queued events to the
publisher; a rollback drops them, so nothing is announced that did not happen (Zulip's
``send_event_on_commit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import AsyncIterator, Protocol, Sequence

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.events import Directive, DurableEvent, MailQueued, Outgoing, PersonalEvent, ToPerson, ToRoom
from server.contract.events import RoomEvent as RoomEventShape
from server.contract.origin import UNKNOWN_ORIGIN, Origin
from server.store.db import Database
from server.store.models import Room, RoomEvent, utcnow
from server.store.upsert import table_of

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, events: Sequence[Outgoing]) -> None: ...


@dataclass
class Tx:
    session: AsyncSession
    outgoing: list[Outgoing] = field(default_factory=list)
    origin: Origin = UNKNOWN_ORIGIN  # where the write came from (the audit log records it)

    def to_room(self, room_id: int, event: RoomEventShape) -> None:
        self.outgoing.append(ToRoom(room_id, event))

    def to_person(self, user_id: int, event: PersonalEvent) -> None:
        self.outgoing.append(ToPerson(user_id, event))

    def directive(self, directive: Directive) -> None:
        """Queue a side effect for every process (see ``server.contract.events``)."""
        self.outgoing.append(directive)

    def mail_queued(self) -> None:
        self.outgoing.append(MailQueued())

    async def reserve_seqs(self, room_id: int, count: int = 1) -> int:
        """Take the room's next ``count`` sequence numbers and return the first: the
        numbering path of every write but sends (``SendSql.reserve_seqs`` runs the same
        UPDATE for send batches, in plain SQL). The UPDATE holds the room
        row's write lock until commit, so numbers are handed out in commit order and a
        rollback gives them back: the sequence stays gapless."""
        result = await self.session.execute(
            update(Room)
            .where(Room.id == room_id)
            .values(last_seq=Room.last_seq + count, last_activity_at=utcnow())
            .returning(Room.last_seq)
        )
        return int(result.scalar_one()) - count + 1

    async def record(self, events: Sequence[DurableEvent]) -> None:
        """Store durable room events (for catch-up; each carries the ``seq`` reserved for
        it) with one executemany, then queue them, in order, for live delivery."""
        if not events:
            return
        now = utcnow()
        await self.session.execute(
            insert(table_of(RoomEvent)),  # plain Core executemany, not the ORM bulk path
            [{"room_id": e["room_id"], "seq": e["seq"], "type": e["type"], "payload": json.dumps(e), "created_at": now} for e in events],
        )
        for event in events:
            self.to_room(event["room_id"], event)


class Transactions:
    """Opens write transactions and publishes their events after commit."""

    def __init__(self, db: Database, publisher: Publisher) -> None:
        self.db = db
        self.publisher = publisher

    @contextlib.asynccontextmanager
    async def begin(self, origin: Origin = UNKNOWN_ORIGIN) -> AsyncIterator[Tx]:
        """One write transaction: committed when the block ends normally, rolled back
        when it raises. Commit and announce run shielded: a caller cancelled at that
        moment (a client that went away, a server stopping) can neither leave the
        commit's outcome unknown nor a committed write unannounced."""
        async with self.db.write_session() as session:
            tx = Tx(session, origin=origin)
            yield tx  # an exception here closes the session: rolled back, nothing announced
            finishing = asyncio.ensure_future(self._commit(tx))
            try:
                await asyncio.shield(finishing)
            except asyncio.CancelledError:
                await finishing  # keep the session until the commit is settled
                raise

    async def _commit(self, tx: Tx) -> None:
        await tx.session.commit()
        await self.announce(tx.outgoing)

    async def announce(self, events: Sequence[Outgoing]) -> None:
        if not events:
            return
        try:
            await self.publisher.publish(events)
        except Exception:  # the write is committed; clients recover via catch-up
            log.exception("publishing %d events failed", len(events))
