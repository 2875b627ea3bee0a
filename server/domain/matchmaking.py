"""Matchmaking: the board of rooms looking for collaborators, one room's card, and
each person's suggestions.

A card shows what anyone signed in may see of a room looking for collaborators, even
an invite-only one (``access.can_see_listing``): title, summary, tags, stage, the
organisations involved and the interest shown; never its threads, messages or members.

Suggestions for a person are rooms looking for collaborators, not archived, that they
are not in and may see, where an organisation of the same kind as their verified one
is involved, or that share a tag with a room they are in.
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.access import can_see_listing, listed_room
from server.domain.interest import interest_counts, room_interest
from server.domain.involvement import involvement_by_room
from server.domain.presenters import room_card_json
from server.domain.rooms import tags_and_counts
from server.store.models import JoinRequest, Organisation, Room, RoomMember, RoomTag, User
from server.vocabulary import OrganisationKind

BOARD_LIMIT = 200
SUGGESTION_LIMIT = 20


async def _cards(session: AsyncSession, viewer: User, rooms: Sequence[Room]) -> list[dict[str, Any]]:
    """Cards for ``rooms`` the viewer may see listed (others are dropped), in a fixed
    number of queries."""
    ids = [r.id for r in rooms]
    members = {
        m.room_id: m for m in await session.scalars(select(RoomMember).where(RoomMember.user_id == viewer.id, RoomMember.room_id.in_(ids)))
    }
    visible = [r for r in rooms if can_see_listing(viewer, r, members.get(r.id))]
    ids = [r.id for r in visible]
    tags, _ = await tags_and_counts(session, ids)
    involvement = await involvement_by_room(session, ids)
    counts, mine = await interest_counts(session, viewer.id, ids)
    asked = select(JoinRequest.room_id, JoinRequest.status).where(JoinRequest.user_id == viewer.id, JoinRequest.room_id.in_(ids))
    requests = dict((await session.execute(asked)).tuples().all())
    return [
        {
            "room": room_card_json(r, tags[r.id]),
            "involvement": involvement[r.id],
            "interest": counts[r.id],
            "membership": members[r.id].role if r.id in members else None,
            "my_interest": mine[r.id],
            "join_request": requests.get(r.id),
        }
        for r in visible
    ]


def _kind_involved(kind: OrganisationKind) -> Any:
    """Rooms with an active member of a verified organisation of ``kind``."""
    return (
        select(RoomMember.room_id)
        .join(User, User.id == RoomMember.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == kind, User.deactivated_at.is_(None))
    )


async def board(session: AsyncSession, viewer: User, tag: str | None, kind: OrganisationKind | None) -> list[dict[str, Any]]:
    """Rooms looking for collaborators (not archived), most recently active first."""
    query = select(Room).where(Room.looking_for_collaborators.is_(True), Room.stage != "archived")
    if tag:
        query = query.where(Room.id.in_(select(RoomTag.room_id).where(RoomTag.tag == " ".join(tag.lower().split()))))
    if kind:
        query = query.where(Room.id.in_(_kind_involved(kind)))
    rooms = (await session.scalars(query.order_by(Room.last_activity_at.desc(), Room.id.desc()).limit(BOARD_LIMIT))).all()
    return await _cards(session, viewer, rooms)


async def collaboration(session: AsyncSession, viewer: User, ref: int | str) -> dict[str, Any]:
    """One room's card and its interest by organisation (NotFound unless the viewer
    may see the card)."""
    room, _ = await listed_room(session, viewer, ref)
    [card] = await _cards(session, viewer, [room])
    return {"card": card, "interest": await room_interest(session, viewer, room)}


async def suggestions(session: AsyncSession, viewer: User) -> list[dict[str, Any]]:
    """Suggested rooms with why (``because``): both reasons first, then latest activity."""
    kind: OrganisationKind | None = None
    if viewer.organisation_id is not None:
        kind = await session.scalar(select(Organisation.kind).where(Organisation.id == viewer.organisation_id))
    mine = select(RoomMember.room_id).where(RoomMember.user_id == viewer.id)
    my_tags = set((await session.scalars(select(RoomTag.tag).where(RoomTag.room_id.in_(mine)).distinct())).all())
    reasons = []
    if kind is not None:
        reasons.append(Room.id.in_(_kind_involved(kind)))
    if my_tags:
        reasons.append(Room.id.in_(select(RoomTag.room_id).where(RoomTag.tag.in_(my_tags))))
    if not reasons:
        return []
    rooms = (
        await session.scalars(
            select(Room)
            .where(Room.looking_for_collaborators.is_(True), Room.stage != "archived", Room.id.not_in(mine), or_(*reasons))
            .order_by(Room.last_activity_at.desc(), Room.id.desc())
            .limit(BOARD_LIMIT)
        )
    ).all()
    found = []
    for card in await _cards(session, viewer, rooms):
        same_kind = kind if kind is not None and any(k["kind"] == kind for k in card["involvement"]["kinds"]) else None
        found.append(card | {"because": {"kind": same_kind, "tags": sorted(my_tags & set(card["room"]["tags"]))}})
    found.sort(key=lambda s: not (s["because"]["kind"] and s["because"]["tags"]))  # stable: activity order within
    return found[:SUGGESTION_LIMIT]
