"""Interest in a room looking for collaborators: "we have this problem too"
(``same-problem``) and "we could help" (``can-help``), one click each, withdrawable.

A room shows interest by organisation: each organisation is counted once however many
of its people said so, and lists those people. A verified organisation is one group;
a self-declared name is one group (case and spacing aside); a person without any
organisation is a group of their own. Saying it is public to everyone who can see the
room's card (``access.can_see_listing``); it reveals nothing of the room's content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.domain import events
from server.domain.access import check_can_show_interest, listed_room
from server.domain.involvement import declared_key
from server.domain.outbox import queue_mail
from server.domain.people import load_people
from server.domain.room_owners import room_owners
from server.store.models import Organisation, Room, RoomInterest, User
from server.store.transaction import Tx
from server.store.upsert import insert_ignore
from server.vocabulary import INTEREST_KINDS, InterestKind

GroupKey = tuple[str, int | str]


def group_key(user_id: int, organisation_id: int | None, declared: str) -> GroupKey:
    """The organisation a person speaks for, for counting once per organisation."""
    if organisation_id is not None:
        return ("verified", organisation_id)
    if declared_key(declared):
        return ("declared", declared_key(declared))
    return ("person", user_id)


KIND_WORDS: dict[InterestKind, str] = {"same-problem": "We have this problem too", "can-help": "We could help"}


async def show_interest(tx: Tx, cfg: Settings, actor: User, ref: int | str, kind: InterestKind) -> Room:
    """Record that ``actor`` said ``kind`` of the room (again: nothing changes). The
    first time, each owner hears it live (``interest.changed``) and by email unless
    they chose no email at all."""
    room, _ = await listed_room(tx.session, actor, ref)
    check_can_show_interest(actor, room)
    said_before = await tx.session.scalar(
        select(RoomInterest.user_id).where(RoomInterest.room_id == room.id, RoomInterest.user_id == actor.id, RoomInterest.kind == kind)
    )
    await insert_ignore(tx.session, RoomInterest, [{"room_id": room.id, "user_id": actor.id, "kind": kind}])
    if said_before is None:
        await _tell_owners(tx, cfg, room, actor, kind, said=True)
    return room


async def withdraw_interest(tx: Tx, cfg: Settings, actor: User, ref: int | str, kind: InterestKind) -> Room:
    """Take back what ``actor`` said (nothing said: nothing changes). The owners' open
    pages hear it (``interest.changed``); nobody is emailed about a withdrawal."""
    room, _ = await listed_room(tx.session, actor, ref)
    gone = await tx.session.execute(
        delete(RoomInterest).where(RoomInterest.room_id == room.id, RoomInterest.user_id == actor.id, RoomInterest.kind == kind)
    )
    if getattr(gone, "rowcount", 0):
        await _tell_owners(tx, cfg, room, actor, kind, said=False)
    return room


async def _tell_owners(tx: Tx, cfg: Settings, room: Room, actor: User, kind: InterestKind, *, said: bool) -> None:
    person = (await load_people(tx.session, [actor.id]))[actor.id]
    for owner in await room_owners(tx.session, room.id):
        if owner.id == actor.id:
            continue
        tx.to_person(owner.id, events.interest_changed(room.id, kind, said, person.as_dict()))
        if said and owner.notify_mode != "never" and owner.deactivated_at is None:
            who = f"{person.display_name} ({person.organisation})" if person.organisation else person.display_name
            queue_mail(
                tx,
                owner.email,
                f'{person.display_name} said "{KIND_WORDS[kind]}" about {room.title} on Convene',
                f'Hello {owner.display_name},\n\n{who} said "{KIND_WORDS[kind]}" about your room "{room.title}" on Convene.\n\n'
                f"See who answered, and invite them in, on the room's page:\n\n{cfg.public_url}/r/{room.slug}\n",
            )


async def interest_counts(
    session: AsyncSession, viewer_id: int, room_ids: list[int]
) -> tuple[dict[int, dict[str, int]], dict[int, list[str]]]:
    """For each room: organisations per kind (``InterestCounts``), and what the viewer said."""
    groups: dict[int, dict[str, set[GroupKey]]] = {i: {k: set() for k in INTEREST_KINDS} for i in room_ids}
    mine: dict[int, list[str]] = {i: [] for i in room_ids}
    if room_ids:
        rows = await session.execute(
            select(RoomInterest.room_id, RoomInterest.kind, User.id, User.organisation_id, User.declared_organisation)
            .join(User, User.id == RoomInterest.user_id)
            .where(RoomInterest.room_id.in_(room_ids), User.deactivated_at.is_(None))
            .order_by(RoomInterest.kind)
        )
        for room_id, kind, user_id, org_id, declared in rows.tuples():
            groups[room_id][kind].add(group_key(user_id, org_id, declared))
            if user_id == viewer_id:
                mine[room_id].append(kind)
    counts = {i: {"same_problem": len(g["same-problem"]), "can_help": len(g["can-help"])} for i, g in groups.items()}
    return counts, mine


async def room_interest(session: AsyncSession, viewer: User, room: Room) -> dict[str, Any]:
    """The room's interest grouped by organisation (``server.contract.matchmaking.Interest``);
    the caller has checked the viewer may see the room's card."""
    rows = (
        (
            await session.execute(
                select(RoomInterest.kind, User.id, User.organisation_id, User.declared_organisation, Organisation.kind)
                .join(User, User.id == RoomInterest.user_id)
                .outerjoin(Organisation, Organisation.id == User.organisation_id)
                .where(RoomInterest.room_id == room.id, User.deactivated_at.is_(None))
                .order_by(RoomInterest.created_at, User.id)
            )
        )
        .tuples()
        .all()
    )
    people = await load_people(session, [user_id for _, user_id, _, _, _ in rows])
    tallies: dict[str, dict[GroupKey, dict[str, Any]]] = {k: {} for k in INTEREST_KINDS}
    for kind, user_id, org_id, declared, org_kind in rows:
        key = group_key(user_id, org_id, declared)
        person = people[user_id]
        group = tallies[kind].setdefault(
            key,
            {
                "organisation": {"name": person.organisation if key[0] != "person" else "", "verified": person.verified, "kind": org_kind},
                "people": [],
            },
        )
        group["people"].append(person.as_dict())

    def tally(kind: str) -> dict[str, Any]:
        groups = list(tallies[kind].values())
        return {"organisations": len(groups), "groups": groups}

    return {
        "room_id": room.id,
        "same_problem": tally("same-problem"),
        "can_help": tally("can-help"),
        "mine": sorted({kind for kind, user_id, *_ in rows if user_id == viewer.id}),
    }


async def interest_view(session: AsyncSession, viewer: User, ref: int | str) -> dict[str, Any]:
    room, _ = await listed_room(session, viewer, ref)
    return await room_interest(session, viewer, room)
