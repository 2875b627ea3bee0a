"""Who may call an operation at all, asked before its input is judged.

Authorisation comes before validation: someone who may not change a room learns
that (403, or 404 for a room they cannot see) whatever body they send, never "title
must not be blank" about a room that is not theirs. Each REST operation names its
gate where it is declared (``server.http.openapi``); when a request's input is refused
(400, 413, 415), the HTTP door asks the gate first and answers its refusal instead
(``server.http.middleware``). A request whose input is fine goes on to the domain,
which makes the same decision inside its transaction, so the common path pays no
second query.

A gate loads what the path names and asks ``server.domain.access``: the decisions
stay there; a gate only says which one an operation needs.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.refs import parse_id, parse_room_ref
from server.domain import access
from server.domain.errors import NotFound
from server.store.models import JoinRequest, Message, Room, RoomMember, Thread, User

# (read session, the signed-in person, the path's parameters) -> None, or raises.
Gate = Callable[[AsyncSession, User, Mapping[str, str]], Awaitable[None]]


def _id(path: Mapping[str, str], name: str) -> int:
    value = parse_id(path.get(name, ""))
    if value is None:
        raise NotFound(f"no such {name.removesuffix('_id')}", name)
    return value


async def _room(session: AsyncSession, user: User, path: Mapping[str, str]) -> tuple[Room, RoomMember | None]:
    ref = parse_room_ref(path.get("room", ""))
    if ref is None:
        raise NotFound("no such room", "room")
    return await access.readable_room(session, user, ref)


async def _thread_room(session: AsyncSession, user: User, path: Mapping[str, str]) -> tuple[Room, RoomMember | None]:
    missing = NotFound("no such thread", "thread_id")
    thread = await session.get(Thread, _id(path, "thread_id"))
    if thread is None:
        raise missing
    room = await access.require_readable_room(session, user, thread.room_id, missing)
    return room, await access.get_member(session, room.id, user.id)


async def administrator(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    access.require_administrator(user)


async def seeder(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    access.require_seeder(user)


async def room_reader(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    await _room(session, user, path)


async def room_card_viewer(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    ref = parse_room_ref(path.get("room", ""))
    if ref is None:
        raise NotFound("no such room", "room")
    await access.listed_room(session, user, ref)


async def room_manager(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    _, member = await _room(session, user, path)
    access.require_manager(user, member, "change this room")


async def room_poster(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    room, member = await _room(session, user, path)
    access.check_can_post(user, room, member)


async def stage_mover(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    _, member = await _room(session, user, path)
    access.require_stage_mover(user, member)


async def room_exporter(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    _, member = await _room(session, user, path)
    access.require_exporter(user, member)


async def thread_reader(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    await _thread_room(session, user, path)


async def thread_poster(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    room, member = await _thread_room(session, user, path)
    access.check_can_post(user, room, member)


async def message_author(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    missing = NotFound("no such message", "message_id")
    message = await session.get(Message, _id(path, "message_id"))
    if message is None:
        raise missing
    await access.require_readable_room(session, user, message.room_id, missing)
    access.require_author(user, message.author_id, "edit a message")


async def join_decider(session: AsyncSession, user: User, path: Mapping[str, str]) -> None:
    missing = NotFound("no such request to join", "request_id")
    asked = await session.get(JoinRequest, _id(path, "request_id"))
    if asked is None:
        raise missing
    room = await access.require_readable_room(session, user, asked.room_id, missing)
    access.require_join_decider(user, await access.get_member(session, room.id, user.id))
