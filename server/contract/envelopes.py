"""The top-level objects of REST answers: ``{"room": ...}``, ``{"threads": [...]}``.
One class per distinct answer, named for what it carries; the OpenAPI paths refer
to them by name."""

from __future__ import annotations

from msgspec import UNSET, UnsetType

from server.contract.responses import (
    Answer,
    Event,
    Me,
    Member,
    Message,
    Organisation,
    Revision,
    RoomView,
    ThreadView,
)


class SetupState(Answer):
    needs_setup: bool


class UserAnswer(Answer):
    user: Me


class Accepted(Answer):
    """202: the request is taken; ``status`` says what happens next."""

    status: str


class OrganisationList(Answer):
    organisations: list[Organisation]


class OrganisationAnswer(Answer):
    organisation: Organisation


class RoomList(Answer):
    """Most recently active first; ``next_cursor`` (null on the last page) asks for
    the next page."""

    rooms: list[RoomView]
    next_cursor: str | None


class RoomAnswer(Answer):
    room: RoomView


class LeftRoom(Answer):
    """``room`` is null when the room was invite-only and so is now out of sight."""

    room: RoomView | None


class MemberList(Answer):
    members: list[Member]


class ThreadList(Answer):
    """Latest activity first."""

    threads: list[ThreadView]


class ThreadAnswer(Answer):
    thread: ThreadView


class StartedThread(Answer):
    """The thread and, when a body was given, its first message."""

    thread: ThreadView
    message: Message | None


class CatchUp(Answer):
    """Durable events after the asked-for seq, in order; or ``resync`` (reload over
    REST) when too many are missing."""

    last_seq: int
    events: list[Event] | UnsetType = UNSET
    resync: bool | UnsetType = UNSET


class MessagePage(Answer):
    """Ascending by seq."""

    messages: list[Message]
    has_more_before: bool
    has_more_after: bool


class MessageAnswer(Answer):
    message: Message


class History(Answer):
    """Earlier versions, oldest first."""

    revisions: list[Revision]


class Trimmed(Answer):
    """What was trimmed off your reply by email (quoted history, signature); empty when nothing was."""

    text: str


class Rendered(Answer):
    html: str


class Health(Answer):
    status: str
    database: str
    version: str | UnsetType = UNSET
