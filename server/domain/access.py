"""Every permission decision: who may read a room, post in it, manage it. Every door
(REST, Socket.IO subscribe and re-checks, search, export, email) goes through these
functions, so a rule is changed here once.

An unreadable room is reported exactly like an absent one (``NotFound``), so
invite-only rooms do not reveal that they exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.fields import MAX_ID
from server.contract.refs import parse_room_ref
from server.domain.errors import Forbidden, NotFound, Unconfirmed
from server.store.models import Room, RoomMember, User
from server.vocabulary import STEWARD_ROLES  # who may read every room and invite anyone to it


def can_read(user: User, room: Room, member: RoomMember | None) -> bool:
    return room.visibility == "open" or member is not None or user.role in STEWARD_ROLES


def can_manage(user: User, member: RoomMember | None) -> bool:
    """Change settings and invite: the room's owners, facilitators and administrators."""
    return user.role in STEWARD_ROLES or (member is not None and member.role == "owner")


def check_can_post(user: User, room: Room, member: RoomMember | None) -> bool:
    """Raise unless ``user`` may post in ``room`` (which they can already read).
    Returns True when posting will make them a member: posting in an open room joins
    it, as replying in a Discourse category does."""
    if user.email_confirmed_at is None:
        raise Unconfirmed("confirm your email address before posting; check your inbox for the link")
    if room.stage == "archived":
        raise Forbidden("this room is archived and read-only")
    if member is None and room.visibility != "open" and user.role not in STEWARD_ROLES:
        raise Forbidden("only members can post in this room")
    return member is None


def require_manager(user: User, member: RoomMember | None, doing: str) -> None:
    if not can_manage(user, member):
        raise Forbidden(f"only the room's owners, facilitators and administrators can {doing}")


async def find_room(session: AsyncSession, ref: int | str) -> Room | None:
    """A room by id or slug; None for a reference that cannot name one (a number out
    of the id range, characters no slug has), without asking the database."""
    parsed = parse_room_ref(ref) if isinstance(ref, str) else ref
    if parsed is None:
        return None
    if isinstance(parsed, int):
        return await session.get(Room, parsed) if 0 < parsed <= MAX_ID else None
    room: Room | None = await session.scalar(select(Room).where(Room.slug == parsed))
    return room


async def get_member(session: AsyncSession, room_id: int, user_id: int) -> RoomMember | None:
    return await session.get(RoomMember, (room_id, user_id))


async def readable_room(session: AsyncSession, user: User, ref: int | str) -> tuple[Room, RoomMember | None]:
    """The room, if ``user`` may read it, and their membership."""
    room = await find_room(session, ref)
    if room is None:
        raise NotFound("no such room", "room")
    member = await get_member(session, room.id, user.id)
    if not can_read(user, room, member):
        raise NotFound("no such room", "room")
    return room, member


async def require_readable_room(session: AsyncSession, user: User, room_id: int, missing: NotFound) -> Room:
    """The room holding something (a thread, a message) if ``user`` may read it;
    otherwise raise ``missing``, so hidden things look exactly like absent ones."""
    try:
        room, _ = await readable_room(session, user, room_id)
    except NotFound:
        raise missing from None
    return room


async def readable_room_ids(session: AsyncSession, user: User | None, room_ids: set[int]) -> set[int]:
    """Which of ``room_ids`` ``user`` may still read (none for a vanished or
    deactivated account), in two queries: for re-checking live subscriptions."""
    if user is None or user.deactivated_at is not None or not room_ids:
        return set()
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_(room_ids)))}
    members = {
        m.room_id: m
        for m in await session.scalars(select(RoomMember).where(RoomMember.user_id == user.id, RoomMember.room_id.in_(room_ids)))
    }
    return {room_id for room_id, room in rooms.items() if can_read(user, room, members.get(room_id))}


def readable_rooms(user: User) -> ColumnElement[bool]:
    """The rule of ``can_read`` as a condition on ``Room``, for queries over many
    rooms at once (search, similar rooms): open rooms, rooms the user is a member of,
    and every room for stewards."""
    if user.role in STEWARD_ROLES:
        return true()
    return or_(Room.visibility == "open", exists().where(RoomMember.room_id == Room.id, RoomMember.user_id == user.id))
