"""Messages: edit with history, delete as a tombstone, read pages by sequence number,
and catch-up from a room's event log. Posting lives in ``posting``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.contract.events import DurableEvent
from server.domain import audit, events, markdown
from server.domain.access import can_manage, get_member, readable_room, require_readable_room, require_trimmed_reader
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.people import load_people
from server.domain.presenters import message_json
from server.domain.rooms import member_names
from server.domain.threads import readable_thread
from server.store import fulltext
from server.store.models import Message, MessageMention, MessageRevision, MessageTrim, Room, RoomEvent, Thread, User, utcnow
from server.store.transaction import Tx
from server.store.upsert import insert_ignore, table_of

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_PAGE = 200


@dataclass(frozen=True)
class Posted:
    message: dict[str, Any]
    created: bool  # False when a retry found the message already stored


def clean_body(body: str, max_chars: int) -> str:
    """Refuse what cannot be stored or shown: empty text, text over the limit, and text
    that is not Unicode a database can hold (a lone UTF-16 surrogate, which JSON can
    carry as ``\\ud800``, or a NUL, which PostgreSQL refuses). Checked here as well as
    at the doors, so no door can hand the batch writer a send that fails the batch."""
    if not body.strip():
        raise Invalid("message body is empty", "body")
    if len(body) > max_chars:
        raise Invalid(f"message body must be at most {max_chars} characters", "body")
    if "\x00" in body or not _encodable(body):
        raise Invalid("message body must be text: it holds a NUL character or an unpaired UTF-16 surrogate", "body")
    return body


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_client_id(client_id: str) -> str:
    if not CLIENT_ID_RE.match(client_id):
        raise Invalid("client_id must be 1 to 64 letters, digits or . _ : -", "client_id")
    return client_id


async def _mentions(session: AsyncSession, message_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in message_ids}
    if message_ids:
        rows = await session.execute(
            select(MessageMention.message_id, MessageMention.user_id).where(MessageMention.message_id.in_(message_ids))
        )
        for message_id, user_id in rows.tuples():
            found[message_id].append(user_id)
    return found


async def _trimmed(session: AsyncSession, message_ids: list[int]) -> set[int]:
    """Which of these messages had quoted text or a signature trimmed off (replies by email)."""
    if not message_ids:
        return set()
    return set((await session.scalars(select(MessageTrim.message_id).where(MessageTrim.message_id.in_(message_ids)))).all())


async def present(session: AsyncSession, messages: list[Message]) -> list[dict[str, Any]]:
    """Messages as JSON with authors, mentions and the trimmed marker, in four queries for any number."""
    ids = [m.id for m in messages]
    people = await load_people(session, [m.author_id for m in messages])
    mentions = await _mentions(session, ids)
    trimmed = await _trimmed(session, ids)
    return [message_json(m, people[m.author_id], mentions[m.id], trimmed=m.id in trimmed) for m in messages]


def _render(body: str, names: dict[str, int]) -> markdown.Rendered:
    return markdown.render(body, names)


async def _readable_message(session: AsyncSession, user: User, message_id: int) -> tuple[Message, Room]:
    missing = NotFound("no such message", "message_id")
    message = await session.get(Message, message_id)
    if message is None:
        raise missing
    return message, await require_readable_room(session, user, message.room_id, missing)


async def _announce_change(tx: Tx, message: Message, build: Callable[[int, dict[str, Any]], DurableEvent]) -> dict[str, Any]:
    """Number a change to an existing message and queue it (durable) for after commit."""
    await tx.session.flush()
    view = (await present(tx.session, [message]))[0]
    seq = await tx.reserve_seqs(message.room_id)
    await tx.record([build(seq, view)])
    return view


async def _message_for_change(tx: Tx, actor: User, message_id: int) -> tuple[Message, Room]:
    message, room = await _readable_message(tx.session, actor, message_id)
    if message.deleted_at is not None:
        raise Conflict("this message has been deleted", "message_id")
    return message, room


async def edit_message(tx: Tx, actor: User, message_id: int, body: str, max_chars: int) -> dict[str, Any]:
    """The author edits their message; the previous version is kept in its history.
    Announces message.edited (durable) after commit."""
    body = clean_body(body, max_chars)
    message, room = await _message_for_change(tx, actor, message_id)
    if message.author_id != actor.id:
        raise Forbidden("only the author can edit a message")
    if room.stage == "archived":
        raise Forbidden("this room is archived and read-only")
    if body == message.body:
        return (await present(tx.session, [message]))[0]
    tx.session.add(MessageRevision(message_id=message.id, body=message.body, html=message.html))
    rendered = _render(body, await member_names(tx.session, room.id) if "@**" in body else {})
    message.body, message.html = body, rendered.html
    message.renderer_version = markdown.RENDERER_VERSION
    message.edited_at = utcnow()
    before = set((await _mentions(tx.session, [message.id]))[message.id])
    await tx.session.execute(delete(MessageMention).where(MessageMention.message_id == message.id))
    mentioned = sorted(rendered.mentions - {actor.id})
    await insert_ignore(tx.session, MessageMention, [{"message_id": message.id, "user_id": u} for u in mentioned])
    await fulltext.reindex_messages(tx.session, [message.id])
    view = await _announce_change(tx, message, events.message_edited)
    for user_id in sorted(set(mentioned) - before):  # newly mentioned: their inbox and tab title
        tx.to_person(user_id, events.mentioned(view))
    return view


async def delete_message(tx: Tx, actor: User, message_id: int) -> dict[str, Any]:
    """Authors delete their own messages; room owners, facilitators and administrators
    delete any. The message becomes a tombstone (its place and number stay) and its
    text and edit history are erased. Announces message.deleted (durable)."""
    message, room = await _message_for_change(tx, actor, message_id)
    if message.author_id != actor.id:
        member = await get_member(tx.session, room.id, actor.id)
        if not can_manage(actor, member):
            raise Forbidden("only the author, the room's owners or an administrator can delete this message")
        audit.record(tx, "message-deleted", actor=actor, user_id=message.author_id, room_id=room.id, detail=f"message {message.id}")
    message.deleted_at = utcnow()
    message.deleted_by = actor.id
    message.body, message.html = "", ""
    await tx.session.execute(delete(MessageRevision).where(MessageRevision.message_id == message.id))
    await tx.session.execute(delete(MessageMention).where(MessageMention.message_id == message.id))
    await tx.session.execute(delete(MessageTrim).where(MessageTrim.message_id == message.id))
    thread = await tx.session.get(Thread, message.thread_id)
    if thread is not None:
        thread.message_count = max(0, thread.message_count - 1)
    await fulltext.reindex_messages(tx.session, [message.id])
    return await _announce_change(tx, message, events.message_deleted)


# ---- reads ---------------------------------------------------------------------------


async def get_message(session: AsyncSession, viewer: User, message_id: int) -> dict[str, Any]:
    message, _ = await _readable_message(session, viewer, message_id)
    return (await present(session, [message]))[0]


async def trimmed_text(session: AsyncSession, viewer: User, message_id: int) -> str:
    """What was trimmed off the viewer's own reply by email ("" when nothing was). Decision
    (issue 18): kept so nothing is silently lost, shown only to the author, who may put any
    of it back through ``edit_message``; everyone else sees only the ``trimmed`` marker."""
    message, _ = await _readable_message(session, viewer, message_id)
    require_trimmed_reader(viewer, message.author_id)
    found = await session.get(MessageTrim, message_id)
    return found.text if found is not None else ""


async def history(session: AsyncSession, viewer: User, message_id: int) -> list[dict[str, Any]]:
    await get_message(session, viewer, message_id)
    rows = (
        await session.scalars(select(MessageRevision).where(MessageRevision.message_id == message_id).order_by(MessageRevision.id))
    ).all()
    return [{"body": r.body, "html": r.html, "replaced_at": r.replaced_at.isoformat().replace("+00:00", "Z")} for r in rows]


@dataclass(frozen=True)
class Page:
    messages: list[dict[str, Any]]
    has_more_before: bool
    has_more_after: bool


async def thread_page(session: AsyncSession, viewer: User, thread_id: int, *, before: int | None, after: int | None, limit: int) -> Page:
    """Messages of a thread in ascending seq. With ``after`` the page starts just after
    it; otherwise it ends just before ``before`` (or at the newest message)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", "limit")
    if before is not None and after is not None:
        raise Invalid("give either before or after, not both", "before")
    thread = await readable_thread(session, viewer, thread_id)
    query = select(Message).where(Message.thread_id == thread.id)
    if after is not None:
        rows = list((await session.scalars(query.where(Message.seq > after).order_by(Message.seq).limit(limit + 1))).all())
        more_after, rows = len(rows) > limit, rows[:limit]
        # Before the first row, or up to the cursor when there is none (never after + 1:
        # the largest cursor plus one is past PostgreSQL's INTEGER).
        earlier = Message.seq < rows[0].seq if rows else Message.seq <= after
        more_before = bool(await session.scalar(select(Message.id).where(Message.thread_id == thread.id, earlier).limit(1)))
    else:
        if before is not None:
            query = query.where(Message.seq < before)
        rows = list((await session.scalars(query.order_by(Message.seq.desc()).limit(limit + 1))).all())
        more_before, rows = len(rows) > limit, rows[:limit][::-1]
        more_after = before is not None and bool(
            await session.scalar(select(Message.id).where(Message.thread_id == thread.id, Message.seq >= before).limit(1))
        )
    return Page(await present(session, rows), more_before, more_after)


@dataclass(frozen=True)
class CatchUp:
    events: list[dict[str, Any]]
    last_seq: int
    resync: bool


async def events_after(session: AsyncSession, viewer: User, room_ref: int | str, after: int, limit: int) -> CatchUp:
    """The room's durable events after ``after``, in order, or ``resync`` when more than
    ``limit`` are missing (the client then reloads over REST). Never a partial replay.
    A client claiming to have seen numbers the room has not reached has lost track (a
    restored database, another server's numbers): it is told to resync too."""
    if after < 0:
        raise Invalid("the last seen sequence number must be zero or more", "after")
    room, _ = await readable_room(session, viewer, room_ref)
    return await replay(session, room.id, after, room.last_seq, limit)


# Built once (so compiled once per dialect): every subscribe that missed something runs it.
_EVENTS = table_of(RoomEvent).c
_REPLAY = (
    select(_EVENTS.payload)
    .where(_EVENTS.room_id == bindparam("room_id"), _EVENTS.seq > bindparam("after"), _EVENTS.seq <= bindparam("last_seq"))
    .order_by(_EVENTS.seq)
)


async def replay(reader: AsyncSession | AsyncConnection, room_id: int, after: int, last_seq: int, limit: int) -> CatchUp:
    """The durable events of a room the reader may read (checked by the caller) after
    ``after`` up to ``last_seq``, the room's last number as read by the caller (events
    are never rewritten, so any later snapshot holds them). See ``events_after``."""
    settled = nothing_to_replay(after, last_seq, limit)
    if settled is not None:
        return settled
    rows = (await reader.execute(_REPLAY, {"room_id": room_id, "after": after, "last_seq": last_seq})).scalars().all()
    return CatchUp([json.loads(p) for p in rows], last_seq, resync=False)


def nothing_to_replay(after: int, last_seq: int, limit: int) -> CatchUp | None:
    """The catch-up answer when no event needs reading: nothing missed, or a resync (more
    than ``limit`` missed, or the client claims numbers the room has not reached);
    None when the events after ``after`` up to ``last_seq`` are to be read."""
    if after < 0:
        raise Invalid("the last seen sequence number must be zero or more", "after")
    if after == last_seq:
        return CatchUp([], last_seq, resync=False)
    if after > last_seq or last_seq - after > limit:
        return CatchUp([], last_seq, resync=True)
    return None
