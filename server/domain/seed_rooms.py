"""Opening an event's new rooms in a few statements per batch, as ``rooms.create_room``
and ``threads.start_thread`` open one room and its questions each, so a workshop of
thousands of concepts seeds in seconds rather than minutes.

For each batch: the slugs are chosen with one look-up (a clash, rare, costs one more),
the rooms and their tags are inserted in one flush, the person seeding becomes owner of
each (member.joined), and the opening questions are inserted numbered 1..k in their
room. A new room's numbering needs no reservation: its ``last_seq`` is written as k
with the room itself, inside the same transaction, so the sequence is as gapless as
``Tx.reserve_seqs`` makes it (the row is new: no other writer can hold a number of it).
Each question is followed by the person seeding and recorded as a durable
thread.created event carrying its number, like any thread opened in the browser.

Only rooms whose questions are plain titles come here; a YAML room whose question has
a first post goes through ``posting.start_thread`` (markdown, mentions) one by one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import events, markdown
from server.domain.access import check_can_post
from server.domain.people import Person
from server.domain.presenters import thread_json
from server.domain.rooms import RESERVED_SLUGS, RoomFields, clean_fields, slugify
from server.domain.seed_files import Room as PlannedRoom
from server.domain.seed_files.fields import key_of
from server.domain.threads import clean_title
from server.store import fulltext
from server.store.models import Room, RoomMember, RoomTag, SeedEvent, Thread, ThreadFollow, User, utcnow
from server.store.transaction import Tx
from server.store.upsert import table_of

BATCH = 250  # rooms per batch: a few statements each, and the progress bar moves


async def _slugs(session: AsyncSession, titles: list[str], taken: set[str]) -> list[str]:
    """Unique slugs for new rooms, as ``rooms.create_room`` chooses one (the title's
    slug, else its first free ``-n``), in one look-up for the batch; ``taken`` holds the
    slugs given earlier in this seed and is added to."""
    bases = [f"{base}-room" if base in RESERVED_SLUGS else base for base in map(slugify, titles)]
    in_use = set(await session.scalars(select(Room.slug).where(Room.slug.in_(sorted(set(bases))))))
    chosen: list[str] = []
    for base in bases:
        slug = base
        if base in in_use or base in taken:
            # Slugs hold only a-z, 0-9 and hyphens: LIKE's wildcards cannot occur in them.
            numbered = set(await session.scalars(select(Room.slug).where(Room.slug.like(f"{base}-%"))))
            n = 2
            while f"{base}-{n}" in numbered or f"{base}-{n}" in taken:
                n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        chosen.append(slug)
    return chosen


def _room_row(actor: User, event: SeedEvent, planned: PlannedRoom, slug: str, questions: int, max_title: int) -> dict[str, Any]:
    """The room's row as ``rooms.create_room`` writes it (columns left out take their
    defaults), numbered up to its ``questions``; its tags under ``"tags"``."""
    fields = clean_fields(
        RoomFields(
            title=planned.title, summary=planned.summary, stage=planned.stage, visibility=planned.visibility, tags=list(planned.tags)
        ),
        max_title,
    )
    summary = fields.summary or ""
    now = utcnow()
    return {
        "slug": slug,
        "title": fields.title,
        "summary": summary,
        "summary_html": markdown.render(summary).html,
        "stage": fields.stage or "discovery",
        "visibility": fields.visibility or "open",
        "looking_for_collaborators": False,
        "created_by": actor.id,
        "created_at": now,
        "last_activity_at": now,
        "last_seq": questions,
        "seed_event_id": event.id,
        "concept_key": key_of(planned.title),
        "lead_organisation": planned.lead_organisation,
        "tags": fields.tags or [],
    }


async def _insert(tx: Tx, model: Any, rows: list[dict[str, Any]], *key: str) -> list[int]:
    """Insert ``rows`` in one executemany and return their new ids in the rows' order,
    matched by the columns ``key`` (unique among the rows). The unit of work costs a
    millisecond or so an object; this, microseconds. (Asking for the ids in parameter
    order instead makes SQLite insert one row a statement.)"""
    table = table_of(model)
    result = await tx.session.execute(insert(table).returning(table.c.id, *(table.c[name] for name in key)), rows)
    ids = {tuple(found[1:]): found[0] for found in result.tuples()}
    return [ids[tuple(row[name] for name in key)] for row in rows]


async def open_rooms(
    tx: Tx, actor: User, person: Person, event: SeedEvent, planned: list[tuple[PlannedRoom, list[str]]], taken: set[str], max_title: int
) -> list[Room]:
    """Open each new concept with its questions (plain titles, in the file's order,
    repeats already left out) as the person seeding, who owns each; see the module's
    doc. Returns the rooms as plain objects outside the session (read only: id,
    title, slug, summary, stage, visibility), so later numbering UPDATEs need not walk
    them."""
    titles = [[clean_title(q, max_title) for q in questions] for _, questions in planned]
    slugs = await _slugs(tx.session, [p.title for p, _ in planned], taken)
    rows = [_room_row(actor, event, p, slug, len(q), max_title) for (p, _), slug, q in zip(planned, slugs, titles, strict=True)]
    tags = [row.pop("tags") for row in rows]
    ids = await _insert(tx, Room, rows, "slug")
    rooms = [Room(id=room_id, **row) for room_id, row in zip(ids, rows, strict=True)]
    tag_rows = [{"room_id": room.id, "tag": tag} for room, listed in zip(rooms, tags, strict=True) for tag in listed]
    if tag_rows:
        await tx.session.execute(insert(table_of(RoomTag)), tag_rows)
    await fulltext.reindex_rooms(tx.session, ids)  # searchable (and found as similar) at once

    now = utcnow()
    owners = [RoomMember(room_id=room.id, user_id=actor.id, role="owner", joined_at=now) for room in rooms]
    for room, owner, questions in zip(rooms, owners, titles, strict=True):
        if questions:
            check_can_post(actor, room, owner)  # an archived concept cannot open questions
    await tx.session.execute(
        insert(table_of(RoomMember)), [{"room_id": m.room_id, "user_id": m.user_id, "role": m.role, "joined_at": now} for m in owners]
    )
    shown = person.as_dict()
    for room in rooms:
        tx.to_room(room.id, events.member_joined(room.id, shown, "owner"))

    thread_rows = [
        {
            "room_id": room.id,
            "title": title,
            "created_by": actor.id,
            "created_at": now,
            "last_activity_at": now,
            "message_count": 0,
            "seq": n + 1,
            "opening_question": True,
        }
        for room, questions in zip(rooms, titles, strict=True)
        for n, title in enumerate(questions)
    ]
    if thread_rows:
        threads = [
            Thread(id=thread_id, **row)
            for thread_id, row in zip(await _insert(tx, Thread, thread_rows, "room_id", "seq"), thread_rows, strict=True)
        ]
        await fulltext.reindex_threads(tx.session, [t.id for t in threads])
        follows = [{"thread_id": t.id, "user_id": actor.id, "created_at": now} for t in threads]
        await tx.session.execute(insert(table_of(ThreadFollow)), follows)
        await tx.record([events.thread_created(thread_json(t, person)) for t in threads])
    return rooms
