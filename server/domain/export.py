"""Exports of a room or one thread, for records schedules and Freedom of Information
requests (issue 12): Markdown for people to read, JSON (docs/export-schema.md) for
machines.

``authorise_export`` decides who may export (the room's owners and administrators;
the command line acts as the operator), records the export in the audit log and
returns what to export; ``export_lines`` then writes it as text, a chunk at a time,
reading messages in batches by sequence number. A room of any size is exported in
bounded memory: only one batch, the people met so far and the room's history (its
audit entries) are held at once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import audit
from server.domain.access import readable_room, require_exporter
from server.domain.errors import NotFound
from server.domain.people import Person, load_people
from server.domain.presenters import iso
from server.store.models import AuditEntry, Message, MessageRevision, Room, RoomMember, RoomTag, Thread, User, utcnow
from server.store.transaction import Tx
from server.vocabulary import ExportFormat

EXPORT_VERSION = 1
BATCH = 1000
# What a room's history shows: the changes everyone in the room may know about (never
# addresses, and nothing about sign-ins).
HISTORY_ACTIONS = ("room-visibility-changed", "room-stage-changed", "room-ownership-transferred", "invited", "message-deleted")


@dataclass(frozen=True)
class ExportTarget:
    room_id: int
    slug: str
    thread_id: int | None
    exported_by: int | None  # None from the command line
    exported_at: datetime


async def authorise_export(tx: Tx, actor: User | None, ref: int | str, thread_id: int | None, fmt: ExportFormat) -> ExportTarget:
    """Check ``actor`` may export the room (or one of its threads) and record the export.
    ``actor`` None is the operator at the command line, who may export any room. A room
    the actor cannot read is reported as absent."""
    if actor is None:
        room = await tx.session.scalar(select(Room).where(Room.slug == ref if isinstance(ref, str) else Room.id == ref))
        if room is None:
            raise NotFound("no such room", "room")
    else:
        room, member = await readable_room(tx.session, actor, ref)
        require_exporter(actor, member)
    in_room = select(Thread.id).where(Thread.id == thread_id, Thread.room_id == room.id)
    if thread_id is not None and await tx.session.scalar(in_room) is None:
        raise NotFound("no such thread in this room", "thread")
    what = f"thread {thread_id}" if thread_id is not None else "room"
    audit.record(tx, "thread-exported" if thread_id else "room-exported", actor=actor, room_id=room.id, detail=f"{what} as {fmt}")
    return ExportTarget(room.id, room.slug, thread_id, actor.id if actor else None, utcnow())


# ---- reading in batches ------------------------------------------------------------------


class _People:
    """People met while exporting, loaded a batch at a time and kept (a room has far fewer
    people than messages)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.known: dict[int, Person] = {}

    async def load(self, ids: Iterable[int | None]) -> None:
        wanted = {i for i in ids if i is not None and i not in self.known}
        if wanted:
            self.known.update(await load_people(self.session, wanted))

    def json(self, user_id: int | None) -> dict[str, Any] | None:
        person = self.known.get(user_id) if user_id is not None else None
        return None if person is None else person.as_dict()

    def label(self, user_id: int | None) -> str:
        person = self.known.get(user_id) if user_id is not None else None
        if person is None:
            return "someone no longer known"
        return f"{person.display_name} ({person.organisation}{'' if person.verified else ', self-declared'})"


async def _threads(session: AsyncSession, target: ExportTarget) -> AsyncIterator[Thread]:
    after = -1
    while True:
        query = select(Thread).where(Thread.room_id == target.room_id, Thread.seq > after).order_by(Thread.seq).limit(BATCH)
        if target.thread_id is not None:
            query = query.where(Thread.id == target.thread_id)
        rows = list(await session.scalars(query))
        for thread in rows:
            yield thread
        if len(rows) < BATCH:
            return
        after = rows[-1].seq


Batch = tuple[list[Message], dict[int, list[MessageRevision]]]


async def _message_batches(session: AsyncSession, thread_id: int) -> AsyncIterator[Batch]:
    """The thread's messages in sequence order, a batch at a time, with the earlier
    versions of the edited ones. Rows leave the session after each batch, so memory
    does not grow with the room."""
    after = -1
    while True:
        query = select(Message).where(Message.thread_id == thread_id, Message.seq > after).order_by(Message.seq).limit(BATCH)
        rows = list(await session.scalars(query))
        if not rows:
            return
        edited = [m.id for m in rows if m.edited_at is not None]
        revisions: dict[int, list[MessageRevision]] = {}
        if edited:
            earlier = select(MessageRevision).where(MessageRevision.message_id.in_(edited)).order_by(MessageRevision.id)
            for revision in await session.scalars(earlier):
                revisions.setdefault(revision.message_id, []).append(revision)
        yield rows, revisions
        after = rows[-1].seq
        session.expunge_all()


async def _history(session: AsyncSession, room_id: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.room_id == room_id, AuditEntry.action.in_(HISTORY_ACTIONS)).order_by(AuditEntry.id)
    return list(await session.scalars(query))


# ---- the two formats -------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines()) + "\n"


def _history_line(entry: AuditEntry, people: _People) -> str:
    who = people.label(entry.actor_id)
    if entry.action == "message-deleted":
        return f"{who} deleted a message by {people.label(entry.user_id)} ({entry.detail})"
    if entry.action == "invited":
        return f"{who} invited {people.label(entry.user_id)} ({entry.detail})"
    return f"{who} changed the {entry.detail}"


async def export_lines(session: AsyncSession, target: ExportTarget, fmt: ExportFormat) -> AsyncIterator[str]:
    """The export as text, a chunk at a time (see the module's doc)."""
    room = await session.get(Room, target.room_id)
    if room is None:
        raise NotFound("no such room", "room")
    tags = list(await session.scalars(select(RoomTag.tag).where(RoomTag.room_id == room.id).order_by(RoomTag.tag)))
    members = list(await session.scalars(select(RoomMember).where(RoomMember.room_id == room.id).order_by(RoomMember.joined_at)))
    history = await _history(session, room.id)
    people = _People(session)
    await people.load([m.user_id for m in members] + [e.actor_id for e in history] + [e.user_id for e in history] + [target.exported_by])
    writer = _markdown if fmt == "md" else _json
    async for chunk in writer(session, target, room, tags, members, history, people):
        yield chunk


async def _markdown(
    session: AsyncSession,
    target: ExportTarget,
    room: Room,
    tags: list[str],
    members: list[RoomMember],
    history: list[AuditEntry],
    people: _People,
) -> AsyncIterator[str]:
    by = people.label(target.exported_by) if target.exported_by else "the operator (command line)"
    head = [f"# {room.title}", "", f"- Room: {room.slug} ({room.visibility}, stage {room.stage})"]
    if tags:
        head.append(f"- Tags: {', '.join(tags)}")
    head += [f"- Created: {_when(room.created_at)}", f"- Exported: {_when(target.exported_at)} by {by}", ""]
    if room.summary:
        head += [room.summary.rstrip(), ""]
    head += ["## Members", ""] + [f"- {people.label(m.user_id)}, {m.role}, joined {_when(m.joined_at)}" for m in members] + [""]
    if history:
        head += ["## Room history", ""] + [f"- {_when(e.at)}: {_history_line(e, people)}" for e in history] + [""]
    yield "\n".join(head) + "\n"
    async for thread in _threads(session, target):
        await people.load([thread.created_by])
        yield f"## {thread.title}\n\nStarted by {people.label(thread.created_by)} on {_when(thread.created_at)}\n\n"
        async for batch, revisions in _message_batches(session, thread.id):
            await people.load([m.author_id for m in batch] + [m.deleted_by for m in batch])
            parts = []
            for m in batch:
                line = f"**{people.label(m.author_id)}**, {_when(m.created_at)} (#{m.seq})"
                if m.deleted_at is not None:
                    parts.append(f"{line}\n\n*Message deleted by {people.label(m.deleted_by)} on {_when(m.deleted_at)}.*\n")
                    continue
                if m.edited_at is not None:
                    line += f", edited {_when(m.edited_at)}"
                parts.append(f"{line}\n\n{_quoted(m.body)}")
                for r in revisions.get(m.id, []):
                    parts.append(f"*Before {_when(r.replaced_at)} it read:*\n\n{_quoted(r.body)}")
            yield "\n".join(parts) + "\n"


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _json(
    session: AsyncSession,
    target: ExportTarget,
    room: Room,
    tags: list[str],
    members: list[RoomMember],
    history: list[AuditEntry],
    people: _People,
) -> AsyncIterator[str]:
    head = {
        "format": "convene-room-export",
        "version": EXPORT_VERSION,
        "exported_at": iso(target.exported_at),
        "exported_by": people.json(target.exported_by),
        "scope": "thread" if target.thread_id is not None else "room",
        "room": {
            "id": room.id, "slug": room.slug, "title": room.title, "summary": room.summary, "stage": room.stage,
            "visibility": room.visibility, "tags": tags, "created_at": iso(room.created_at), "lead_organisation": room.lead_organisation,
        },
        "members": [{"user": people.json(m.user_id), "role": m.role, "joined_at": iso(m.joined_at)} for m in members],
        "history": [
            {"at": iso(e.at), "action": e.action, "actor": people.json(e.actor_id), "user": people.json(e.user_id), "detail": e.detail}
            for e in history
        ],
    }  # fmt: skip
    yield _dump(head)[:-1] + ', "threads": ['
    first_thread = True
    async for thread in _threads(session, target):
        await people.load([thread.created_by])
        shown = {
            "id": thread.id, "title": thread.title, "seq": thread.seq, "created_by": people.json(thread.created_by),
            "created_at": iso(thread.created_at),
        }  # fmt: skip
        yield ("" if first_thread else ", ") + _dump(shown)[:-1] + ', "messages": ['
        first_thread = False
        first = True
        async for batch, revisions in _message_batches(session, thread.id):
            await people.load([m.author_id for m in batch] + [m.deleted_by for m in batch])
            items = [
                {
                    "id": m.id, "seq": m.seq, "author": people.json(m.author_id), "created_at": iso(m.created_at),
                    "body": m.body, "html": m.html, "edited_at": iso(m.edited_at),
                    "revisions": [{"body": r.body, "html": r.html, "replaced_at": iso(r.replaced_at)} for r in revisions.get(m.id, [])],
                    "deleted_at": iso(m.deleted_at), "deleted_by": people.json(m.deleted_by),
                }  # fmt: skip
                for m in batch
            ]
            yield ("" if first else ", ") + ", ".join(_dump(item) for item in items)
            first = False
        yield "]}"
    yield "]}\n"
