"""Who may read, post and manage: the decisions in ``server.domain.access``, and what
the domain's writes do with them (hidden rooms look absent; posting in an open room
joins it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.domain.access import can_manage, can_read, check_can_post
from server.domain.errors import Forbidden, NotFound, Unconfirmed
from server.domain.messages import delete_message, edit_message
from server.domain.posting import post_message
from server.store.models import RoomMember
from server.store.transaction import Tx
from server.vocabulary import ROLES, STEWARD_ROLES

from .conftest import MAX_CHARS, Given, room_events


async def test_an_open_room_is_readable_by_everyone(given: Given) -> None:
    room = await given.room()
    for role in ROLES:
        assert can_read(await given.person(role), room, None)


async def test_an_invite_only_room_is_readable_by_members_and_stewards_only(given: Given) -> None:
    owner, outsider = await given.person(), await given.person()
    room = await given.room(owner, visibility="invite")
    member = await given.member(room, await given.person())
    assert can_read(owner, room, await _membership(given, room.id, owner.id))
    assert can_read(await given.person(), room, member)
    assert not can_read(outsider, room, None)
    for role in STEWARD_ROLES:
        assert can_read(await given.person(role), room, None)


async def test_posting_needs_a_confirmed_address_and_an_active_room(given: Given) -> None:
    room = await given.room()
    with pytest.raises(Unconfirmed):
        check_can_post(await given.person(confirmed=False), room, None)
    archived = await given.room(stage="archived")
    for role in ROLES:  # archived is read-only for everyone, administrators included
        with pytest.raises(Forbidden, match="archived"):
            check_can_post(await given.person(role), archived, None)


async def test_posting_in_an_open_room_joins_it_and_an_invite_only_room_needs_membership(given: Given) -> None:
    ada, bob = await given.person(), await given.person()
    open_room, closed = await given.room(), await given.room(visibility="invite")
    assert check_can_post(ada, open_room, None) is True  # joins
    assert check_can_post(ada, open_room, await given.member(open_room, ada)) is False  # already a member
    with pytest.raises(Forbidden, match="only members"):
        check_can_post(bob, closed, None)
    assert check_can_post(bob, closed, await given.member(closed, bob)) is False
    for role in STEWARD_ROLES:
        assert check_can_post(await given.person(role), closed, None) is True


async def test_owners_and_stewards_manage_a_room_members_do_not(given: Given) -> None:
    owner, member = await given.person(), await given.person()
    room = await given.room(owner)
    assert can_manage(owner, await _membership(given, room.id, owner.id))
    assert not can_manage(member, await given.member(room, member))
    assert not can_manage(await given.person(), None)
    for role in STEWARD_ROLES:
        assert can_manage(await given.person(role), None)


async def _membership(given: Given, room_id: int, user_id: int) -> RoomMember | None:
    return await given.session.scalar(select(RoomMember).where(RoomMember.room_id == room_id, RoomMember.user_id == user_id))


async def test_a_non_member_posting_in_an_invite_only_room_finds_no_thread(tx: Tx, given: Given) -> None:
    owner, outsider = await given.person(), await given.person()
    thread = await given.thread(await given.room(owner, visibility="invite"), owner)
    with pytest.raises(NotFound) as refused:  # not Forbidden: the room's existence stays hidden
        await post_message(tx, outsider, thread.id, "x", "let me in", MAX_CHARS)
    assert refused.value.field == "thread_id"
    assert room_events(tx) == []


async def test_posting_in_an_open_room_makes_the_poster_a_member(tx: Tx, given: Given) -> None:
    owner, newcomer = await given.person(), await given.person()
    room = await given.room(owner)
    thread = await given.thread(room, owner)
    await post_message(tx, newcomer, thread.id, "hi", "Bristol would like to join", MAX_CHARS)
    joined = await _membership(given, room.id, newcomer.id)
    assert joined is not None and joined.role == "member"
    assert room_events(tx, room.id) == [(room.id, "member.joined"), (room.id, "message.created")]


async def test_only_the_author_edits_and_only_the_author_or_a_manager_deletes(tx: Tx, given: Given) -> None:
    owner, author, other = await given.person(), await given.person(), await given.person()
    room = await given.room(owner)
    await given.member(room, author)
    await given.member(room, other)
    thread = await given.thread(room, owner)
    message = (await post_message(tx, author, thread.id, "m", "a draft", MAX_CHARS)).message
    with pytest.raises(Forbidden):
        await edit_message(tx, other, message["id"], "not mine", MAX_CHARS)
    with pytest.raises(Forbidden):
        await delete_message(tx, other, message["id"])
    assert (await delete_message(tx, owner, message["id"]))["deleted"] is True
