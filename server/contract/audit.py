"""The audit log over HTTP (administrators): the filters and the entries answered."""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from server.contract.fields import Id, PageSize
from server.contract.responses import Answer, Time
from server.vocabulary import AuditAction, Door


class AuditQuery(Struct, kw_only=True):
    """Newest first; ``before`` is the smallest entry id of the previous page. ``person``
    matches entries where that person acted or was acted on; ``since`` and ``until``
    are calendar days in UTC, both included."""

    person: Id | None = None
    action: AuditAction | None = None
    room: Id | None = None
    since: date | None = None
    until: date | None = None
    before: Id | None = None
    limit: PageSize = 50


class AuditPerson(Answer):
    id: int
    display_name: str
    email: str


class AuditRoom(Answer):
    id: int
    slug: str
    title: str


class AuditOrganisation(Answer):
    id: int
    name: str


class AuditEntry(Answer):
    """Who did what, to whom or which room or organisation, when and from where; a
    person, room or organisation deleted since shows as null."""

    id: int
    at: Time
    action: AuditAction
    actor: AuditPerson | None
    user: AuditPerson | None
    room: AuditRoom | None
    organisation: AuditOrganisation | None
    door: Door
    address: str | None
    detail: str


class AuditList(Answer):
    """Newest first."""

    entries: list[AuditEntry]
    has_more: bool
