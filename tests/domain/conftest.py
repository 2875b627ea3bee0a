"""The fast tier: domain functions called directly on a real SQLite file, no HTTP and
no sockets, so rules like numbering, idempotency and access are checked in
milliseconds.

Each test gets its own copy of the migrated template database and one open
transaction (``tx``), committed when the test ends; ``given`` adds people, rooms,
memberships and threads to that transaction as plain ORM rows, so a test sets up only
what it reads. ``tx.outgoing`` is what the domain function queued for after commit;
a test that needs several transactions opens them from ``txs`` and reads what was
published after each commit from ``publisher.published``.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Sequence
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.events import Outgoing, ToRoom
from server.store.db import Database, make_engine
from server.store.models import Room, RoomEvent, RoomMember, Thread, User, utcnow
from server.store.transaction import Transactions, Tx
from server.vocabulary import Role, RoomRole, Stage, Visibility

MAX_CHARS = 10_000


class RecordingPublisher:
    """Stands in for the Socket.IO publisher: keeps what would have been sent."""

    def __init__(self) -> None:
        self.published: list[Outgoing] = []

    async def publish(self, events: Sequence[Outgoing]) -> None:
        self.published.extend(events)


class Given:
    """Rows a test starts from, written straight through the ORM into one session
    (no domain rules run: the rules under test are the domain function's)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._n = count(1)

    async def _add(self, row: Any) -> Any:
        self.session.add(row)
        await self.session.flush()
        return row

    async def person(self, role: Role = "member", *, confirmed: bool = True, name: str | None = None) -> User:
        n = next(self._n)
        return await self._add(
            User(
                email=f"person{n}@camden.example",
                display_name=name or f"Person {n}",
                declared_organisation="Camden Council",
                role=role,
                email_confirmed_at=utcnow() if confirmed else None,
            )
        )

    async def room(self, owner: User | None = None, *, visibility: Visibility = "open", stage: Stage = "discovery") -> Room:
        n = next(self._n)
        room = await self._add(
            Room(slug=f"room-{n}", title=f"Room {n}", stage=stage, visibility=visibility, created_by=owner.id if owner else None)
        )
        if owner is not None:
            await self.member(room, owner, "owner")
        return room

    async def member(self, room: Room, person: User, role: RoomRole = "member") -> RoomMember:
        return await self._add(RoomMember(room_id=room.id, user_id=person.id, role=role))

    async def thread(self, room: Room, starter: User | None = None) -> Thread:
        """A thread row; it takes no number from the room (``threads.start_thread``
        is the domain's way, tested on its own), so messages start the room at 1."""
        return await self._add(Thread(room_id=room.id, title=f"Thread {next(self._n)}", created_by=starter.id if starter else None, seq=0))


@pytest.fixture
async def database(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "convene.db"
    shutil.copy(sqlite_template, path)
    db = Database(make_engine(f"sqlite+aiosqlite:///{path}"))
    yield db
    await db.dispose()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def txs(database: Database, publisher: RecordingPublisher) -> Transactions:
    return Transactions(database, publisher)


@pytest.fixture
async def tx(txs: Transactions) -> AsyncIterator[Tx]:
    """The test's one transaction, committed (and its events published) at the end.
    While it is open no other write transaction can start: SQLite has one writer."""
    async with txs.begin() as tx:
        yield tx


@pytest.fixture
def given(tx: Tx) -> Given:
    return Given(tx.session)


def room_events(tx: Tx, room_id: int | None = None) -> list[tuple[int, str]]:
    """(room, event type) for each event queued on ``tx`` for a room's subscribers."""
    return [(o.room_id, o.event["type"]) for o in tx.outgoing if isinstance(o, ToRoom) and room_id in (None, o.room_id)]


async def stored_seqs(session: AsyncSession, room_id: int) -> list[int]:
    """The sequence numbers of a room's durable events, in order."""
    return list(await session.scalars(select(RoomEvent.seq).where(RoomEvent.room_id == room_id).order_by(RoomEvent.seq)))
