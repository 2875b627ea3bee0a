"""Pure functions that turn rows into the JSON shapes of docs/protocol.md.

Used by the HTTP handlers and by the event builders, so a message looks the same in a
REST page, a live event and a catch-up replay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.domain.people import Person
from server.store.models import Message, Room, Thread


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def message_json(message: Message | Any, author: Person, mentions: list[int] | None = None, *, trimmed: bool = False) -> dict[str, Any]:
    """``message`` is a Message row or any record with the same attributes; ``trimmed`` says that
    quoted text or a signature was cut off it when it came in by email (only its author may read that)."""
    deleted = message.deleted_at is not None
    return {
        "id": message.id,
        "room_id": message.room_id,
        "thread_id": message.thread_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "author": author.as_dict(),
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.html,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted": deleted,
        "mentions": sorted(mentions or []),
        "trimmed": trimmed and not deleted,
    }


def thread_json(thread: Thread, creator: Person | None) -> dict[str, Any]:
    return {
        "id": thread.id,
        "room_id": thread.room_id,
        "title": thread.title,
        "seq": thread.seq,
        "created_by": creator.as_dict() if creator else None,
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "message_count": thread.message_count,
    }


def room_card_json(room: Room, tags: list[str]) -> dict[str, Any]:
    """``contract.responses.RoomCard``: what anyone who may see the room's card sees."""
    return {
        "id": room.id,
        "slug": room.slug,
        "title": room.title,
        "summary": room.summary,
        "summary_html": room.summary_html,
        "stage": room.stage,
        "visibility": room.visibility,
        "tags": tags,
        "looking_for_collaborators": room.looking_for_collaborators,
        "last_activity_at": iso(room.last_activity_at),
    }


def room_json(room: Room, tags: list[str], member_count: int) -> dict[str, Any]:
    """``contract.responses.Room``: the card, and the room's size and event position."""
    return room_card_json(room, tags) | {"member_count": member_count, "last_seq": room.last_seq, "created_at": iso(room.created_at)}
