"""Posting messages: one implementation for one message or a whole batch.

``post_batch`` stores any number of sends with a fixed number of statements (one look-up
each for retries, threads, rooms, memberships and people; one UPDATE per room to reserve
sequence numbers; one multi-row INSERT each for messages, events, follows and read
markers). It is plain synchronous code over ``SendSql`` (``server.store.send_sql``), so a
whole batch, commit included, runs as ONE call on SQLite's send writer thread
(``server.store.writer``); the group-commit queue (``send_queue``) hands it whole batches.
Inside a wider transaction (a thread opened with its first message) ``post_messages`` runs
the same function through ``AsyncSession.run_sync``. Each send gets its own answer: the
stored message, or the error that refused it (nothing written for it).

Decision (the fast path issue): this one domain function runs on a store thread rather
than taking a ``Tx``; it still decides only through ``access`` and builds events only
through the catalogue, and returns them for the caller to announce after commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from server.contract.events import Outgoing, ToPerson, ToRoom
from server.domain import events, markdown, threads
from server.domain.access import can_read, check_can_post
from server.domain.errors import Conflict, DomainError, NotFound, Unauthenticated
from server.domain.messages import clean_body, clean_client_id
from server.domain.people import Person, person_from_row
from server.domain.presenters import message_json
from server.store.models import Room, Thread, User, utcnow
from server.store.send_sql import NewMessage, SendSql, StoredMessage, UserRow
from server.store.transaction import Tx


@dataclass(frozen=True)
class SendRequest:
    actor_id: int
    thread_id: int
    client_id: str
    body: str
    trimmed: str = ""  # what was cut off a reply by email (kept for its author, never posted)


@dataclass(frozen=True)
class Posted:
    message: dict[str, Any]
    created: bool  # False when a retry found the message already stored


Outcome = Posted | DomainError


@dataclass
class Batch:
    """What a batch did: each send's outcome, in order, and what to announce once the
    transaction commits (room events already recorded for catch-up)."""

    outcomes: list[Outcome]
    outgoing: list[Outgoing] = field(default_factory=list)
    seq_counts: dict[int, int] = field(default_factory=dict)  # messages added per room
    thread_counts: dict[int, int] = field(default_factory=dict)  # messages added per thread


def _is_retry_of(stored: StoredMessage, request: SendRequest) -> bool:
    """A retry names the same thread and the same text (unless the message has since
    been edited or deleted, when the original text is gone)."""
    if stored.thread_id != request.thread_id:
        return False
    return stored.body == request.body or stored.edited_at is not None or stored.deleted_at is not None


def post_sends(sql: SendSql, sends: list[tuple[str | None, SendRequest]], max_chars: int) -> Batch:
    """``post_batch`` for sends from live connections (``session_id`` set: refused once
    that session has ended, however recently) and from trusted doors (``None``: the
    author must still be active). One query each for sessions and plain authors."""
    now = utcnow()
    by_session = sql.session_users({s for s, _ in sends if s is not None}, now)
    actors = sql.active_users({r.actor_id for s, r in sends if s is None})
    actors |= {u.id: u for u in by_session.values()}
    ended = [session_id is not None and session_id not in by_session for session_id, _ in sends]
    batch = post_batch(sql, actors, [r for (_, r), gone in zip(sends, ended) if not gone], max_chars)
    posted = iter(batch.outcomes)
    batch.outcomes = [Unauthenticated("this session has ended; sign in again") if gone else next(posted) for gone in ended]
    return batch


def post_batch(sql: SendSql, actors: dict[int, UserRow], requests: list[SendRequest], max_chars: int) -> Batch:
    """Store ``requests`` in order, each numbered with its room's next sequence number.

    Idempotent: a (author, client_id) already stored, or repeated within the batch,
    answers with the stored message (``created`` False), or a conflict when its text or
    thread differ. Authors and anyone mentioned follow the thread; authors' read
    markers move past their own messages. Returns member.joined (for posters joining an
    open room), message.created (durable, recorded) and mention events to announce
    after commit.
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
    stored = sql.stored_messages({(r.actor_id, r.client_id) for i, r in enumerate(requests) if outcomes[i] is None})
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
    thread_rows = sql.threads({requests[i].thread_id for i in fresh})
    room_rows = sql.rooms({t.room_id for t in thread_rows.values()})
    members = sql.memberships({(t.room_id, requests[i].actor_id) for i in fresh if (t := thread_rows.get(requests[i].thread_id))})
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

    now = utcnow()
    authors = {requests[i].actor_id for i in accepted} | {requests[i].actor_id for i in repeats} | {m.author_id for m in stored.values()}
    people = {user_id: person_from_row(row) for user_id, row in sql.people(authors).items()}
    batch = Batch([])
    if joining:
        sql.add_members(list(joining), now)
        for room_id, user_id in joining:
            batch.outgoing.append(ToRoom(room_id, events.member_joined(room_id, people[user_id].as_dict(), "member")))

    # Render (mentions need the room's member names, loaded once per room; posters
    # joining now are members already, so they can be mentioned).
    names: dict[int, dict[str, int]] = {}
    rendered: dict[int, markdown.Rendered] = {}
    for i in accepted:
        room_id = thread_rows[requests[i].thread_id].room_id
        if "@**" in requests[i].body and room_id not in names:
            names[room_id] = sql.member_names(room_id)
        rendered[i] = markdown.render(requests[i].body, names.get(room_id, {}))

    # Sequence numbers: one reservation per room, handed out in order.
    per_room: dict[int, list[int]] = defaultdict(list)
    for i in accepted:
        per_room[thread_rows[requests[i].thread_id].room_id].append(i)
    batch.seq_counts = {room_id: len(indexes) for room_id, indexes in per_room.items()}
    firsts = sql.reserve_seqs(batch.seq_counts, now)
    seq_of = {i: firsts[room_id] + offset for room_id, indexes in per_room.items() for offset, i in enumerate(indexes)}

    new = [
        NewMessage(
            room_id=thread_rows[requests[i].thread_id].room_id,
            thread_id=requests[i].thread_id,
            seq=seq_of[i],
            author_id=requests[i].actor_id,
            client_id=requests[i].client_id,
            body=requests[i].body,
            html=rendered[i].html,
            renderer_version=markdown.RENDERER_VERSION,
            created_at=now,
        )
        for i in accepted
    ]
    ids = dict(zip(accepted, sql.insert_messages(new)))
    sql.index_messages([(ids[i], requests[i].body) for i in accepted])
    sql.keep_trimmed([(ids[i], requests[i].trimmed) for i in accepted if requests[i].trimmed], now)
    for i in accepted:
        batch.thread_counts[requests[i].thread_id] = batch.thread_counts.get(requests[i].thread_id, 0) + 1
    sql.count_in_threads(batch.thread_counts, now)

    mentions: dict[int, list[int]] = {i: sorted(rendered[i].mentions - {requests[i].actor_id}) for i in accepted}
    sql.add_mentions([(ids[i], u) for i in accepted for u in mentions[i]])
    sql.follow([(requests[i].thread_id, u) for i in accepted for u in [requests[i].actor_id, *mentions[i]]], now)
    sql.advance_read_markers([(requests[i].thread_id, requests[i].actor_id, seq_of[i]) for i in accepted])
    created = []
    for row, i in zip(new, accepted):
        record = SimpleNamespace(id=ids[i], edited_at=None, deleted_at=None, **_fields(row))
        view = message_json(record, people[row.author_id], mentions[i], trimmed=bool(requests[i].trimmed))
        created.append(events.message_created(view))
        outcomes[i] = Posted(view, created=True)
    sql.record_events(created, now)
    batch.outgoing.extend(ToRoom(event["room_id"], event) for event in created)
    for event, i in zip(created, accepted):
        for user_id in mentions[i]:  # after the room events: the inbox reads a committed message
            batch.outgoing.append(ToPerson(user_id, events.mentioned(event["message"])))

    # Retries of stored messages, and repeats within this batch.
    if stored:
        stored_mentions = sql.mentions({m.id for m in stored.values()})
        for i, request in enumerate(requests):
            if outcomes[i] is None and (message := stored.get((request.actor_id, request.client_id))) is not None:
                view = message_json(message, _author(people, message.author_id), stored_mentions[message.id], trimmed=bool(request.trimmed))
                outcomes[i] = Posted(view, created=False) if _is_retry_of(message, request) else _conflict()
    for i, j in repeats.items():
        original = outcomes[j]
        if isinstance(original, Posted):
            same = requests[i].thread_id == requests[j].thread_id and requests[i].body == requests[j].body
            outcomes[i] = Posted(original.message, created=False) if same else _conflict()
        else:
            outcomes[i] = original
    assert all(o is not None for o in outcomes)
    batch.outcomes = outcomes  # type: ignore[assignment]
    return batch


def _fields(message: NewMessage) -> dict[str, Any]:
    return {f.name: getattr(message, f.name) for f in fields(NewMessage)}


def _author(people: dict[int, Person], user_id: int) -> Person:
    return people.get(user_id) or Person(user_id, "Former member", "", False, "member")


def _conflict() -> Conflict:
    return Conflict("this client_id was already used for a different message", "client_id")


def _in_session(session: Session, work: Callable[[SendSql], Batch]) -> Batch:
    """Run ``work`` inside an ORM session's transaction: its pending changes are flushed
    first (the batch reads them), and rows it already holds are brought in step with
    what the plain statements changed."""
    session.flush()
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    batch = work(SendSql(dbapi, session.get_bind().dialect.name))
    for model, counts, counter in ((Room, batch.seq_counts, "last_seq"), (Thread, batch.thread_counts, "message_count")):
        for row_id, count in counts.items():
            loaded = session.identity_map.get(identity_key(model, row_id))
            if loaded is not None:
                set_committed_value(loaded, counter, getattr(loaded, counter) + count)
    return batch


async def post_in_session(tx: Tx, work: Callable[[SendSql], Batch]) -> Batch:
    """``work`` (``post_batch`` or ``post_sends``) in the caller's transaction, through
    ``AsyncSession.run_sync``; its events are queued on ``tx`` for after commit."""
    batch = await tx.session.run_sync(_in_session, work)
    tx.outgoing.extend(batch.outgoing)
    return batch


async def post_messages(tx: Tx, actors: dict[int, User], requests: list[SendRequest], max_chars: int) -> list[Outcome]:
    """``post_batch`` in the caller's transaction; its events are queued on ``tx``."""
    rows = {user_id: UserRow(user.id, user.role, user.email_confirmed_at) for user_id, user in actors.items()}
    return (await post_in_session(tx, lambda sql: post_batch(sql, rows, requests, max_chars))).outcomes


async def post_message(
    tx: Tx, actor: User, thread_id: int, client_id: str, body: str, max_chars: int, *, trimmed: str = ""
) -> Posted:
    """Post one message (a batch of one); raises the error that refused it."""
    [outcome] = await post_messages(tx, {actor.id: actor}, [SendRequest(actor.id, thread_id, client_id, body, trimmed)], max_chars)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@dataclass(frozen=True)
class Started:
    thread_id: int
    message: dict[str, Any] | None


async def start_thread(
    tx: Tx,
    actor: User,
    room_ref: int | str,
    title: str,
    body: str | None,
    client_id: str | None,
    max_title: int,
    max_chars: int,
    *,
    trimmed: str = "",
) -> Started:
    """Open a thread and, when ``body`` is given, post its first message, in the
    caller's transaction: either both exist afterwards or neither does."""
    if body is not None:
        clean_body(body, max_chars)
    thread = await threads.start_thread(tx, actor, room_ref, title, max_title)
    posted = None
    if body is not None:
        posted = await post_message(tx, actor, thread.id, client_id or f"thread-{thread.id}-opening", body, max_chars, trimmed=trimmed)
    return Started(thread.id, posted.message if posted else None)
