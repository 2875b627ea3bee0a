"""Shapes for seeding an event from its workshop file over HTTP (the facilitator page),
and for the event page.

The file itself is the raw request body, not JSON: ``Content-Type`` is the file's type
(``text/csv``, ``text/tab-separated-values``, ``text/plain``, ``application/yaml``,
``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``, or
``application/octet-stream`` when the browser does not know it) and ``X-Filename``
carries its name, percent-encoded (the extension decides how it is read; the name
without it is the event's name by default). The query names the event and, to apply,
the preview being confirmed.

``POST /api/v1/seed/preview`` answers ``SeedReport`` with ``applied`` false: exactly
what applying would create, change and send (a dry run in a transaction rolled back),
or the file's problems with their rows and columns. ``POST /api/v1/seed/apply``
repeats the file and the preview's ``preview`` digest; it answers ``SeedReport`` with
``applied`` true, or 409 when the file or what it would do has changed since (see
``server.http.seed_views`` for progress).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta, Struct

from server.contract.pipeline import StageMove
from server.contract.responses import Answer, ErrorDetail, Time
from server.vocabulary import Stage

FILE_TYPES: Final = (
    "text/csv",
    "text/tab-separated-values",
    "text/plain",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/octet-stream",
)
Digest = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="a SHA-256 digest in hex")]
EventName = Annotated[str, Meta(min_length=1, max_length=200, description="the event's name")]


class SeedQuery(Struct, kw_only=True):
    """``event``: the event's name (default: the YAML's event, else the file's name
    without its extension). ``preview``: for apply, the digest the preview answered."""

    event: EventName | None = None
    preview: Digest | None = None


# What happened for one address in one room (see ``server.domain.invitations.Placed``).
PlaceOutcome = Literal["invited", "added", "made_owner", "already_member", "already_invited", "deactivated"]


class SeedProblem(Answer):
    """One reason the file cannot be applied: ``text`` is the line the command prints
    ("Row 4, Facilitator: 'Jo from LGD' is not an email address")."""

    text: str
    message: str
    row: int | None
    line: int | None
    column: str | None


class SeededPerson(Answer):
    email: str
    outcome: PlaceOutcome
    owner: bool


class SimilarConcept(Answer):
    title: str
    slug: str


class SeededRoom(Answer):
    """One concept of the file: its room, new (``created``) or found, its slug (a new
    room's slug as it would be, in a preview), the questions opened now and those
    already there, and what happens for each address. ``owners``: everyone who will own
    it (a new room: the row's facilitator and the person seeding, who opens it);
    ``similar``: existing rooms a new concept probably duplicates."""

    title: str
    slug: str
    created: bool
    owner: str
    owners: list[str]
    similar: list[SimilarConcept]
    threads_created: list[str]
    threads_existing: list[str]
    people: list[SeededPerson]


class SeedMail(Answer):
    email: str
    kind: Literal["invitation", "notice"]


class SeedReport(Answer):
    """What a seed does (``applied`` false: would do). ``changed`` false: nothing to do.
    ``preview`` is the digest of the file and of this report, which apply repeats."""

    applied: bool
    applicable: bool
    changed: bool
    event: str
    event_id: int | None
    event_created: bool
    rooms: list[SeededRoom]
    not_in_file: list[str]
    mails: list[SeedMail]
    rooms_created: int
    threads_created: int
    notes: list[str]
    merged: list[str]
    problems: list[SeedProblem]
    file_sha256: Digest
    preview: Digest | None
    seeder: str | None


class EventSummary(Answer):
    """A seeded event; the counts are of rooms the reader may see."""

    id: int
    name: str
    date: str | None
    place: str | None
    created_at: Time
    room_count: int


class EventList(Answer):
    events: list[EventSummary]


class EventRoom(Answer):
    """One room from the event and what happened in it since it was seeded:
    threads opened since, messages posted since, organisations that posted since, and
    its opening questions nobody has answered yet."""

    id: int
    slug: str
    title: str
    stage: Stage
    lead_organisation: str | None
    member_count: int
    new_threads: int
    messages: int
    active_organisations: list[str]
    involved_organisations: list[str]
    unanswered: list[str]
    stage_moves: list[StageMove]
    last_activity_at: Time


class EventDetail(EventSummary):
    """The event page: its rooms (those the reader may see) and what has happened since,
    in total and per room."""

    rooms: list[EventRoom]
    new_threads: int
    messages: int
    active_organisations: list[str]
    involved_organisations: list[str]
    unanswered: int
    stage_moves: int


class EventAnswer(Answer):
    event: EventDetail


# Progress, when the request asks for it with ``Accept: application/x-ndjson``: the
# answer is then a stream of JSON lines, ``SeedProgress`` lines while the seed runs,
# then ONE last line, ``SeedDone`` (with the committed or previewed report) or
# ``SeedFailed`` (nothing was written). Progress counts steps of a transaction that
# may still roll back: it is never an event of the rooms, which are announced only
# after commit like every other write.
class SeedProgress(Answer):
    type: Literal["progress"]
    done: int
    total: int


class SeedDone(Answer):
    type: Literal["report"]
    report: SeedReport


class SeedFailed(Answer):
    type: Literal["error"]
    status: int
    error: ErrorDetail
