"""Shapes for the pipeline: moving a room to another stage, its stage history, and the
board of rooms in columns by stage.

``POST /api/v1/rooms/{room}/stage`` takes ``{"stage": ..., "note": ..., "criteria":
{...}}``; ``criteria`` is required for (and only for) a move to incubation, each of
its three texts non-empty (the domain names the missing one, e.g.
``criteria.user_need``).
"""

from __future__ import annotations

from typing import Annotated, Final

from msgspec import Meta, Struct

from server.contract.fields import Id, OrganisationName, SearchText, Tag
from server.contract.requests import Request
from server.contract.responses import Answer, IncubationCriteria, Person, RoomView, Time
from server.vocabulary import OrganisationKind, Stage

NOTE_MAX_CHARS: Final = 2000
CRITERION_MAX_CHARS: Final = 4000
Note = Annotated[str, Meta(max_length=NOTE_MAX_CHARS, description="why the room moved (plain text)")]
Criterion = Annotated[str, Meta(max_length=CRITERION_MAX_CHARS)]


class CriteriaGiven(Request, kw_only=True):
    """The programme's three criteria for incubation, each a non-empty text."""

    user_need: Annotated[Criterion, Meta(description="the user need that only central-local collaboration can meet")] = ""
    cost_benefit: Annotated[Criterion, Meta(description="the cost benefit")] = ""
    rapid_success: Annotated[Criterion, Meta(description="the prospects of rapid success")] = ""


class StageMoveRequest(Request, kw_only=True):
    stage: Stage
    note: Note | None = None
    criteria: CriteriaGiven | None = None


class PipelineQuery(Struct, kw_only=True):
    """``organisation`` matches part of a name, case-insensitively; ``event`` is a seed
    event's id."""

    tag: Tag | None = None
    organisation: SearchText | None = None
    kind: OrganisationKind | None = None
    event: Id | None = None


# ---- answers ----------------------------------------------------------------------------


class StageMove(Answer):
    """One move, as the room's history lists it and as the stage.moved event carries
    it; ``seq`` is the room event that announced it."""

    id: int
    room_id: int
    seq: int
    from_stage: Stage
    to_stage: Stage
    note: str
    criteria: IncubationCriteria | None
    moved_by: Person | None
    moved_at: Time


class StageMoved(Answer):
    move: StageMove
    room: RoomView


class StageHistory(Answer):
    """Oldest first."""

    moves: list[StageMove]


class BoardOrganisation(Answer):
    """An organisation with members in the room: ``kind`` is known for verified
    organisations only (a self-declared name has none)."""

    name: OrganisationName
    kind: OrganisationKind | None
    verified: bool
    members: int


class SeedEventRef(Answer):
    id: int
    name: str


class PipelineCard(Answer):
    id: int
    slug: str
    title: str
    stage: Stage
    tags: list[str]
    looking_for_collaborators: bool
    member_count: int
    last_activity_at: Time
    recent_message_count: Annotated[int, Meta(description="messages in the last 14 days")]
    organisations: list[BoardOrganisation]
    incubation_criteria: IncubationCriteria | None
    event: SeedEventRef | None
    can_move: bool


class PipelineColumn(Answer):
    stage: Stage
    rooms: list[PipelineCard]


class PipelineBoard(Answer):
    """One column per stage, in pipeline order; rooms most recently active first.
    ``events`` lists the events the viewer's rooms came from, for the filter."""

    columns: list[PipelineColumn]
    events: list[SeedEventRef]
