"""Who is involved in a room: the organisations of its members, each counted once,
by kind ("4 councils, 1 department, 2 suppliers").

Involvement is one thing wherever it is shown: a room's *members* and their
organisations (``involved_organisations``). The pipeline's "Involved", the room's
"Who is involved" and the event page's "Organisations involved" all read it; what
people posted since an event is activity, shown apart and named as such.

Decision: only *verified* organisations (a confirmed address in one of the
organisation's domains) are counted by kind, since only those have a kind an
administrator vouched for. Organisations people typed for themselves are counted
apart, as ``unverified`` (distinct names, case and spacing aside), and their names
are not shown: anyone may type anything there. Members without any organisation and
deactivated accounts are not counted.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.models import Organisation, RoomMember, User
from server.vocabulary import ORGANISATION_KINDS, OrganisationKind

# How each kind reads in a sentence, singular and plural.
KIND_WORDS: Final[dict[OrganisationKind, tuple[str, str]]] = {
    "council": ("council", "councils"),
    "central-government": ("department", "departments"),
    "supplier": ("supplier", "suppliers"),
    "sector-body": ("sector body", "sector bodies"),
    "other": ("other organisation", "other organisations"),
}
UNVERIFIED_WORDS: Final = ("unverified organisation", "unverified organisations")


def counted(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def declared_key(name: str) -> str:
    """Self-declared names compare case and spacing aside."""
    return " ".join(name.split()).casefold()


def involvement_json(verified: dict[int, tuple[str, OrganisationKind]], unverified: int) -> dict[str, Any]:
    by_kind = {kind: sum(1 for _, k in verified.values() if k == kind) for kind in ORGANISATION_KINDS}
    parts = [counted(n, KIND_WORDS[kind]) for kind, n in by_kind.items() if n]
    if unverified:
        parts.append(counted(unverified, UNVERIFIED_WORDS))
    order = {kind: i for i, kind in enumerate(ORGANISATION_KINDS)}
    organisations = sorted(verified.items(), key=lambda item: (order[item[1][1]], item[1][0].casefold()))
    return {
        "summary": ", ".join(parts) if parts else "No organisations yet",
        "kinds": [{"kind": kind, "count": n} for kind, n in by_kind.items() if n],
        "organisations": [{"id": org_id, "name": name, "kind": kind} for org_id, (name, kind) in organisations],
        "unverified": unverified,
    }


async def involvement_by_room(session: AsyncSession, room_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each room's involvement (``server.contract.responses.Involvement``), in one query."""
    verified: dict[int, dict[int, tuple[str, OrganisationKind]]] = {i: {} for i in room_ids}
    declared: dict[int, set[str]] = {i: set() for i in room_ids}
    if room_ids:
        rows = await session.execute(
            select(RoomMember.room_id, User.organisation_id, Organisation.name, Organisation.kind, User.declared_organisation)
            .join(User, User.id == RoomMember.user_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(RoomMember.room_id.in_(room_ids), User.deactivated_at.is_(None))
        )
        for room_id, org_id, name, kind, typed in rows.tuples():
            if org_id is not None:
                verified[room_id][org_id] = (name, kind)
            elif declared_key(typed):
                declared[room_id].add(declared_key(typed))
    return {i: involvement_json(verified[i], len(declared[i])) for i in room_ids}


async def involved_organisations(session: AsyncSession, room_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each room, the organisations of its members, most members first: verified
    organisations with their kind, self-declared names without one (deactivated
    accounts aside, as in ``involvement_by_room``)."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in room_ids}
    if not room_ids:
        return found
    name = func.coalesce(Organisation.name, User.declared_organisation)
    rows = await session.execute(
        select(RoomMember.room_id, name, Organisation.kind, Organisation.id.is_not(None), func.count())
        .join(User, User.id == RoomMember.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(RoomMember.room_id.in_(room_ids), name != "", User.deactivated_at.is_(None))
        .group_by(RoomMember.room_id, name, Organisation.kind, Organisation.id)
    )
    for room_id, org_name, kind, verified, count in rows.tuples():
        found[room_id].append({"name": org_name, "kind": kind if verified else None, "verified": bool(verified), "members": count})
    for listed in found.values():
        listed.sort(key=lambda o: (-o["members"], o["name"].casefold()))
    return found
