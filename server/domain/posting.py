"""Posting messages: one implementation for one message or a whole batch.

``post_messages`` stores any number of sends in the caller's transaction with a fixed
number of statements (one look-up for retries, one for threads, rooms and
memberships, one UPDATE per room to reserve sequence numbers, one multi-row INSERT
each for messages, events, follows and read markers). The group-commit queue hands it
whole batches; a single REST or Socket.IO send is a batch of one. Each send gets its
own answer: the stored message, or the error that refused it (nothing written for it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.orm.attributes import set_committed_value

from server.domain import events, markdown, threads
from server.domain.access import can_read, check_can_post
from server.domain.errors import Conflict, DomainError, NotFound, Unauthenticated
from server.domain.messages import clean_body, clean_client_id, present
from server.domain.people import load_people
from server.domain.presenters import message_json
from server.domain.rooms import member_names
from server.store import fulltext
from server.store.models import Message, MessageMention, Room, RoomMember, Thread, ThreadFollow, User, utcnow
from server.store.transaction import Tx
from server.store.upsert import advance_read_markers, insert_ignore, table_of


@dataclass(frozen=True)
class SendRequest:
    actor_id: int
    thread_id: int
    client_id: str
    body: str


@dataclass(frozen=True)
class Posted:
    message: dict[str, Any]
    created: bool  # False when a retry found the message already stored


Outcome = Posted | DomainError


def _is_retry_of(stored: Message, request: SendRequest) -> bool:
    """A retry names the same thread and the same text (unless the message has since
    been edited or deleted, when the original text is gone)."""
    if stored.thread_id != request.thread_id:
        return False
    return stored.body == request.body or stored.edited_at is not None or stored.deleted_at is not None


async def post_messages(tx: Tx, actors: dict[int, User], requests: list[SendRequest], max_chars: int) -> list[Outcome]:
    """Store ``requests`` in order, each numbered with its room's next sequence number.

    Idempotent: a (author, client_id) already stored, or repeated within the batch,
    answers with the stored message (``created`` False), or a conflict when its text or
    thread differ. Authors and anyone mentioned follow the thread; authors' read
    markers move past their own messages. Queues member.joined (for posters joining an
    open room) and message.created (durable) for after commit.
    """
    outcomes: list[Outcome | None] = [None] * len(requests)
    for i, request in enumerate(requests):
        try:
            if request.actor_id not in actors:
                raise Unauthenticated("this account is no longer active")
            clean_client_id(request.client_id)
            clean_body(request.body, max_chars)
        except DomainError as error:
            outcomes[i] = error

    # Retries: one query for every (author, client_id) in the batch.
    keys = {(r.actor_id, r.client_id) for i, r in enumerate(requests) if outcomes[i] is None}
    stored: dict[tuple[int, str], Message] = {}
    if keys:
        found_again = await tx.session.scalars(select(Message).where(tuple_(Message.author_id, Message.client_id).in_(list(keys))))
        stored = {(m.author_id, m.client_id): m for m in found_again}
    first_of: dict[tuple[int, str], int] = {}
    repeats: dict[int, int] = {}
    fresh: list[int] = []
    for i, request in enumerate(requests):
        if outcomes[i] is not None:
            continue
        key = (request.actor_id, request.client_id)
        if key in stored:
            continue  # answered below, once presented
        if key in first_of:
            repeats[i] = first_of[key]
        else:
            first_of[key] = i
            fresh.append(i)

    # Permissions: threads, rooms and memberships in three queries.
    thread_ids = {requests[i].thread_id for i in fresh}
    thread_rows = {t.id: t for t in await tx.session.scalars(select(Thread).where(Thread.id.in_(thread_ids)))} if thread_ids else {}
    room_ids = {t.room_id for t in thread_rows.values()}
    room_rows = {r.id: r for r in await tx.session.scalars(select(Room).where(Room.id.in_(room_ids)))} if room_ids else {}
    pairs = {(t.room_id, requests[i].actor_id) for i in fresh if (t := thread_rows.get(requests[i].thread_id))}
    members = (
        {
            (m.room_id, m.user_id): m
            for m in await tx.session.scalars(select(RoomMember).where(tuple_(RoomMember.room_id, RoomMember.user_id).in_(list(pairs))))
        }
        if pairs
        else {}
    )
    joining: dict[tuple[int, int], None] = {}
    accepted: list[int] = []
    for i in fresh:
        request, actor = requests[i], actors[requests[i].actor_id]
        thread = thread_rows.get(request.thread_id)
        room = room_rows.get(thread.room_id) if thread else None
        member = members.get((room.id, actor.id)) if room else None
        try:
            if thread is None or room is None or not can_read(actor, room, member):
                raise NotFound("no such thread", "thread_id")
            if check_can_post(actor, room, member) and (room.id, actor.id) not in joining:
                joining[(room.id, actor.id)] = None
        except DomainError as error:
            outcomes[i] = error
            continue
        accepted.append(i)

    people = await load_people(tx.session, {requests[i].actor_id for i in accepted} | {requests[i].actor_id for i in repeats})
    if joining:
        tx.session.add_all([RoomMember(room_id=room_id, user_id=user_id, role="member") for room_id, user_id in joining])
        for room_id, user_id in joining:
            tx.to_room(room_id, events.member_joined(room_id, people[user_id].as_dict(), "member"))

    # Render (mentions need the room's member names, loaded once per room).
    names: dict[int, dict[str, int]] = {}
    rendered: dict[int, markdown.Rendered] = {}
    for i in accepted:
        room_id = thread_rows[requests[i].thread_id].room_id
        if "@**" in requests[i].body and room_id not in names:
            await tx.session.flush()  # so posters joining now can be mentioned
            names[room_id] = await member_names(tx.session, room_id)
        rendered[i] = markdown.render(requests[i].body, names.get(room_id, {}))

    # Sequence numbers: one reservation per room, handed out in order.
    per_room: dict[int, list[int]] = defaultdict(list)
    for i in accepted:
        per_room[thread_rows[requests[i].thread_id].room_id].append(i)
    seq_of: dict[int, int] = {}
    now = utcnow()
    firsts = await tx.reserve_seqs_in_rooms({room_id: len(indexes) for room_id, indexes in per_room.items()})
    for room_id, indexes in per_room.items():
        for offset, i in enumerate(indexes):
            seq_of[i] = firsts[room_id] + offset

    # One multi-row INSERT through Core (not the ORM's bulk path) that returns each
    # row's id with its (room, seq), which is unique: no second read of the rows.
    rows: dict[int, dict[str, Any]] = {
        i: {
            "room_id": thread_rows[requests[i].thread_id].room_id,
            "thread_id": requests[i].thread_id,
            "seq": seq_of[i],
            "author_id": requests[i].actor_id,
            "client_id": requests[i].client_id,
            "body": requests[i].body,
            "html": rendered[i].html,
            "renderer_version": markdown.RENDERER_VERSION,
            "created_at": now,
        }
        for i in accepted
    }
    new_messages: dict[int, Any] = {}
    if rows:
        found = await tx.session.execute(_INSERT_MESSAGES, list(rows.values()))
        ids = {(room_id, seq): message_id for room_id, seq, message_id in found.tuples()}
        # Plain records for presenting (ORM instances would cost their bookkeeping).
        new_messages = {
            i: SimpleNamespace(id=ids[(row["room_id"], row["seq"])], edited_at=None, deleted_at=None, **row) for i, row in rows.items()
        }
        await fulltext.reindex_messages(tx.session, ids.values())
    posted_in: dict[int, int] = defaultdict(int)
    for i in accepted:
        posted_in[requests[i].thread_id] += 1
    await _count_in_threads(tx, thread_rows, posted_in, now)

    mentions: dict[int, list[int]] = {i: sorted(rendered[i].mentions - {requests[i].actor_id}) for i in accepted}
    await insert_ignore(
        tx.session, MessageMention, [{"message_id": new_messages[i].id, "user_id": u} for i in accepted for u in mentions[i]]
    )
    await insert_ignore(
        tx.session,
        ThreadFollow,
        [
            {"thread_id": requests[i].thread_id, "user_id": u, "created_at": now}
            for i in accepted
            for u in [requests[i].actor_id, *mentions[i]]
        ],
    )
    await advance_read_markers(tx.session, [(requests[i].thread_id, requests[i].actor_id, seq_of[i]) for i in accepted])
    created = []
    for i in accepted:
        view = message_json(new_messages[i], people[requests[i].actor_id], mentions[i])
        created.append(events.message_created(view))
        outcomes[i] = Posted(view, created=True)
    await tx.record(created)
    for event, i in zip(created, accepted):
        for user_id in mentions[i]:  # after the room events: the inbox reads a committed message
            tx.to_person(user_id, events.mentioned(event["message"]))

    # Retries of stored messages, and repeats within this batch.
    if stored:
        views = {m.id: v for m, v in zip(stored.values(), await present(tx.session, list(stored.values())))}
        for i, request in enumerate(requests):
            if outcomes[i] is None and (message := stored.get((request.actor_id, request.client_id))) is not None:
                outcomes[i] = Posted(views[message.id], created=False) if _is_retry_of(message, request) else _conflict()
    for i, j in repeats.items():
        original = outcomes[j]
        if isinstance(original, Posted):
            same = requests[i].thread_id == requests[j].thread_id and requests[i].body == requests[j].body
            outcomes[i] = Posted(original.message, created=False) if same else _conflict()
        else:
            outcomes[i] = original
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


_MESSAGES = table_of(Message)
_THREADS = table_of(Thread)
# Built once so SQLAlchemy compiles them once; executemany with RETURNING runs as one
# multi-row INSERT (insertmanyvalues) on SQLite and PostgreSQL alike.
_INSERT_MESSAGES = insert(_MESSAGES).returning(_MESSAGES.c.room_id, _MESSAGES.c.seq, _MESSAGES.c.id)
_COUNT_IN_THREAD = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("b_thread"))
    .values(message_count=_THREADS.c.message_count + bindparam("b_count"), last_activity_at=bindparam("b_now"))
)


async def _count_in_threads(tx: Tx, thread_rows: dict[int, Thread], posted_in: dict[int, int], now: datetime) -> None:
    """Count the new messages in their threads with one executemany UPDATE (in thread
    id order), and keep the loaded Thread rows in step without the ORM flushing them."""
    if not posted_in:
        return
    await tx.session.execute(_COUNT_IN_THREAD, [{"b_thread": t, "b_count": posted_in[t], "b_now": now} for t in sorted(posted_in)])
    for thread_id, count in posted_in.items():
        thread = thread_rows[thread_id]
        set_committed_value(thread, "message_count", thread.message_count + count)
        set_committed_value(thread, "last_activity_at", now)


def _conflict() -> Conflict:
    return Conflict("this client_id was already used for a different message", "client_id")


async def post_message(tx: Tx, actor: User, thread_id: int, client_id: str, body: str, max_chars: int) -> Posted:
    """Post one message (a batch of one); raises the error that refused it."""
    [outcome] = await post_messages(tx, {actor.id: actor}, [SendRequest(actor.id, thread_id, client_id, body)], max_chars)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@dataclass(frozen=True)
class Started:
    thread_id: int
    message: dict[str, Any] | None


async def start_thread(
    tx: Tx, actor: User, room_ref: int | str, title: str, body: str | None, client_id: str | None, max_title: int, max_chars: int
) -> Started:
    """Open a thread and, when ``body`` is given, post its first message, in the
    caller's transaction: either both exist afterwards or neither does."""
    if body is not None:
        clean_body(body, max_chars)
    thread = await threads.start_thread(tx, actor, room_ref, title, max_title)
    posted = None
    if body is not None:
        posted = await post_message(tx, actor, thread.id, client_id or f"thread-{thread.id}-opening", body, max_chars)
    return Started(thread.id, posted.message if posted else None)
