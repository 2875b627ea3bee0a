"""What the REST API answers: the objects of docs/protocol.md and the envelopes that
carry them. The OpenAPI document's components are generated from these classes, and
the test suite checks every JSON answer it receives against that document, so these
declarations and the presenters in ``server.domain`` cannot drift apart unnoticed.

Objects forbid unknown fields (the generated schema says ``additionalProperties:
false``): a field the presenters add without declaring it here fails the suite.
Fields that only some answers carry default to ``UNSET`` (optional in the schema).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from server.vocabulary import OrganisationKind, Role, RoomRole, Stage, Visibility

# RFC 3339 in UTC, written with a Z: "2026-11-27T10:00:00Z".
Time = Annotated[datetime, Meta(tz=True, extra_json_schema={"format": "date-time"})]


class Answer(Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every response shape."""


class OrganisationLabel(Answer):
    """The organisation shown beside a name: verified when the person's confirmed
    address belongs to one of its domains, otherwise self-declared."""

    name: str
    verified: bool


class Person(Answer):
    id: int
    display_name: str
    organisation: OrganisationLabel
    role: Role


class Me(Person):
    """A person as they (or an administrator) see themselves."""

    email: str
    email_confirmed: bool
    active: bool


class RoomCard(Answer):
    """What everyone who may see a room's card is shown (matchmaking lists rooms
    looking for collaborators this way, invite-only ones too): no member count and no
    position in its event stream."""

    id: int
    slug: str
    title: str
    summary: str
    summary_html: str
    stage: Stage
    visibility: Visibility
    tags: list[str]
    looking_for_collaborators: bool
    last_activity_at: Time


class Room(RoomCard):
    """A room as its readers see it: the card, and its size and event position."""

    member_count: int
    last_seq: int
    created_at: Time


class IncubationCriteria(Answer):
    """The programme's three criteria, recorded when the room moved to incubation."""

    user_need: str
    cost_benefit: str
    rapid_success: str


class RoomView(Room):
    """A room as one reader sees it; ``can_manage`` and ``incubation_criteria`` (null
    until it has moved to incubation) only when asked for one room."""

    membership: RoomRole | None
    unread_count: int
    can_manage: bool | UnsetType = UNSET
    involvement: Involvement | UnsetType = UNSET
    incubation_criteria: IncubationCriteria | None | UnsetType = UNSET


class Thread(Answer):
    id: int
    room_id: int
    title: str
    seq: int
    created_by: Person | None
    created_at: Time
    last_activity_at: Time
    message_count: int


class ThreadView(Thread):
    """A thread as one reader sees it."""

    unread_count: int
    following: bool
    last_read_seq: int


class Message(Answer):
    """A deleted message keeps its place: ``deleted`` true, ``body`` and ``html`` empty."""

    id: int
    room_id: int
    thread_id: int
    seq: int
    client_id: str
    author: Person
    body: str
    html: str
    created_at: Time
    edited_at: Time | None
    deleted: bool
    mentions: list[int]
    # Quoted text or a signature was cut off this reply by email (only its author may read it). Optional:
    # events recorded before it existed are replayed as they were stored.
    trimmed: bool = False


class Revision(Answer):
    body: str
    html: str
    replaced_at: Time


class Member(Answer):
    user: Person
    role: RoomRole
    joined_at: Time
    online: bool


class Invited(Answer):
    user_id: int
    role: RoomRole


class Organisation(Answer):
    id: int
    name: str
    domains: list[str]
    kind: OrganisationKind


class Event(Struct, kw_only=True):
    """A durable room event as replayed by catch-up. Open to more fields: the full
    shape of each ``type`` is declared by the event catalogue."""

    type: str
    room_id: int
    seq: int


class ErrorDetail(Answer):
    code: str
    message: str
    field: str | None


class Error(Answer):
    error: ErrorDetail


# ---- matchmaking: who is involved in a room ------------------------------------------------


class InvolvedKind(Answer):
    kind: OrganisationKind
    count: int


class InvolvedOrganisation(Answer):
    id: int
    name: str
    kind: OrganisationKind


class Involvement(Answer):
    """The organisations of a room's members, each counted once: verified ones by kind
    (``kinds``, in the vocabulary's order, only kinds present), and how many distinct
    self-declared organisations there are besides (``unverified``: their kind is not
    known and their names are not shown). ``summary`` says it in words:
    "4 councils, 1 department, 2 suppliers"."""

    summary: str
    kinds: list[InvolvedKind]
    organisations: list[InvolvedOrganisation]
    unverified: int
