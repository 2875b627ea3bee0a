"""A subscribe's reads (``server.domain.subscriptions``): who may read which rooms, for
a session still valid, and what a subscriber missed, each in one statement."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from server.domain.errors import NotFound, Unauthenticated
from server.domain.messages import CatchUp
from server.domain.subscriptions import catch_up, readable_rooms
from server.store.models import AuthSession, Room, RoomEvent, User, utcnow
from server.store.transaction import Tx
from server.vocabulary import STEWARD_ROLES

from .conftest import Given


async def _session(given: Given, person: User, **fields: object) -> str:
    token_hash = f"{person.id:064d}"
    expires_at = fields.pop("expires_at", utcnow() + timedelta(days=1))
    given.session.add(AuthSession(token_hash=token_hash, user_id=person.id, expires_at=expires_at, **fields))
    await given.session.flush()
    return token_hash


async def _events(given: Given, room: Room, count: int) -> None:
    for seq in range(1, count + 1):
        given.session.add(RoomEvent(room_id=room.id, seq=seq, type="message.created", payload=json.dumps({"seq": seq})))
    room.last_seq = count
    await given.session.flush()


async def test_open_rooms_memberships_and_for_stewards_every_room(given: Given, tx: Tx) -> None:
    owner, member, outsider = await given.person(), await given.person(), await given.person()
    open_room, closed = await given.room(owner), await given.room(owner, visibility="invite")
    await given.member(closed, member)
    conn = await tx.session.connection()
    wanted = [open_room.id, closed.id, 999_999]
    assert (await readable_rooms(conn, await _session(given, member), wanted)).keys() == {open_room.id, closed.id}
    assert (await readable_rooms(conn, await _session(given, outsider), wanted)).keys() == {open_room.id}
    only_closed = await readable_rooms(conn, await _session(given, owner), [closed.id])
    assert only_closed[closed.id].open is False
    for role in STEWARD_ROLES:
        steward = await given.person(role)
        assert (await readable_rooms(conn, await _session(given, steward), wanted)).keys() == {open_room.id, closed.id}


@pytest.mark.parametrize("ended", ["revoked", "expired", "deactivated"])
async def test_an_ended_session_reads_nothing(given: Given, tx: Tx, ended: str) -> None:
    person, room = await given.person(), await given.room()
    if ended == "revoked":
        session_id = await _session(given, person, revoked_at=utcnow())
    elif ended == "expired":
        session_id = await _session(given, person, expires_at=utcnow() - timedelta(seconds=1))
    else:
        session_id = await _session(given, person)
        person.deactivated_at = utcnow()
        await given.session.flush()
    conn = await tx.session.connection()
    with pytest.raises(Unauthenticated):
        await readable_rooms(conn, session_id, [room.id])
    for wanted in ({room.id: 0}, {room.id: 0, room.id + 1: 0}):
        with pytest.raises(Unauthenticated):
            await catch_up(conn, session_id, wanted, 500)


async def test_catch_up_replays_in_order_resyncs_and_hides_what_one_may_not_read(given: Given, tx: Tx) -> None:
    owner, outsider = await given.person(), await given.person()
    busy, quiet, closed = await given.room(owner), await given.room(owner), await given.room(owner, visibility="invite")
    await _events(given, busy, 5)
    await _events(given, closed, 2)
    conn = await tx.session.connection()
    session_id = await _session(given, outsider)

    def seqs(result: object) -> list[int]:
        assert isinstance(result, CatchUp) and not result.resync, result
        return [e["seq"] for e in result.events]

    for wanted in ({busy.id: 2}, {busy.id: 2, quiet.id: 0, closed.id: 0}):  # one room: one statement; several
        caught = await catch_up(conn, session_id, wanted, 500)
        assert seqs(caught[busy.id]) == [3, 4, 5]
        if quiet.id in wanted:
            assert seqs(caught[quiet.id]) == []
            assert isinstance(caught[closed.id], NotFound)
    assert (await catch_up(conn, session_id, {busy.id: 5}, 500))[busy.id] == CatchUp([], 5, resync=False)
    assert (await catch_up(conn, session_id, {busy.id: 0}, 4))[busy.id] == CatchUp([], 5, resync=True)  # more than the limit
    assert (await catch_up(conn, session_id, {busy.id: 6}, 500))[busy.id] == CatchUp([], 5, resync=True)  # beyond the room
    assert isinstance((await catch_up(conn, session_id, {closed.id: 0}, 500))[closed.id], NotFound)
