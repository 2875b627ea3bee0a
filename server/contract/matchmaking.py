"""Shapes for matchmaking: rooms looking for collaborators and their cards, interest
("we have this problem too", "we could help") counted per organisation, requests to
join, and suggestions.

A *card* is what anyone signed in may see of a room looking for collaborators, even an
invite-only one: its title, summary, tags, stage and the organisations involved, never
its threads, messages or member list (``server.domain.access.can_see_listing``).
"""

from __future__ import annotations

from typing import Annotated, Final

from msgspec import Meta, Struct

from server.contract.requests import Request
from server.contract.responses import Answer, Involvement, Person, RoomCard, Time
from server.vocabulary import InterestKind, JoinRequestStatus, OrganisationKind, RoomRole

JOIN_MESSAGE_MAX_CHARS: Final = 2000
JoinMessage = Annotated[str, Meta(max_length=JOIN_MESSAGE_MAX_CHARS, description="plain text for the room's owners")]


# ---- requests ---------------------------------------------------------------------------


class InterestChoice(Request, kw_only=True):
    """``same-problem``: "we have this problem too"; ``can-help``: "we could help"."""

    kind: InterestKind


class AskToJoin(Request, kw_only=True):
    message: JoinMessage = ""


class CollaborationQuery(Struct, kw_only=True):
    """Narrow the board: rooms with this tag, or with an organisation of this kind involved."""

    tag: Annotated[str, Meta(max_length=40)] | None = None
    kind: OrganisationKind | None = None


# ---- answers ----------------------------------------------------------------------------


class InterestCounts(Answer):
    """How many organisations said each thing (a person without one counts alone)."""

    same_problem: int
    can_help: int


class CollaborationCard(Answer):
    """A room looking for collaborators as one person sees it: what they may see of it,
    whether they are in it, what they said of it, and where their request to join stands."""

    room: RoomCard
    involvement: Involvement
    interest: InterestCounts
    membership: RoomRole | None
    my_interest: list[InterestKind]
    join_request: JoinRequestStatus | None


class SuggestionReason(Answer):
    """``kind``: an organisation of the same kind as yours is involved; ``tags``: tags it
    shares with rooms you are in."""

    kind: OrganisationKind | None
    tags: list[str]


class Suggestion(CollaborationCard):
    because: SuggestionReason


class InterestOrganisation(Answer):
    """Who said it: a verified organisation (with its kind), a self-declared one
    (``verified`` false, ``kind`` null), or a person without one (``name`` empty)."""

    name: str
    verified: bool
    kind: OrganisationKind | None


class InterestGroup(Answer):
    organisation: InterestOrganisation
    people: list[Person]


class InterestTally(Answer):
    """``organisations`` counts each organisation once, however many of its people said so."""

    organisations: int
    groups: list[InterestGroup]


class Interest(Answer):
    room_id: int
    same_problem: InterestTally
    can_help: InterestTally
    mine: list[InterestKind]


class RoomName(Answer):
    id: int
    slug: str
    title: str


class JoinRequest(Answer):
    id: int
    room: RoomName
    user: Person
    message: str
    status: JoinRequestStatus
    created_at: Time
    decided_at: Time | None


# ---- envelopes --------------------------------------------------------------------------


class CollaborationList(Answer):
    """Most recently active first."""

    rooms: list[CollaborationCard]


class CollaborationAnswer(Answer):
    card: CollaborationCard
    interest: Interest


class InterestAnswer(Answer):
    interest: Interest


class JoinRequestAnswer(Answer):
    join_request: JoinRequest


class JoinRequestList(Answer):
    """Pending requests, oldest first."""

    join_requests: list[JoinRequest]


class SuggestionList(Answer):
    """Rooms sharing both reasons first, then by latest activity."""

    suggestions: list[Suggestion]
