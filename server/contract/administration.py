"""Administration over HTTP: people, every room, ownership, invitations sent again."""

from __future__ import annotations

from msgspec import Struct

from server.contract.fields import Id, PageSize, SearchText
from server.contract.invitations import InvitationResult
from server.contract.requests import Request
from server.contract.responses import Answer, Me, Person, Time
from server.vocabulary import Role, Stage, Visibility


class PeopleQuery(Struct, kw_only=True):
    """``q`` matches part of a name or address; ``after`` is the last id of the previous page."""

    q: SearchText | None = None
    role: Role | None = None
    active: bool | None = None
    after: Id | None = None
    limit: PageSize = 100


class AdminPerson(Me):
    """A person as administrators see them; ``invited``: no password and never confirmed (waiting for an invitation)."""

    invited: bool
    created_at: Time


class PeopleList(Answer):
    """In account order."""

    people: list[AdminPerson]
    has_more: bool


class AdminRoom(Answer):
    id: int
    slug: str
    title: str
    stage: Stage
    visibility: Visibility
    member_count: int
    message_count: int
    last_activity_at: Time
    created_at: Time
    owners: list[Person]


class AdminRoomList(Answer):
    """Every room, invite-only ones too, most recently active first."""

    rooms: list[AdminRoom]


class NewOwner(Request, kw_only=True):
    user_id: Id


class OwnerChanged(Answer):
    room: AdminRoom


class InvitationsResent(Answer):
    """One result per room the person was invited to."""

    results: list[InvitationResult]
