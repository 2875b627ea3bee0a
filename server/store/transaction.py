"""One write transaction and what it will announce once committed.

Domain functions receive a ``Tx``: they write through ``tx.session`` and queue what
others must hear about with ``tx.to_room`` / ``tx.to_user`` / ``tx.mail_queued``. The
``Transactions.begin()`` context commits and only then hands the queued events to the
publisher; a rollback drops them, so nothing is announced that did not happen
(Zulip's ``send_event_on_commit``).
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Protocol, Sequence

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.db import Database
from server.store.models import Room, RoomEvent, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoomOut:
    """An event for everyone subscribed to a room."""

    room_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class UserOut:
    """An event for every open connection of one person (their tabs and devices)."""

    user_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class MailQueued:
    """Rows were added to the mail outbox; wake the deliverer."""


Outgoing = RoomOut | UserOut | MailQueued


class Publisher(Protocol):
    async def publish(self, events: Sequence[Outgoing]) -> None: ...


@dataclass
class Tx:
    session: AsyncSession
    outgoing: list[Outgoing] = field(default_factory=list)

    def to_room(self, room_id: int, payload: dict[str, Any]) -> None:
        self.outgoing.append(RoomOut(room_id, payload))

    def to_user(self, user_id: int, payload: dict[str, Any]) -> None:
        self.outgoing.append(UserOut(user_id, payload))

    def mail_queued(self) -> None:
        self.outgoing.append(MailQueued())

    async def next_seq(self, room_id: int) -> int:
        """Take the room's next sequence number. The UPDATE holds the room row's write
        lock until commit, so numbers are handed out in commit order and a rollback
        gives its number back: the sequence stays gapless."""
        result = await self.session.execute(
            update(Room)
            .where(Room.id == room_id)
            .values(last_seq=Room.last_seq + 1, last_activity_at=utcnow())
            .returning(Room.last_seq)
        )
        return int(result.scalar_one())

    async def record_room_event(self, room_id: int, seq: int, payload: dict[str, Any]) -> None:
        """Store a durable room event (for catch-up) and queue it for live delivery."""
        await self.record_room_events([(room_id, seq, payload)])

    async def record_room_events(self, events: list[tuple[int, int, dict[str, Any]]]) -> None:
        """Store many durable room events with one executemany, then queue them in order."""
        if not events:
            return
        now = utcnow()
        await self.session.execute(
            insert(RoomEvent),
            [{"room_id": r, "seq": q, "type": p["type"], "payload": json.dumps(p), "created_at": now} for r, q, p in events],
        )
        for room_id, _, payload in events:
            self.to_room(room_id, payload)


class Transactions:
    """Opens write transactions and publishes their events after commit."""

    def __init__(self, db: Database, publisher: Publisher) -> None:
        self.db = db
        self.publisher = publisher

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[Tx]:
        async with self.db.write() as session:
            tx = Tx(session)
            yield tx
        # Reached only after a successful commit.
        await self.announce(tx.outgoing)

    async def announce(self, events: Sequence[Outgoing]) -> None:
        if not events:
            return
        try:
            await self.publisher.publish(events)
        except Exception:  # the write is committed; clients recover via catch-up
            log.exception("publishing %d events failed", len(events))
