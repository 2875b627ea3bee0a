"""Every Socket.IO event the server sends, as one typed shape each, and the envelopes
that carry them from a committed transaction to the publisher.

The shapes are ``TypedDict`` so the hot path stays plain dicts (encoded once per
emit) while mypy checks every builder and a test checks every emitted event against
its shape (``msgspec.convert``). Nested objects (Message, Thread, Room, Person) are
described by the REST contract and checked against the OpenAPI components.

Envelopes say *who* hears an event. Directives are side effects the publisher carries
out on EVERY process (through the same cross-process channel as events, so they stay
ordered with them): ending sessions, losing a room, re-checking who may still read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, TypedDict, Union

# ---- room events, durable (numbered, replayed by catch-up) ------------------------------


class MessageCreated(TypedDict):
    type: Literal["message.created"]
    room_id: int
    seq: int
    message: dict[str, Any]


class MessageEdited(TypedDict):
    type: Literal["message.edited"]
    room_id: int
    seq: int
    message: dict[str, Any]


class MessageDeleted(TypedDict):
    type: Literal["message.deleted"]
    room_id: int
    seq: int
    message: dict[str, Any]


class ThreadCreated(TypedDict):
    type: Literal["thread.created"]
    room_id: int
    seq: int
    thread: dict[str, Any]


class StageMoved(TypedDict):
    """A room moved to another stage (a system notice in the room); ``move`` is the
    StageMove of ``GET /api/v1/rooms/{room}/stages``."""

    type: Literal["stage.moved"]
    room_id: int
    seq: int
    move: dict[str, Any]


# ---- room events, live only -------------------------------------------------------------


class MemberJoined(TypedDict):
    type: Literal["member.joined"]
    room_id: int
    user: dict[str, Any]
    role: str


class MemberLeft(TypedDict):
    type: Literal["member.left"]
    room_id: int
    user: dict[str, Any]


class RoomUpdated(TypedDict):
    type: Literal["room.updated"]
    room_id: int
    room: dict[str, Any]


class Typing(TypedDict):
    type: Literal["typing"]
    room_id: int
    thread_id: int
    user: dict[str, Any]


class Presence(TypedDict):
    """Who is online: the whole list, to one subscribing connection."""

    type: Literal["presence"]
    room_id: int
    online: list[int]


class PresenceChanged(TypedDict):
    """Who came online and who went offline since the room's last announcement
    (coalesced: see ``server.realtime.presence``)."""

    type: Literal["presence.changed"]
    room_id: int
    came: list[int]
    went: list[int]


# ---- events for one person's own connections --------------------------------------------


class Read(TypedDict):
    type: Literal["read"]
    room_id: int
    thread_id: int
    last_read_seq: int
    unread_count: int


class RoomAccessLost(TypedDict):
    type: Literal["room.access_lost"]
    room_id: int


RevocationReason = Literal["signed_out", "signed_out_everywhere", "deactivated"]


class SessionRevoked(TypedDict):
    type: Literal["session.revoked"]
    reason: RevocationReason


class JoinRequestDecided(TypedDict):
    """To the person who asked: an owner accepted (they are a member now) or declined."""

    type: Literal["join_request.decided"]
    room_id: int
    join_request: dict[str, Any]


class JoinRequestReceived(TypedDict):
    """To each owner of the room: someone asks to join it."""

    type: Literal["join_request.received"]
    room_id: int
    join_request: dict[str, Any]


class InterestChanged(TypedDict):
    """To each owner of the room: someone said (``said``) or took back "we have this
    problem too" (``same-problem``) or "we could help" (``can-help``)."""

    type: Literal["interest.changed"]
    room_id: int
    kind: Literal["same-problem", "can-help"]
    said: bool
    person: dict[str, Any]


class RoleChanged(TypedDict):
    """To the person whose site role changed (their open pages show what the new
    role allows without a reload)."""

    type: Literal["role.changed"]
    role: Literal["administrator", "facilitator", "member"]


class Mentioned(TypedDict):
    """Someone mentioned the person in a new message (for the inbox, the tab title and
    a notification, whichever rooms the tab follows)."""

    type: Literal["mention"]
    room_id: int
    thread_id: int
    message_id: int
    seq: int
    author: dict[str, Any]


DurableEvent = Union[MessageCreated, MessageEdited, MessageDeleted, ThreadCreated, StageMoved]
RoomEvent = Union[DurableEvent, MemberJoined, MemberLeft, RoomUpdated, Typing, Presence, PresenceChanged]
PersonalEvent = Union[
    Read, RoomAccessLost, SessionRevoked, JoinRequestDecided, JoinRequestReceived, InterestChanged, RoleChanged, Mentioned
]
Event = Union[RoomEvent, PersonalEvent]

# Every shape by its ``type``: the test of emitted events looks each one up here.
EVENT_SHAPES: dict[str, type] = {
    "message.created": MessageCreated,
    "message.edited": MessageEdited,
    "message.deleted": MessageDeleted,
    "thread.created": ThreadCreated,
    "member.joined": MemberJoined,
    "member.left": MemberLeft,
    "room.updated": RoomUpdated,
    "typing": Typing,
    "presence": Presence,
    "read": Read,
    "room.access_lost": RoomAccessLost,
    "session.revoked": SessionRevoked,
    "join_request.decided": JoinRequestDecided,
    "join_request.received": JoinRequestReceived,
    "interest.changed": InterestChanged,
    "role.changed": RoleChanged,
    "stage.moved": StageMoved,
    "mention": Mentioned,
    "presence.changed": PresenceChanged,
}


# ---- envelopes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToRoom:
    """For every connection subscribed to the room, on every process."""

    room_id: int
    event: RoomEvent


@dataclass(frozen=True, slots=True)
class ToPerson:
    """For every open connection of one person (their tabs and devices)."""

    user_id: int
    event: PersonalEvent


@dataclass(frozen=True, slots=True)
class ToConnection:
    """For one connection only (the state it asked for, e.g. presence on subscribe)."""

    sid: str
    event: Event


@dataclass(frozen=True, slots=True)
class MailQueued:
    """Rows were added to the mail outbox; wake the deliverer."""


# ---- directives: carried out on every process ---------------------------------------------


@dataclass(frozen=True, slots=True)
class EndSessions:
    """Tell each connection of these sessions ``session.revoked``, then disconnect it.
    ``session_ids`` (hashes of session tokens) None means every session of the person."""

    user_id: int
    session_ids: tuple[str, ...] | None
    reason: RevocationReason
    kind: Literal["end_sessions"] = "end_sessions"


@dataclass(frozen=True, slots=True)
class LoseRoom:
    """The person may no longer read the room: unsubscribe their connections and tell
    them ``room.access_lost``."""

    user_id: int
    room_id: int
    kind: Literal["lose_room"] = "lose_room"


@dataclass(frozen=True, slots=True)
class RecheckRoom:
    """Who may read the room narrowed (it became invite-only): re-check every
    connection subscribed to it."""

    room_id: int
    kind: Literal["recheck_room"] = "recheck_room"


@dataclass(frozen=True, slots=True)
class RecheckPerson:
    """The person's rights changed (a role): re-check every room their connections
    are subscribed to."""

    user_id: int
    kind: Literal["recheck_person"] = "recheck_person"


Directive = Union[EndSessions, LoseRoom, RecheckRoom, RecheckPerson]
Outgoing = Union[ToRoom, ToPerson, ToConnection, MailQueued, Directive]
DIRECTIVES: dict[str, type] = {
    "end_sessions": EndSessions,
    "lose_room": LoseRoom,
    "recheck_room": RecheckRoom,
    "recheck_person": RecheckPerson,
}


def directive_to_wire(directive: Directive) -> dict[str, Any]:
    return asdict(directive)


def directive_from_wire(data: dict[str, Any]) -> Directive:
    """Rebuild a directive received from another process (JSON turns tuples into lists)."""
    kind = DIRECTIVES[data["kind"]]
    fields = dict(data)
    if kind is EndSessions and fields.get("session_ids") is not None:
        fields["session_ids"] = tuple(fields["session_ids"])
    directive: Directive = kind(**fields)
    return directive
