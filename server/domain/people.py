"""How a person appears to others: name, role and organisation (verified or not).

Loaded in one query for any set of ids, so lists of messages or members never cost a
query per author.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.models import Organisation, User
from server.store.send_sql import PersonRow


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    organisation: str
    verified: bool
    role: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "organisation": {"name": self.organisation, "verified": self.verified},
            "role": self.role,
        }


def person_of(user: User, organisation: Organisation | None) -> Person:
    if organisation is not None:
        return Person(user.id, user.display_name, organisation.name, True, user.role)
    return Person(user.id, user.display_name, user.declared_organisation, False, user.role)


def person_from_row(row: PersonRow) -> Person:
    """``person_of`` for the send path's plain rows (``server.store.send_sql``)."""
    if row.organisation is not None:
        return Person(row.id, row.display_name, row.organisation, True, row.role)
    return Person(row.id, row.display_name, row.declared_organisation, False, row.role)


async def load_people(session: AsyncSession, ids: Iterable[int]) -> dict[int, Person]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(User, Organisation).outerjoin(Organisation, User.organisation_id == Organisation.id).where(User.id.in_(wanted))
    )
    return {user.id: person_of(user, org) for user, org in rows.tuples()}


async def load_person(session: AsyncSession, user_id: int) -> Person:
    return (await load_people(session, [user_id]))[user_id]


def self_view(user: User, person: Person) -> dict[str, Any]:
    """A user as they see themselves (or as an administrator sees them): with email."""
    return person.as_dict() | {
        "email": user.email,
        "email_confirmed": user.email_confirmed_at is not None,
        "active": user.deactivated_at is None,
    }
