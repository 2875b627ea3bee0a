"""The event catalogue: one function builds each event type the server sends. Domain
functions queue the result on their ``Tx`` (``tx.to_room``, ``tx.to_person``, or
``tx.record`` for durable, numbered events); the publisher sends them after commit.

Shapes are declared in ``server.contract.events``; nothing else builds a payload.
"""

from __future__ import annotations

from typing import Any

from server.contract.events import (
    InterestChanged,
    JoinRequestDecided,
    JoinRequestReceived,
    MemberJoined,
    MemberLeft,
    Mentioned,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    Presence,
    PresenceChanged,
    Read,
    RevocationReason,
    RoleChanged,
    RoomAccessLost,
    RoomUpdated,
    SessionRevoked,
    StageMoved,
    ThreadCreated,
    Typing,
)
from server.vocabulary import InterestKind, Role


def message_created(message: dict[str, Any]) -> MessageCreated:
    return {"type": "message.created", "room_id": message["room_id"], "seq": message["seq"], "message": message}


def message_edited(seq: int, message: dict[str, Any]) -> MessageEdited:
    return {"type": "message.edited", "room_id": message["room_id"], "seq": seq, "message": message}


def message_deleted(seq: int, message: dict[str, Any]) -> MessageDeleted:
    return {"type": "message.deleted", "room_id": message["room_id"], "seq": seq, "message": message}


def thread_created(thread: dict[str, Any]) -> ThreadCreated:
    return {"type": "thread.created", "room_id": thread["room_id"], "seq": thread["seq"], "thread": thread}


def member_joined(room_id: int, person: dict[str, Any], role: str) -> MemberJoined:
    return {"type": "member.joined", "room_id": room_id, "user": person, "role": role}


def member_left(room_id: int, person: dict[str, Any]) -> MemberLeft:
    return {"type": "member.left", "room_id": room_id, "user": person}


def room_updated(room: dict[str, Any]) -> RoomUpdated:
    return {"type": "room.updated", "room_id": room["id"], "room": room}


def typing(room_id: int, thread_id: int, person: dict[str, Any]) -> Typing:
    return {"type": "typing", "room_id": room_id, "thread_id": thread_id, "user": person}


def presence(room_id: int, online: list[int]) -> Presence:
    return {"type": "presence", "room_id": room_id, "online": online}


def presence_changed(room_id: int, came: list[int], went: list[int]) -> PresenceChanged:
    return {"type": "presence.changed", "room_id": room_id, "came": came, "went": went}


def read(room_id: int, thread_id: int, last_read_seq: int, unread_count: int) -> Read:
    return {"type": "read", "room_id": room_id, "thread_id": thread_id, "last_read_seq": last_read_seq, "unread_count": unread_count}


def room_access_lost(room_id: int) -> RoomAccessLost:
    return {"type": "room.access_lost", "room_id": room_id}


def session_revoked(reason: RevocationReason) -> SessionRevoked:
    return {"type": "session.revoked", "reason": reason}


def join_request_decided(join_request: dict[str, Any]) -> JoinRequestDecided:
    return {"type": "join_request.decided", "room_id": join_request["room"]["id"], "join_request": join_request}


def join_request_received(join_request: dict[str, Any]) -> JoinRequestReceived:
    return {"type": "join_request.received", "room_id": join_request["room"]["id"], "join_request": join_request}


def stage_moved(move: dict[str, Any]) -> StageMoved:
    return {"type": "stage.moved", "room_id": move["room_id"], "seq": move["seq"], "move": move}


def mentioned(message: dict[str, Any]) -> Mentioned:
    return {
        "type": "mention",
        "room_id": message["room_id"],
        "thread_id": message["thread_id"],
        "message_id": message["id"],
        "seq": message["seq"],
        "author": message["author"],
    }


def interest_changed(room_id: int, kind: InterestKind, said: bool, person: dict[str, Any]) -> InterestChanged:
    return {"type": "interest.changed", "room_id": room_id, "kind": kind, "said": said, "person": person}


def role_changed(role: Role) -> RoleChanged:
    return {"type": "role.changed", "role": role}
