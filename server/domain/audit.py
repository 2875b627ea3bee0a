"""The audit log: who did what, to whom or to which room or organisation, when and from
which address (issue 12).

``record`` is the one way to write an entry. It adds the row to the caller's
transaction, so the entry commits with the action it describes and a rolled-back
action leaves none. The client's address comes from ``tx.origin``, which the door set
when it opened the transaction. Entries never hold message bodies, passwords or
tokens: ``detail`` is a short description ("role: member -> facilitator").

Administrators read the log through ``list_entries`` (newest first, filtered, a page
at a time) and ``all_entries`` (every match, oldest first, in batches, for CSV).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, AsyncIterator

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.access import require_administrator
from server.domain.presenters import iso
from server.store.models import AuditEntry, Organisation, Room, User
from server.store.transaction import Tx
from server.vocabulary import AuditAction

DETAIL_MAX = 500
BATCH = 500


def record(
    tx: Tx,
    action: AuditAction,
    *,
    actor: User | None,
    user_id: int | None = None,
    room_id: int | None = None,
    organisation_id: int | None = None,
    detail: str = "",
) -> None:
    """Add one audit entry to ``tx`` (written with the action, or not at all).
    ``actor`` is who acted (None for the system or an unknown person); ``user_id``,
    ``room_id`` and ``organisation_id`` name what was acted on."""
    tx.session.add(
        AuditEntry(
            action=action,
            actor_id=actor.id if actor is not None else None,
            user_id=user_id,
            room_id=room_id,
            organisation_id=organisation_id,
            door=tx.origin.door,
            address=(tx.origin.address or None) and tx.origin.address[:64],
            detail=detail[:DETAIL_MAX],
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    person: int | None = None  # entries where this person acted or was acted on
    action: AuditAction | None = None
    room: int | None = None
    since: date | None = None  # calendar days in UTC, both included
    until: date | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _filtered(flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    query = select(AuditEntry)
    if flt.person is not None:
        query = query.where(or_(AuditEntry.actor_id == flt.person, AuditEntry.user_id == flt.person))
    if flt.action is not None:
        query = query.where(AuditEntry.action == flt.action)
    if flt.room is not None:
        query = query.where(AuditEntry.room_id == flt.room)
    if flt.since is not None:
        query = query.where(AuditEntry.at >= _midnight(flt.since))
    if flt.until is not None:
        query = query.where(AuditEntry.at < _midnight(flt.until) + timedelta(days=1))
    return query


async def present(session: AsyncSession, rows: list[AuditEntry]) -> list[dict[str, Any]]:
    """Entries with the names of the people, rooms and organisations they mention (three
    queries for any number of entries). A name that is gone shows as null."""
    user_ids = {i for r in rows for i in (r.actor_id, r.user_id) if i is not None}
    room_ids = {r.room_id for r in rows if r.room_id is not None}
    org_ids = {r.organisation_id for r in rows if r.organisation_id is not None}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_(room_ids)))} if room_ids else {}
    orgs = {o.id: o for o in await session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))} if org_ids else {}

    def person(user_id: int | None) -> dict[str, Any] | None:
        user = users.get(user_id) if user_id is not None else None
        return None if user is None else {"id": user.id, "display_name": user.display_name, "email": user.email}

    def room(room_id: int | None) -> dict[str, Any] | None:
        found = rooms.get(room_id) if room_id is not None else None
        return None if found is None else {"id": found.id, "slug": found.slug, "title": found.title}

    def organisation(org_id: int | None) -> dict[str, Any] | None:
        found = orgs.get(org_id) if org_id is not None else None
        return None if found is None else {"id": found.id, "name": found.name}

    return [
        {
            "id": r.id,
            "at": iso(r.at),
            "action": r.action,
            "actor": person(r.actor_id),
            "user": person(r.user_id),
            "room": room(r.room_id),
            "organisation": organisation(r.organisation_id),
            "door": r.door,
            "address": r.address,
            "detail": r.detail,
        }
        for r in rows
    ]


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict[str, Any]]
    has_more: bool


async def list_entries(session: AsyncSession, actor: User, flt: AuditFilter, *, before: int | None, limit: int) -> AuditPage:
    """Administrators only: matching entries, newest first, ``limit`` at a time, older than id ``before``."""
    require_administrator(actor, "read the audit log")
    query = _filtered(flt).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(await session.scalars(query))
    return AuditPage(await present(session, rows[:limit]), has_more=len(rows) > limit)


async def all_entries(session: AsyncSession, actor: User, flt: AuditFilter) -> AsyncIterator[list[dict[str, Any]]]:
    """Administrators only: every matching entry, oldest first, in batches (a CSV
    export of a long log never holds it all in memory)."""
    require_administrator(actor, "export the audit log")
    after = 0
    while True:
        rows = list(await session.scalars(_filtered(flt).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(BATCH)))
        if not rows:
            return
        yield await present(session, rows)
        after = rows[-1].id


async def entries_about(session: AsyncSession, user_id: int) -> AsyncIterator[list[dict[str, Any]]]:
    """Every entry where ``user_id`` acted or was acted on, oldest first, in batches
    (a person's own data; the caller decided they may see it)."""
    after = 0
    while True:
        query = _filtered(AuditFilter(person=user_id)).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(BATCH)
        rows = list(await session.scalars(query))
        if not rows:
            return
        yield await present(session, rows)
        after = rows[-1].id
