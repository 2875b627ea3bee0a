"""What Socket.IO clients send: one shape per event, and ``parse`` to read them.

``parse(Send, data, settings)`` returns a ``Send`` or raises ``Invalid`` naming the
field (``server.contract.decoding.from_data``: strict types, configured lengths,
storable text). ``PAYLOADS`` maps each event name to its shape.

``subscribe`` answers per room, so one bad entry does not spoil the others: its shape
checks only that ``rooms`` is a non-empty object, and ``Subscribe.split`` sorts the
entries into rooms wanted and entries refused (each with its own error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

from msgspec import Meta, Struct

from server.config import Settings
from server.contract.decoding import from_data
from server.contract.fields import MAX_ID, Body, ClientId, Id, Seq
from server.domain.errors import DomainError, Invalid, NotFound

MAX_SUBSCRIBE: Final = 200
P = TypeVar("P", bound=Struct)


@dataclass(frozen=True)
class RoomsWanted:
    last_seen: dict[int, int]  # room id -> highest seq the client has applied
    refused: dict[str, DomainError]  # the entry's key as sent -> why it was refused


class Subscribe(Struct, kw_only=True):
    rooms: Annotated[
        dict[str, Any],
        Meta(min_length=1, max_length=MAX_SUBSCRIBE, description='room id (as a string) -> last seq seen, 0 for none: {"3": 17}'),
    ]

    def split(self) -> RoomsWanted:
        last_seen: dict[int, int] = {}
        refused: dict[str, DomainError] = {}
        for key, last in self.rooms.items():
            if not (key.isascii() and key.isdigit()):
                refused[key] = Invalid("give a room id and a whole number of at least 0", "rooms")
            elif int(key) > MAX_ID or int(key) < 1:
                refused[key] = NotFound("no such room", "room")
            elif isinstance(last, bool) or not isinstance(last, int) or not 0 <= last <= MAX_ID:
                refused[key] = Invalid(f"the last seen sequence number must be a whole number from 0 to {MAX_ID}", "rooms")
            else:
                last_seen[int(key)] = last
        return RoomsWanted(last_seen, refused)


class Unsubscribe(Struct, kw_only=True):
    room_id: Id


class Send(Struct, kw_only=True):
    thread_id: Id
    client_id: ClientId
    body: Body


class Edit(Struct, kw_only=True):
    message_id: Id
    body: Body


class Delete(Struct, kw_only=True):
    message_id: Id


class Typing(Struct, kw_only=True):
    thread_id: Id


class Read(Struct, kw_only=True):
    thread_id: Id
    seq: Seq


PAYLOADS: Final[dict[str, type[Struct]]] = {
    "subscribe": Subscribe,
    "unsubscribe": Unsubscribe,
    "send": Send,
    "edit": Edit,
    "delete": Delete,
    "typing": Typing,
    "read": Read,
}


def parse(shape: type[P], data: object, settings: Settings) -> P:
    """``data`` (a decoded Socket.IO payload) as ``shape``; raises ``Invalid`` naming
    the field, or with ``field`` None when the payload is not an object."""
    return from_data(data, shape, settings)
