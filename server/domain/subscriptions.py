"""Subscribing a live connection to rooms: the access check before it joins the rooms'
channels, and the catch-up read after. Each is one statement whatever the number of
rooms (plus one per room with events to replay), on a plain read connection.

A reconnect storm (a restart, a network blip: every client of a programme reconnecting
and subscribing at once) runs these thousands of times a second, so they are SQLAlchemy
Core statements built once here, compiled once per dialect, and return plain values:
no ORM rows, no identity map. The decision itself is ``access.may_read``, the rule of
``access.can_read``; the session's validity is ``accounts.live_session_at``, the rule
every other door applies.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, Join, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.access import may_read
from server.domain.accounts import live_session_at
from server.domain.errors import DomainError, NotFound, Unauthenticated
from server.domain.messages import CatchUp, nothing_to_replay, replay
from server.store.models import AuthSession, Room, RoomEvent, RoomMember, User, utcnow
from server.store.upsert import table_of

_sessions, _users, _rooms, _members, _events = (table_of(model) for model in (AuthSession, User, Room, RoomMember, RoomEvent))


def _readable(rooms_wanted: ColumnElement[bool]) -> Select[tuple[str, int | None, str | None, int | None, str | None]]:
    """One row per room wanted that exists (the room columns are NULL when none does),
    and no row at all when the session is no longer valid."""
    return select(_users.c.role, _rooms.c.id, _rooms.c.visibility, _rooms.c.last_seq, _members.c.role).where(
        _sessions.c.token_hash == bindparam("session_id"), live_session_at(bindparam("now", type_=_sessions.c.expires_at.type))
    )


def _rooms_of_session(rooms_wanted: ColumnElement[bool]) -> Join:
    return (
        _sessions.join(_users, _users.c.id == _sessions.c.user_id)
        .outerjoin(_rooms, rooms_wanted)
        .outerjoin(_members, and_(_members.c.room_id == _rooms.c.id, _members.c.user_id == _users.c.id))
    )


# A subscribe names one room (a page) or all of a client's rooms (a reconnect); an
# expanding IN costs a rewrite of the SQL text at every execution, so one room has its own.
_ONE_ROOM = _rooms.c.id == bindparam("room_id")
_READABLE_ONE = _readable(_ONE_ROOM).select_from(_rooms_of_session(_ONE_ROOM))
_MANY_ROOMS = _rooms.c.id.in_(bindparam("room_ids", expanding=True))
_READABLE_MANY = _readable(_MANY_ROOMS).select_from(_rooms_of_session(_MANY_ROOMS))
# One room's catch-up in one statement: the check's row once per event missed (the
# events are joined only when they are to be replayed: see ``messages.nothing_to_replay``).
_after, _limit = bindparam("after", type_=Integer), bindparam("limit", type_=Integer)
_CATCH_UP_ONE = (
    _readable(_ONE_ROOM)
    .add_columns(_events.c.payload)
    .select_from(
        _rooms_of_session(_ONE_ROOM).outerjoin(
            _events,
            and_(
                _events.c.room_id == _rooms.c.id,
                _events.c.seq > _after,
                _events.c.seq <= _rooms.c.last_seq,
                _rooms.c.last_seq - _after <= _limit,
            ),
        )
    )
    .order_by(_events.c.seq)
)


@dataclass(frozen=True, slots=True)
class Readable:
    last_seq: int
    open: bool  # readable by anyone signed in


async def readable_rooms(conn: AsyncConnection, session_id: str, room_ids: Collection[int]) -> dict[int, Readable]:
    """Which of ``room_ids`` the person of the session ``session_id`` may read, in one
    statement. Raises ``Unauthenticated`` once the session was signed out or expired,
    or its person deactivated. A room left out is absent or hidden: the caller answers
    ``NotFound`` for it, as for any room one may not read."""
    if not room_ids:
        return {}
    if len(room_ids) == 1:
        [room_id] = room_ids
        rows = (await conn.execute(_READABLE_ONE, {"session_id": session_id, "room_id": room_id, "now": utcnow()})).all()
    else:
        rows = (await conn.execute(_READABLE_MANY, {"session_id": session_id, "room_ids": sorted(room_ids), "now": utcnow()})).all()
    if not rows:
        raise Unauthenticated("this session has ended; sign in again")
    return {
        room_id: Readable(last_seq, visibility == "open")
        for role, room_id, visibility, last_seq, member_role in rows
        if room_id is not None and may_read(role, visibility, member_role is not None)
    }


async def catch_up(conn: AsyncConnection, session_id: str, last_seen: Mapping[int, int], limit: int) -> dict[int, CatchUp | DomainError]:
    """What the subscriber missed in each room of ``last_seen`` (room id -> last sequence
    number seen): the durable events after it, in order, or ``resync`` (see
    ``messages.events_after``). Access is checked again first, in this same read: the
    connection joined the rooms' channels after the first check, and a room it may no
    longer read is answered ``NotFound`` (the caller leaves it). Raises
    ``Unauthenticated`` once the session has ended. One statement for one room; for
    several, one plus one per room with events to replay."""
    if len(last_seen) == 1:
        [(room_id, after)] = last_seen.items()
        return {room_id: await _catch_up_one(conn, session_id, room_id, after, limit)}
    readable = await readable_rooms(conn, session_id, last_seen.keys())
    caught: dict[int, CatchUp | DomainError] = {}
    for room_id, after in last_seen.items():
        room = readable.get(room_id)
        if room is None:
            caught[room_id] = NotFound("no such room", "room")
            continue
        try:
            caught[room_id] = await replay(conn, room_id, after, room.last_seq, limit)
        except DomainError as error:
            caught[room_id] = error
    return caught


async def _catch_up_one(conn: AsyncConnection, session_id: str, room_id: int, after: int, limit: int) -> CatchUp | DomainError:
    params = {"session_id": session_id, "room_id": room_id, "now": utcnow(), "after": after, "limit": limit}
    rows = (await conn.execute(_CATCH_UP_ONE, params)).all()
    if not rows:
        raise Unauthenticated("this session has ended; sign in again")
    role, found, visibility, last_seq, member_role, _ = rows[0]
    if found is None or not may_read(role, visibility, member_role is not None):
        return NotFound("no such room", "room")
    try:
        settled = nothing_to_replay(after, last_seq, limit)
    except DomainError as error:
        return error
    if settled is not None:
        return settled
    return CatchUp([json.loads(row[-1]) for row in rows if row[-1] is not None], last_seq, resync=False)
