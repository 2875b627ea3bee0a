"""The event pages: the events rooms were seeded from, and for one event the rooms
that came out of it and what has happened in them since it was seeded, the page a
programme team opens before the next event.

Only rooms the viewer may read (``access.can_read``) are listed or counted; an event
is visible to anyone, its rooms as their visibility allows.

"Since it was seeded" is told apart from the seed itself by what the seed wrote: a
thread is new unless the seed opened it as an opening question
(``threads.opening_question``), and a message counts unless it is the first post the
seed wrote under such a question (``posting.start_thread``'s ``thread-<id>-opening``
client id). An opening question is unanswered while it has no other message. Active
organisations are those of the people who posted those messages (verified
organisation, else the one they declared).

Stage moves: each room shows its current ``stage`` and the moves made since the event
was seeded, from the pipeline's history (``pipeline.moves_since``).

Involved organisations are the one definition ``involvement.involved_organisations``
(the rooms' members), the same the pipeline shows; active organisations are only
those that posted since.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.access import can_read
from server.domain.errors import NotFound
from server.domain.involvement import involved_organisations
from server.domain.pipeline import moves_since
from server.domain.presenters import iso
from server.store.models import Message, Organisation, Room, RoomMember, SeedEvent, Thread, User

CHUNK = 500  # rooms in one IN (...)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


async def _readable_rooms(session: AsyncSession, viewer: User, event_ids: list[int]) -> list[Room]:
    """The events' rooms the viewer may read, most recently active first."""
    if not event_ids:
        return []
    me = RoomMember.__table__.alias("me")
    rows = await session.execute(
        select(Room, me.c.role)
        .outerjoin(me, and_(me.c.room_id == Room.id, me.c.user_id == viewer.id))
        .where(Room.seed_event_id.in_(event_ids))
        .order_by(Room.last_activity_at.desc(), Room.id)
    )
    found = []
    for room, role in rows.tuples():
        member = RoomMember(room_id=room.id, user_id=viewer.id, role=role) if role is not None else None
        if can_read(viewer, room, member):
            found.append(room)
    return found


def _event_json(event: SeedEvent, room_count: int) -> dict[str, Any]:
    return {
        "id": event.id,
        "name": event.name,
        "date": event.date.isoformat() if event.date else None,
        "place": event.place,
        "created_at": iso(event.created_at),
        "room_count": room_count,
    }


async def list_events(session: AsyncSession, viewer: User) -> list[dict[str, Any]]:
    """Every seeded event, newest first, with the number of its rooms the viewer may read."""
    events = (await session.scalars(select(SeedEvent).order_by(SeedEvent.created_at.desc(), SeedEvent.id.desc()))).all()
    counts: dict[int, int] = defaultdict(int)
    for room in await _readable_rooms(session, viewer, [e.id for e in events]):
        if room.seed_event_id is not None:
            counts[room.seed_event_id] += 1
    return [_event_json(event, counts[event.id]) for event in events]


@dataclass
class _Since:
    """What happened in one room since it was seeded."""

    new_threads: int = 0
    messages: int = 0
    organisations: set[str] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)


async def _since(session: AsyncSession, room_ids: list[int]) -> dict[int, _Since]:
    since = {room_id: _Since() for room_id in room_ids}
    for chunk in _chunks(room_ids):
        listed = select(Thread.id, Thread.room_id, Thread.title, Thread.opening_question).where(Thread.room_id.in_(chunk))
        threads = (await session.execute(listed.order_by(Thread.seq))).tuples().all()
        questions = {thread_id: (room_id, title) for thread_id, room_id, title, opening in threads if opening}
        for _, room_id, _, opening in threads:
            since[room_id].new_threads += not opening
        posted = await session.execute(
            select(Message.room_id, Message.thread_id, Message.client_id, Organisation.name, User.declared_organisation)
            .join(User, User.id == Message.author_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(Message.room_id.in_(chunk), Message.deleted_at.is_(None))
        )
        answered: set[int] = set()
        for room_id, thread_id, client_id, verified, declared in posted.tuples():
            if thread_id in questions and client_id == f"thread-{thread_id}-opening":
                continue  # the first post the seed wrote under its question
            answered.add(thread_id)
            since[room_id].messages += 1
            if organisation := (verified or declared or "").strip():
                since[room_id].organisations.add(organisation)
        for thread_id, (room_id, title) in questions.items():
            if thread_id not in answered:
                since[room_id].unanswered.append(title)
    return since


async def _member_counts(session: AsyncSession, room_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk in _chunks(room_ids):
        rows = await session.execute(
            select(RoomMember.room_id, func.count()).where(RoomMember.room_id.in_(chunk)).group_by(RoomMember.room_id)
        )
        counts.update(rows.tuples().all())
    return counts


async def event_view(session: AsyncSession, viewer: User, event_id: int) -> dict[str, Any]:
    """One event's page (``server.contract.seeding.EventDetail``)."""
    event = await session.get(SeedEvent, event_id)
    if event is None:
        raise NotFound("no such event", "event_id")
    rooms = await _readable_rooms(session, viewer, [event.id])
    ids = [room.id for room in rooms]
    since = await _since(session, ids)
    members = await _member_counts(session, ids)
    moves = await moves_since(session, ids, event.created_at)
    involved: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        involved |= {room_id: [o["name"] for o in found] for room_id, found in (await involved_organisations(session, chunk)).items()}
    listed = [
        {
            "id": room.id,
            "slug": room.slug,
            "title": room.title,
            "stage": room.stage,
            "lead_organisation": room.lead_organisation,
            "member_count": members.get(room.id, 0),
            "new_threads": since[room.id].new_threads,
            "messages": since[room.id].messages,
            "active_organisations": sorted(since[room.id].organisations, key=str.casefold),
            "involved_organisations": involved[room.id],
            "unanswered": since[room.id].unanswered,
            "stage_moves": moves[room.id],
            "last_activity_at": iso(room.last_activity_at),
        }
        for room in rooms
    ]
    organisations = {name for s in since.values() for name in s.organisations}
    everyone = {name.casefold(): name for names in involved.values() for name in names}
    return _event_json(event, len(rooms)) | {
        "rooms": listed,
        "new_threads": sum(s.new_threads for s in since.values()),
        "messages": sum(s.messages for s in since.values()),
        "active_organisations": sorted(organisations, key=str.casefold),
        "involved_organisations": sorted(everyone.values(), key=str.casefold),
        "unanswered": sum(len(s.unanswered) for s in since.values()),
        "stage_moves": sum(len(m) for m in moves.values()),
    }
