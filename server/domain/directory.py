"""The room directory: finding rooms by stage, tag, organisation or words, most
recently active first, with what the viewer has not read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.errors import Invalid
from server.domain.involvement import involvement_by_room
from server.domain.presenters import room_json
from server.domain.rooms import tags_and_counts, unread_by_room
from server.store.models import Organisation, Room, RoomMember, RoomTag, User
from server.vocabulary import STAGES, STEWARD_ROLES


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def rooms_with_organisation(text: str) -> Select[tuple[int]]:
    """Ids of rooms with a member whose organisation (verified, or else self-declared)
    has ``text`` in its name, case-insensitively: the directory's and the pipeline
    board's organisation filter."""
    pattern = _like(text.strip())
    return (
        select(RoomMember.room_id)
        .join(User, User.id == RoomMember.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            or_(
                Organisation.name.ilike(pattern, escape="\\"),
                and_(User.organisation_id.is_(None), User.declared_organisation.ilike(pattern, escape="\\")),
            )
        )
    )


@dataclass
class DirectoryFilter:
    stage: str | None = None
    tag: str | None = None
    organisation: str | None = None
    text: str | None = None
    mine: bool = False
    looking_for_collaborators: bool = False
    cursor: str | None = None
    limit: int = 500


@dataclass(frozen=True)
class DirectoryPage:
    rooms: list[dict[str, Any]]
    next_cursor: str | None


def _cursor(room: Room) -> str:
    """Where the next page starts: after this room in (last activity, id) order."""
    return f"{room.last_activity_at.strftime('%Y%m%dT%H%M%S.%f')}_{room.id}"


def _after_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        moment, _, room_id = cursor.partition("_")
        return datetime.strptime(moment, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc), int(room_id)
    except ValueError:
        raise Invalid("cursor is not one this server gave out; start again without it", "cursor") from None


async def directory(session: AsyncSession, viewer: User, flt: DirectoryFilter) -> DirectoryPage:
    """A page of the rooms the viewer may read, most recently active first, with tags,
    member counts, the viewer's membership and unread count; a fixed number of
    queries. Keyset pages: a room that becomes active while someone pages moves to
    the top (seen on the first page again), never into a page twice."""
    me = RoomMember.__table__.alias("me")
    query = select(Room, me.c.role).outerjoin(me, and_(me.c.room_id == Room.id, me.c.user_id == viewer.id))
    if viewer.role not in STEWARD_ROLES:
        query = query.where(or_(Room.visibility == "open", me.c.user_id.is_not(None)))
    if flt.mine:
        query = query.where(me.c.user_id.is_not(None))
    if flt.stage:
        if flt.stage not in STAGES:
            raise Invalid(f"stage must be one of {', '.join(STAGES)}", "stage")
        query = query.where(Room.stage == flt.stage)
    if flt.looking_for_collaborators:
        query = query.where(Room.looking_for_collaborators.is_(True))
    if flt.cursor:
        moment, room_id = _after_cursor(flt.cursor)
        query = query.where(or_(Room.last_activity_at < moment, and_(Room.last_activity_at == moment, Room.id < room_id)))
    if flt.tag:
        query = query.where(exists().where(RoomTag.room_id == Room.id, RoomTag.tag == flt.tag.strip().lower()))
    if flt.text:
        pattern = _like(flt.text.strip())
        query = query.where(or_(Room.title.ilike(pattern, escape="\\"), Room.summary.ilike(pattern, escape="\\")))
    if flt.organisation:
        query = query.where(Room.id.in_(rooms_with_organisation(flt.organisation)))
    rows = (await session.execute(query.order_by(Room.last_activity_at.desc(), Room.id.desc()).limit(flt.limit + 1))).tuples().all()
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    ids = [room.id for room, _ in rows]
    tags, counts = await tags_and_counts(session, ids)
    unread = await unread_by_room(session, viewer.id, ids)
    involvement = await involvement_by_room(session, ids)
    rooms = [
        room_json(room, tags[room.id], counts[room.id])
        | {"membership": role, "unread_count": unread.get(room.id, 0), "involvement": involvement[room.id]}
        for room, role in rows
    ]
    return DirectoryPage(rooms, _cursor(rows[-1][0]) if more else None)
