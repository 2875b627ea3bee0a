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


class Limits(Answer):
    """The bounds the server checks, published so a browser can check them first
    (every one is re-checked by the server). ``message_chars`` and ``title_chars`` come
    from the operator's Settings; ``email_pattern`` is the server's address rule as a
    regular expression both Python and JavaScript read the same way."""

    message_chars: int
    title_chars: int
    summary_chars: int
    display_name_chars: int
    organisation_chars: int
    tag_chars: int
    tags: int
    email_chars: int
    email_pattern: str
    password_min_chars: int
    password_max_chars: int
    invitees: int


class SessionState(Answer):
    """What a page needs before it draws anything: who is signed in (null when nobody
    is; this is not an error, so a signed-out visit logs none), whether first-run
    set-up is needed, and the limits to check forms against."""

    user: Me | None
    needs_setup: bool
    limits: Limits


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
