"""The pipeline board: the rooms a viewer may read in columns by stage, each with the
organisations involved, recent activity, whether it is looking for collaborators,
its incubation criteria and whether the viewer may move it. Filters by tag,
organisation, organisation kind and the event (workshop) a room was seeded from.
A fixed number of queries for any number of rooms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.access import can_move_stage
from server.domain.directory import rooms_with_organisation
from server.domain.errors import Invalid
from server.domain.involvement import involved_organisations
from server.domain.pipeline import incubation_criteria
from server.domain.presenters import iso
from server.domain.rooms import tags_and_counts
from server.store.models import Message, Organisation, Room, RoomMember, RoomTag, SeedEvent, User, utcnow
from server.vocabulary import ORGANISATION_KINDS, STAGES, STEWARD_ROLES

RECENT: Final = timedelta(days=14)  # what "recent activity" counts
MAX_ROOMS: Final = 1000


@dataclass
class BoardFilter:
    tag: str | None = None
    organisation: str | None = None
    kind: str | None = None
    event: int | None = None


async def _recent_messages(session: AsyncSession, room_ids: list[int]) -> dict[int, int]:
    if not room_ids:
        return {}
    rows = await session.execute(
        select(Message.room_id, func.count())
        .where(Message.room_id.in_(room_ids), Message.created_at >= utcnow() - RECENT, Message.deleted_at.is_(None))
        .group_by(Message.room_id)
    )
    return dict(rows.tuples().all())


async def _seed_events(session: AsyncSession, readable: Select[tuple[Room]]) -> dict[int, dict[str, Any]]:
    """The events (workshops) that rooms the viewer may read came from, by name: the
    board's event filter offers these, and each card names its own."""
    seeded = readable.with_only_columns(Room.seed_event_id, maintain_column_froms=True).where(Room.seed_event_id.is_not(None))
    rows = await session.execute(select(SeedEvent.id, SeedEvent.name).where(SeedEvent.id.in_(seeded)).order_by(SeedEvent.name))
    return {event_id: {"id": event_id, "name": name} for event_id, name in rows.tuples()}


async def board(session: AsyncSession, viewer: User, flt: BoardFilter) -> dict[str, Any]:
    """``{"columns": [{"stage", "rooms"}...], "events": [...]}``: every stage in
    pipeline order, its readable rooms most recently active first."""
    me = RoomMember.__table__.alias("me")
    readable = select(Room).outerjoin(me, and_(me.c.room_id == Room.id, me.c.user_id == viewer.id))
    if viewer.role not in STEWARD_ROLES:
        readable = readable.where(or_(Room.visibility == "open", me.c.user_id.is_not(None)))
    query = readable
    if flt.tag:
        query = query.where(exists().where(RoomTag.room_id == Room.id, RoomTag.tag == " ".join(flt.tag.strip().lower().split())))
    if flt.organisation:
        query = query.where(Room.id.in_(rooms_with_organisation(flt.organisation)))
    if flt.kind:
        if flt.kind not in ORGANISATION_KINDS:
            raise Invalid(f"kind must be one of {', '.join(ORGANISATION_KINDS)}", "kind")
        of_kind = (
            select(RoomMember.room_id)
            .join(User, User.id == RoomMember.user_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(Organisation.kind == flt.kind)
        )
        query = query.where(Room.id.in_(of_kind))
    if flt.event is not None:
        query = query.where(Room.seed_event_id == flt.event)
    rooms = (await session.scalars(query.order_by(Room.last_activity_at.desc(), Room.id.desc()).limit(MAX_ROOMS))).all()
    ids = [room.id for room in rooms]
    memberships = {
        m.room_id: m for m in await session.scalars(select(RoomMember).where(RoomMember.user_id == viewer.id, RoomMember.room_id.in_(ids)))
    }
    tags, counts = await tags_and_counts(session, ids)
    organisations = await involved_organisations(session, ids)
    recent = await _recent_messages(session, ids)
    criteria = await incubation_criteria(session, ids)
    events = await _seed_events(session, readable)
    columns: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGES}
    for room in rooms:
        columns[room.stage].append(
            {
                "id": room.id,
                "slug": room.slug,
                "title": room.title,
                "stage": room.stage,
                "tags": tags[room.id],
                "looking_for_collaborators": room.looking_for_collaborators,
                "member_count": counts[room.id],
                "last_activity_at": iso(room.last_activity_at),
                "recent_message_count": recent.get(room.id, 0),
                "organisations": organisations[room.id],
                "incubation_criteria": criteria.get(room.id),
                "event": events.get(room.seed_event_id) if room.seed_event_id is not None else None,
                "can_move": can_move_stage(viewer, memberships.get(room.id)),
            }
        )
    return {
        "columns": [{"stage": stage, "rooms": listed} for stage, listed in columns.items()],
        "events": list(events.values()),
    }
