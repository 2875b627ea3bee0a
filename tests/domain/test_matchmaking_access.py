"""Matchmaking's permission decisions in ``server.domain.access``: who sees a room's
card, who may say something of it, who may ask to join, who decides."""

from __future__ import annotations

import pytest

from server.domain.access import can_see_listing, check_can_ask_to_join, check_can_show_interest, require_join_decider
from server.domain.errors import Conflict, Forbidden, Unconfirmed
from server.vocabulary import ROLES, STEWARD_ROLES

from .conftest import Given


async def test_an_invite_only_room_shows_its_card_only_while_looking_for_collaborators(given: Given) -> None:
    outsider = await given.person()
    room = await given.room(visibility="invite")
    assert not can_see_listing(outsider, room, None)
    room.looking_for_collaborators = True
    for role in ROLES:
        assert can_see_listing(await given.person(role), room, None)


async def test_interest_needs_a_confirmed_address_and_a_room_looking_for_collaborators(given: Given) -> None:
    room = await given.room()
    with pytest.raises(Conflict, match="not looking"):
        check_can_show_interest(await given.person(), room)
    room.looking_for_collaborators = True
    with pytest.raises(Unconfirmed):
        check_can_show_interest(await given.person(confirmed=False), room)
    check_can_show_interest(await given.person(), room)


async def test_only_outsiders_ask_to_join_an_active_invite_only_room(given: Given) -> None:
    asker = await given.person()
    closed = await given.room(visibility="invite")
    check_can_ask_to_join(asker, closed, None)
    with pytest.raises(Conflict, match="already a member"):
        check_can_ask_to_join(asker, closed, await given.member(closed, asker))
    with pytest.raises(Conflict, match="join it directly"):
        check_can_ask_to_join(asker, await given.room(), None)
    with pytest.raises(Forbidden, match="archived"):
        check_can_ask_to_join(asker, await given.room(visibility="invite", stage="archived"), None)
    with pytest.raises(Unconfirmed):
        check_can_ask_to_join(await given.person(confirmed=False), closed, None)


async def test_owners_and_stewards_decide_requests_to_join_members_do_not(given: Given) -> None:
    room = await given.room(visibility="invite")
    owner = await given.person()
    require_join_decider(owner, await given.member(room, owner, "owner"))
    for role in STEWARD_ROLES:
        require_join_decider(await given.person(role), None)
    with pytest.raises(Forbidden, match="accept or decline"):
        member = await given.person()
        require_join_decider(member, await given.member(room, member))
