"""Administration screens (issue 12): every person and every room (invite-only ones
too) as administrators see them, moving a room to a new owner, and sending an invited
person their invitation again. Every function checks ``access.require_administrator``
first; changes to a person (role, deactivation) go through ``accounts.change_person``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.domain import audit, events, invitations
from server.domain.access import find_room, get_member, require_administrator
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.invitations import Outcome
from server.domain.people import load_people, self_view
from server.domain.presenters import iso
from server.store.models import Invitation, Room, RoomMember, User
from server.store.transaction import Tx
from server.vocabulary import Role

PAGE = 100


@dataclass(frozen=True)
class PeopleFilter:
    text: str | None = None  # part of a name or address, any case
    role: Role | None = None
    active: bool | None = None


async def list_people(
    session: AsyncSession, actor: User, flt: PeopleFilter, *, after: int | None, limit: int = PAGE
) -> tuple[list[dict[str, Any]], bool]:
    """Administrators only: people in account order, ``limit`` at a time after id
    ``after``, each with their address, role, whether active, and whether they still
    wait for an invitation to be accepted (no password, never signed in)."""
    require_administrator(actor, "list people")
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.id).limit(limit + 1)
    if flt.text:
        pattern = f"%{flt.text.strip().lower()}%"
        query = query.where(or_(func.lower(User.display_name).like(pattern), User.email.like(pattern)))
    if flt.role is not None:
        query = query.where(User.role == flt.role)
    if flt.active is not None:
        query = query.where(User.deactivated_at.is_(None) if flt.active else User.deactivated_at.is_not(None))
    if after is not None:
        query = query.where(User.id > after)
    rows = list(await session.scalars(query))
    shown = rows[:limit]
    people = await load_people(session, [u.id for u in shown])
    return [
        self_view(u, people[u.id]) | {"invited": u.password_hash is None and u.email_confirmed_at is None, "created_at": iso(u.created_at)}
        for u in shown
    ], len(rows) > limit


async def list_rooms(session: AsyncSession, actor: User, only: int | None = None) -> list[dict[str, Any]]:
    """Administrators only: every room (or room ``only``), invite-only ones too, most
    recently active first, with its owners, member count and activity."""
    require_administrator(actor, "list every room")
    query = select(Room).order_by(Room.last_activity_at.desc(), Room.id.desc())
    rooms = list(await session.scalars(query.where(Room.id == only) if only is not None else query))
    ids = [r.id for r in rooms]
    counts: dict[int, int] = {}
    owners: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        counted = select(RoomMember.room_id, func.count()).where(RoomMember.room_id.in_(ids)).group_by(RoomMember.room_id)
        counts = dict((await session.execute(counted)).tuples().all())
        owned = select(RoomMember.room_id, RoomMember.user_id).where(RoomMember.room_id.in_(ids), RoomMember.role == "owner")
        for room_id, user_id in (await session.execute(owned)).tuples():
            owners[room_id].append(user_id)
    people = await load_people(session, {u for us in owners.values() for u in us})
    return [
        {"id": r.id, "slug": r.slug, "title": r.title, "stage": r.stage, "visibility": r.visibility, "member_count": counts.get(r.id, 0),
         "message_count": r.last_seq, "last_activity_at": iso(r.last_activity_at), "created_at": iso(r.created_at),
         "owners": [people[u].as_dict() for u in owners[r.id] if u in people]}
        for r in rooms
    ]  # fmt: skip


async def transfer_ownership(tx: Tx, actor: User, ref: int | str, user_id: int) -> Room:
    """Administrators only: make ``user_id`` the room's one owner (a member if they
    were not); the previous owners stay as members. Announced as member.joined for a
    new member; recorded in the audit log."""
    require_administrator(actor, "transfer a room")
    room = await find_room(tx.session, ref)
    if room is None:
        raise NotFound("no such room", "room")
    person = await tx.session.get(User, user_id)
    if person is None or person.deactivated_at is not None:
        raise Invalid("choose an active person as the new owner", "user_id")
    before = list(await tx.session.scalars(select(RoomMember.user_id).where(RoomMember.room_id == room.id, RoomMember.role == "owner")))
    if before == [user_id]:
        raise Conflict("this person is already the room's only owner", "user_id")
    others = and_(RoomMember.room_id == room.id, RoomMember.role == "owner", RoomMember.user_id != user_id)
    await tx.session.execute(update(RoomMember).where(others).values(role="member"))
    member = await get_member(tx.session, room.id, user_id)
    if member is None:
        tx.session.add(RoomMember(room_id=room.id, user_id=user_id, role="owner", invited_by=actor.id))
        await tx.session.flush()
        joined = (await load_people(tx.session, [user_id]))[user_id]
        tx.to_room(room.id, events.member_joined(room.id, joined.as_dict(), "owner"))
    else:
        member.role = "owner"
    audit.record(tx, "room-ownership-transferred", actor=actor, user_id=user_id, room_id=room.id,
                 detail=f"previous owners: {', '.join(str(i) for i in before) or 'none'}")  # fmt: skip
    return room


async def resend_invitation(tx: Tx, cfg: Settings, actor: User, user_id: int) -> list[Outcome]:
    """Administrators only: send an invited person (no password yet) a fresh link for
    each room they are invited to and have not joined by link (older links stop
    working; within the cooling-off period nothing is sent). Each resent invitation is
    recorded in the audit log by ``invitations.invite``."""
    require_administrator(actor, "resend invitations")
    person = await tx.session.get(User, user_id)
    if person is None:
        raise NotFound("no such user", "user_id")
    pending = list(
        await tx.session.scalars(
            select(Invitation.room_id).where(Invitation.user_id == user_id, Invitation.accepted_at.is_(None)).order_by(Invitation.id)
        )
    )
    if not pending:
        raise Conflict("this person has no invitation waiting", "user_id")
    outcomes: list[Outcome] = []
    for room_id in pending:
        outcomes += await invitations.invite(tx, cfg, actor, room_id, user_id=user_id)
    return outcomes


