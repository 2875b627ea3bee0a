"""Every permission decision: who may read a room, post in it, manage it. Every door
(REST, Socket.IO subscribe and re-checks, search, export, email) goes through these
functions, so a rule is changed here once.

An unreadable room is reported exactly like an absent one (``NotFound``), so
invite-only rooms do not reveal that they exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.fields import MAX_ID
from server.contract.refs import parse_room_ref
from server.domain.errors import Conflict, Forbidden, NotFound, Unconfirmed
from server.store.models import Message, Room, RoomMember, User
from server.vocabulary import STEWARD_ROLES  # who may read every room and invite anyone to it


class Someone(Protocol):
    """What a decision needs of a person: a ``User``, or the send path's plain row."""

    @property
    def role(self) -> str: ...
    @property
    def email_confirmed_at(self) -> datetime | None: ...


class AnyRoom(Protocol):
    @property
    def visibility(self) -> str: ...
    @property
    def stage(self) -> str: ...


class Membership(Protocol):
    @property
    def role(self) -> str: ...


def can_read(user: Someone, room: AnyRoom, member: Membership | None) -> bool:
    return may_read(user.role, room.visibility, member is not None)


def may_read(role: str, visibility: str, is_member: bool) -> bool:
    """The rule of ``can_read`` on plain values, for reads that load no rows at all (the
    subscribe path, ``server.domain.subscriptions``): open rooms, rooms one is a
    member of, and every room for stewards."""
    return visibility == "open" or is_member or role in STEWARD_ROLES


def can_manage(user: Someone, member: Membership | None) -> bool:
    """Change settings and invite: the room's owners, facilitators and administrators."""
    return user.role in STEWARD_ROLES or (member is not None and member.role == "owner")


def check_can_post(user: Someone, room: AnyRoom, member: Membership | None) -> bool:
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


def require_trimmed_reader(user: Someone, author_id: int) -> None:
    """What was trimmed off a reply by email (quoted history, a signature with phone numbers
    and addresses) is the author's alone: not the room's owners', nor an administrator's."""
    if getattr(user, "id", None) != author_id:
        raise Forbidden("only the author can see what was trimmed from their message")


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


# ---- matchmaking: cards of rooms looking for collaborators, interest, requests to join ----


def can_see_listing(user: User, room: Room, member: RoomMember | None) -> bool:
    """See a room's card (title, summary, tags, stage, the organisations involved, the
    interest shown) without its content: whoever may read the room, and everyone signed
    in when the room is looking for collaborators, invite-only or not (its owners chose
    to be found). Threads, messages and the member list stay behind ``can_read``."""
    return can_read(user, room, member) or room.looking_for_collaborators


async def listed_room(session: AsyncSession, user: User, ref: int | str) -> tuple[Room, RoomMember | None]:
    """The room, if ``user`` may see its card, and their membership; otherwise NotFound,
    exactly as for a room that does not exist."""
    room = await find_room(session, ref)
    if room is None:
        raise NotFound("no such room", "room")
    member = await get_member(session, room.id, user.id)
    if not can_see_listing(user, room, member):
        raise NotFound("no such room", "room")
    return room, member


def check_can_show_interest(user: User, room: Room) -> None:
    """Say "we have this problem too" or "we could help" (the card is visible)."""
    if user.email_confirmed_at is None:
        raise Unconfirmed("confirm your email address first; check your inbox for the link")
    if not room.looking_for_collaborators:
        raise Conflict("this room is not looking for collaborators", "room")


def check_can_ask_to_join(user: User, room: Room, member: RoomMember | None) -> None:
    """Ask to join an invite-only room whose card one can see (an open room is simply
    joined); not an archived room, not one's own."""
    if user.email_confirmed_at is None:
        raise Unconfirmed("confirm your email address before asking to join rooms")
    if member is not None:
        raise Conflict("you are already a member of this room", "room")
    if room.stage == "archived":
        raise Forbidden("this room is archived and takes no new members")
    if room.visibility == "open":
        raise Conflict("this room is open: join it directly", "room")


def require_join_decider(user: User, member: RoomMember | None) -> None:
    """Accept or decline requests to join: the room's owners, facilitators, administrators."""
    require_manager(user, member, "accept or decline requests to join")
def can_move_stage(user: User, member: RoomMember | None) -> bool:
    """Move a room along the pipeline (discovery, co-design, incubation, live,
    archived): the people who manage it (its owners, facilitators, administrators);
    a member may not, even in an open room. Its own rule, so the programme can
    change who moves concepts without changing who edits rooms."""
    return can_manage(user, member)


def require_stage_mover(user: User, member: RoomMember | None) -> None:
    if not can_move_stage(user, member):
        raise Forbidden("only the room's owners, facilitators and administrators can move it to another stage")
def can_seed(user: User) -> bool:
    """Turning a workshop's file into rooms, and the seed page: facilitators and administrators."""
    return user.deactivated_at is None and user.role in STEWARD_ROLES


def require_seeder(user: User) -> None:
    if not can_seed(user):
        raise Forbidden("only facilitators and administrators can seed rooms from an event's file")
def require_administrator(user: User, doing: str = "do this") -> None:
    """Administration screens and records (the audit log, exports of anyone's data):
    administrators only."""
    if user.role != "administrator":
        raise Forbidden(f"only an administrator can {doing}")


async def require_room_manager(session: AsyncSession, user: User, ref: int | str, doing: str) -> None:
    """Before a door reads a body it may not use: the room readable (else NotFound, as if
    absent) and ``user`` one of its managers (else Forbidden). Authorisation comes before
    validation, so a refused person learns nothing from how their input would be judged."""
    _, member = await readable_room(session, user, ref)
    require_manager(user, member, doing)


async def require_message_author(session: AsyncSession, user: User, message_id: int) -> None:
    """Before an edit's body is read: the message readable (else NotFound, as if absent)
    and ``user`` its author (else Forbidden). The domain checks again in its transaction."""
    missing = NotFound("no such message", "message_id")
    message = await session.get(Message, message_id) if 0 < message_id <= MAX_ID else None
    if message is None:
        raise missing
    await require_readable_room(session, user, message.room_id, missing)
    if message.author_id != user.id:
        raise Forbidden("only the author can edit a message")


async def require_not_last_administrator(session: AsyncSession, user: User, doing: str) -> None:
    """Nobody leaves the site without an active administrator: the last one may not
    delete their account (nor demote or deactivate themselves, ``accounts.change_person``),
    or nobody could manage people, rooms and records again without the command line."""
    if user.role != "administrator":
        return
    others = await session.scalar(
        select(func.count()).select_from(User).where(User.role == "administrator", User.deactivated_at.is_(None), User.id != user.id)
    )
    if not others:
        raise Conflict(f"you are the only administrator: make someone else an administrator before you {doing}")


def require_exporter(user: User, member: RoomMember | None) -> None:
    """Exporting a room's whole record: its owners and administrators."""
    if user.role != "administrator" and (member is None or member.role != "owner"):
        raise Forbidden("only the room's owners and administrators can export it")
def require_author(user: User, author_id: int | None, doing: str) -> None:
    """Editing a message: its author only."""
    if author_id != user.id:
        raise Forbidden(f"only the author can {doing}")


def readable_rooms(user: User) -> ColumnElement[bool]:
    """The rule of ``can_read`` as a condition on ``Room``, for queries over many
    rooms at once (search, similar rooms): open rooms, rooms the user is a member of,
    and every room for stewards."""
    if user.role in STEWARD_ROLES:
        return true()
    return or_(Room.visibility == "open", exists().where(RoomMember.room_id == Room.id, RoomMember.user_id == user.id))
