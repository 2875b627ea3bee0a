"""What is new for one person across every room they are in: the inbox (threads with
messages they have not read, mentions first), their mentions, and marking read.

Unread is the same rule as a thread's ``unread_count`` (``threads.thread_views``):
messages after the person's read marker, not their own, not deleted; it holds for
threads they do not follow too. Everything here is a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import events
from server.domain.people import load_people
from server.domain.presenters import iso
from server.domain.summaries import snippet_of
from server.domain.threads import readable_thread
from server.store.models import (
    JoinRequest,
    Message,
    MessageMention,
    ReadMarker,
    Room,
    RoomInterest,
    RoomMember,
    Thread,
    ThreadFollow,
    User,
)
from server.store.transaction import Tx
from server.store.upsert import advance_read_markers

MAX_ENTRIES = 200
MAX_SIGNALS = 50
REASON_ORDER = {"mention": 0, "following": 1, "other": 2}


def _unread(user_id: int) -> Select[Any]:
    """Per thread in the person's rooms: unread messages, the newest unread seq, and
    how many of them mention the person."""
    return (
        select(
            Message.thread_id,
            func.count().label("unread"),
            func.max(Message.seq).label("latest_seq"),
            func.count(MessageMention.user_id).label("mentions"),
        )
        .join(RoomMember, and_(RoomMember.room_id == Message.room_id, RoomMember.user_id == user_id))
        .outerjoin(ReadMarker, and_(ReadMarker.thread_id == Message.thread_id, ReadMarker.user_id == user_id))
        .outerjoin(MessageMention, and_(MessageMention.message_id == Message.id, MessageMention.user_id == user_id))
        .where(
            Message.seq > func.coalesce(ReadMarker.last_read_seq, 0),
            Message.author_id != user_id,
            Message.deleted_at.is_(None),
        )
        .group_by(Message.thread_id)
    )


@dataclass(frozen=True)
class _Entry:
    reason: str
    room: Room
    thread: Thread
    unread: int
    mentions: int
    latest: Message

    @property
    def at(self) -> datetime:
        return self.latest.created_at


async def signals(session: AsyncSession, viewer: User) -> list[dict[str, Any]]:
    """Interest shown by people outside the viewer's own rooms, and pending requests to
    join them, newest first (``InboxSignal``). Decision: a signal stays while it stands
    (interest not withdrawn by someone not yet a member; a request not yet decided),
    so there is no read state to keep; MAX_SIGNALS bounds the list."""
    owned = select(RoomMember.room_id).where(RoomMember.user_id == viewer.id, RoomMember.role == "owner")
    members = select(RoomMember.user_id).where(RoomMember.room_id == RoomInterest.room_id)
    interest = await session.execute(
        select(RoomInterest.kind, RoomInterest.room_id, RoomInterest.user_id, RoomInterest.created_at)
        .join(User, User.id == RoomInterest.user_id)
        .where(RoomInterest.room_id.in_(owned), RoomInterest.user_id.not_in(members), User.deactivated_at.is_(None))
        .order_by(RoomInterest.created_at.desc())
        .limit(MAX_SIGNALS)
    )
    asks = await session.execute(
        select(JoinRequest.room_id, JoinRequest.user_id, JoinRequest.created_at)
        .join(User, User.id == JoinRequest.user_id)
        .where(JoinRequest.room_id.in_(owned), JoinRequest.status == "pending", User.deactivated_at.is_(None))
        .order_by(JoinRequest.created_at.desc())
        .limit(MAX_SIGNALS)
    )
    found: list[tuple[str, int, int, datetime]] = [(kind, room_id, user_id, at) for kind, room_id, user_id, at in interest.tuples()]
    found += [("join-request", room_id, user_id, at) for room_id, user_id, at in asks.tuples()]
    found.sort(key=lambda f: f[3], reverse=True)
    found = found[:MAX_SIGNALS]
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_({f[1] for f in found})))}
    people = await load_people(session, {f[2] for f in found})
    return [
        {
            "kind": kind,
            "room": {"id": room_id, "slug": rooms[room_id].slug, "title": rooms[room_id].title},
            "person": people[user_id].as_dict(),
            "at": iso(at),
        }
        for kind, room_id, user_id, at in found
    ]


async def inbox(session: AsyncSession, viewer: User) -> dict[str, Any]:
    counts = {row.thread_id: row for row in (await session.execute(_unread(viewer.id))).all()}
    shown_signals = await signals(session, viewer)
    if not counts:
        return {"entries": [], "signals": shown_signals, "unread_threads": 0, "unread_mentions": 0}
    threads = {t.id: t for t in await session.scalars(select(Thread).where(Thread.id.in_(counts)))}
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_({t.room_id for t in threads.values()})))}
    keys = [(t.room_id, counts[t.id].latest_seq) for t in threads.values()]
    latest = {(m.room_id, m.seq): m for m in await session.scalars(select(Message).where(tuple_(Message.room_id, Message.seq).in_(keys)))}
    following = set(
        (
            await session.scalars(
                select(ThreadFollow.thread_id).where(ThreadFollow.user_id == viewer.id, ThreadFollow.thread_id.in_(counts))
            )
        ).all()
    )
    entries = []
    for thread in threads.values():
        row = counts[thread.id]
        reason = "mention" if row.mentions else "following" if thread.id in following else "other"
        entries.append(_Entry(reason, rooms[thread.room_id], thread, row.unread, row.mentions, latest[(thread.room_id, row.latest_seq)]))
    # Sections by reason; inside one, rooms by their newest entry; entries newest first.
    room_newest: dict[tuple[str, int], datetime] = {}
    for e in entries:
        key = (e.reason, e.room.id)
        room_newest[key] = max(room_newest.get(key, e.at), e.at)
    entries.sort(
        key=lambda e: (REASON_ORDER[e.reason], -room_newest[(e.reason, e.room.id)].timestamp(), e.room.id, -e.at.timestamp(), -e.thread.id)
    )
    shown = entries[:MAX_ENTRIES]
    people = await load_people(session, {e.latest.author_id for e in shown})
    return {
        "entries": [
            {
                "reason": e.reason,
                "room": {"id": e.room.id, "slug": e.room.slug, "title": e.room.title},
                "thread": {"id": e.thread.id, "title": e.thread.title},
                "unread_count": e.unread,
                "mention_count": e.mentions,
                "latest_message_id": e.latest.id,
                "latest_seq": e.latest.seq,
                "author": people[e.latest.author_id].as_dict(),
                "snippet": snippet_of(e.latest.body),
                "last_activity_at": iso(e.at),
            }
            for e in shown
        ],
        "signals": shown_signals,
        "unread_threads": len(entries),
        "unread_mentions": sum(e.mentions for e in entries),
    }


async def mentions(session: AsyncSession, viewer: User, *, before: int | None, unread_only: bool, limit: int) -> dict[str, Any]:
    """Messages mentioning the person in rooms they are in, newest first."""
    marker = and_(ReadMarker.thread_id == Message.thread_id, ReadMarker.user_id == viewer.id)
    unread = Message.seq > func.coalesce(ReadMarker.last_read_seq, 0)
    base = (
        select(Message, unread.label("unread"))
        .join(MessageMention, and_(MessageMention.message_id == Message.id, MessageMention.user_id == viewer.id))
        .join(RoomMember, and_(RoomMember.room_id == Message.room_id, RoomMember.user_id == viewer.id))
        .outerjoin(ReadMarker, marker)
        .where(Message.deleted_at.is_(None))
    )
    unread_count = await session.scalar(select(func.count()).select_from(base.where(unread).subquery()))
    query = base.where(unread) if unread_only else base
    if before is not None:
        query = query.where(Message.id < before)
    rows = (await session.execute(query.order_by(Message.id.desc()).limit(limit + 1))).tuples().all()
    more = len(rows) > limit
    rows = rows[:limit]
    threads = {t.id: t for t in await session.scalars(select(Thread).where(Thread.id.in_({m.thread_id for m, _ in rows})))} if rows else {}
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_({m.room_id for m, _ in rows})))} if rows else {}
    people = await load_people(session, {m.author_id for m, _ in rows})
    return {
        "mentions": [
            {
                "room": {"id": m.room_id, "slug": rooms[m.room_id].slug, "title": rooms[m.room_id].title},
                "thread": {"id": m.thread_id, "title": threads[m.thread_id].title},
                "message_id": m.id,
                "seq": m.seq,
                "author": people[m.author_id].as_dict(),
                "snippet": snippet_of(m.body),
                "created_at": iso(m.created_at),
                "unread": bool(is_unread),
            }
            for m, is_unread in rows
        ],
        "unread_mentions": int(unread_count or 0),
        "next_before": rows[-1][0].id if more else None,
    }


async def mark_read(tx: Tx, actor: User, thread_ids: list[int] | None) -> int:
    """Mark threads read up to their newest message: the given ones (each must be
    readable), or every thread in the inbox. Tells the person's tabs (``read``
    events). Returns how many threads were marked."""
    if thread_ids is None:
        found = (await tx.session.execute(_unread(actor.id))).all()
        marks = {row.thread_id: int(row.latest_seq) for row in found}
        rooms = (
            dict((await tx.session.execute(select(Thread.id, Thread.room_id).where(Thread.id.in_(marks)))).tuples().all()) if marks else {}
        )
    else:
        rooms = {}
        for thread_id in dict.fromkeys(thread_ids):
            rooms[thread_id] = (await readable_thread(tx.session, actor, thread_id)).room_id
        newest = await tx.session.execute(
            select(Message.thread_id, func.max(Message.seq)).where(Message.thread_id.in_(rooms)).group_by(Message.thread_id)
        )
        marks = {thread_id: int(seq) for thread_id, seq in newest.tuples()}
    await advance_read_markers(tx.session, [(t, actor.id, seq) for t, seq in marks.items()])
    for thread_id, seq in marks.items():
        tx.to_person(actor.id, events.read(rooms[thread_id], thread_id, seq, 0))
    return len(marks)
