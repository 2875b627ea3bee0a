"""Who is owed a notification email, found by querying (never on the send path).

A person is owed one for a message when they follow its thread or it mentions them,
someone else wrote it, it is not deleted, it is after both their notification mark
and their read marker, the thread is not muted, and it is less than ``LOOKBACK`` old;
and the person is active, with an address someone vouched for, and wants email in
that mode. The marks are outer-joined so the missed messages of each followed thread
are one index range on (thread_id, seq).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, exists, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.store.models import Message, MessageMention, NotificationMark, ReadMarker, ThreadFollow, ThreadMute, User
from server.vocabulary import NotifyMode

Column = ColumnElement[int] | InstrumentedAttribute[int]
LOOKBACK = timedelta(days=7)  # older messages are never mailed (no months of history on switching email back on)
DIGEST_EVERY = timedelta(days=1)
PROMPT_MODES: tuple[NotifyMode, ...] = ("each", "delay")  # modes mailed per thread


@dataclass(frozen=True)
class Due:
    user_id: int
    thread_id: int


def _eligible() -> ColumnElement[bool]:
    """Active, and with an address someone vouched for: confirmed, or invited by
    email and not signed in yet (no password)."""
    return and_(User.deactivated_at.is_(None), or_(User.email_confirmed_at.is_not(None), User.password_hash.is_(None)))


def _floor() -> ColumnElement[int]:
    """The later of the person's notification mark and read marker (outer-joined)."""
    mark, read = func.coalesce(NotificationMark.last_notified_seq, 0), func.coalesce(ReadMarker.last_read_seq, 0)
    return case((mark > read, mark), else_=read)


def _with_marks(query: Select[Any], user_id: Column, thread_id: Column) -> Select[Any]:
    """Outer-join the person's marks, so the messages after them are one index range
    on (thread_id, seq) per followed thread, not a scan of the thread."""
    return query.outerjoin(NotificationMark, and_(NotificationMark.user_id == user_id, NotificationMark.thread_id == thread_id)).outerjoin(
        ReadMarker, and_(ReadMarker.user_id == user_id, ReadMarker.thread_id == thread_id)
    )


def _missed(user_id: Column, now: datetime, modes: tuple[NotifyMode, ...]) -> ColumnElement[bool]:
    return and_(
        User.notify_mode.in_(modes),
        _eligible(),
        Message.author_id != user_id,
        Message.deleted_at.is_(None),
        Message.created_at >= now - LOOKBACK,
        ~exists().where(ThreadMute.user_id == user_id, ThreadMute.thread_id == Message.thread_id),
    )


def candidates(now: datetime, modes: tuple[NotifyMode, ...], user_id: int | None = None) -> Subquery:
    """(user_id, thread_id, created_at) of every missed message, from follows and mentions."""
    follower = ThreadFollow.user_id
    followed = _with_marks(
        select(follower.label("user_id"), ThreadFollow.thread_id.label("thread_id"), Message.created_at.label("created_at"))
        .select_from(ThreadFollow)
        .join(User, User.id == follower),
        follower,
        ThreadFollow.thread_id,
    ).join(Message, and_(Message.thread_id == ThreadFollow.thread_id, Message.seq > _floor()))
    followed = followed.where(_missed(follower, now, modes))
    named = MessageMention.user_id
    mentioned = _with_marks(
        select(named.label("user_id"), Message.thread_id.label("thread_id"), Message.created_at.label("created_at"))
        .select_from(MessageMention)
        .join(User, User.id == named)
        .join(Message, Message.id == MessageMention.message_id),
        named,
        Message.thread_id,
    ).where(_missed(named, now, modes), Message.seq > _floor())
    if user_id is not None:
        followed = followed.where(follower == user_id)
        mentioned = mentioned.where(named == user_id)
    return union_all(followed, mentioned).subquery()


async def due_threads(session: AsyncSession, now: datetime, delay: timedelta) -> list[Due]:
    """(person, thread) pairs whose email is due: anything missed for ``each``; for
    ``delay``, the oldest missed message is at least ``delay`` old (so a person
    reading in the browser meanwhile gets nothing)."""
    found = candidates(now, PROMPT_MODES)
    rows = await session.execute(
        select(found.c.user_id, found.c.thread_id, func.min(found.c.created_at), User.notify_mode)
        .join(User, User.id == found.c.user_id)
        .group_by(found.c.user_id, found.c.thread_id, User.notify_mode)
        .order_by(found.c.user_id, found.c.thread_id)
    )
    due = []
    for user_id, thread_id, oldest, mode in rows.tuples():
        if mode == "each" or _aware(oldest) <= now - delay:
            due.append(Due(user_id, thread_id))
    return due


async def due_digests(session: AsyncSession, now: datetime) -> list[int]:
    """People on the daily digest whose day is over and who missed something."""
    found = candidates(now, ("digest",))
    rows = await session.scalars(
        select(User.id)
        .where(User.id.in_(select(found.c.user_id)))
        .where(or_(User.last_digest_at.is_(None), User.last_digest_at <= now - DIGEST_EVERY))
        .order_by(User.id)
    )
    return list(rows.all())


def _aware(moment: datetime | str) -> datetime:
    """Aggregates bypass the UTC column type: SQLite hands back naive UTC text."""
    if isinstance(moment, str):  # SQLite's MIN over a DATETIME column
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
