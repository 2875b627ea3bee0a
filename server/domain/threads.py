"""Threads: titled conversations inside a room; following and read markers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import events
from server.domain.access import readable_room, require_readable_room
from server.domain.errors import Invalid, NotFound
from server.domain.people import load_people, load_person
from server.domain.presenters import thread_json
from server.domain.rooms import postable_room
from server.store import fulltext
from server.store.models import Message, ReadMarker, Thread, ThreadFollow, User
from server.store.transaction import Tx
from server.store.upsert import advance_read_marker, insert_ignore


async def readable_thread(session: AsyncSession, user: User, thread_id: int) -> Thread:
    missing = NotFound("no such thread", "thread_id")
    thread = await session.get(Thread, thread_id)
    if thread is None:
        raise missing
    await require_readable_room(session, user, thread.room_id, missing)
    return thread


def clean_title(title: str, max_title: int) -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid("title is required", "title")
    if len(title) > max_title:
        raise Invalid(f"title must be at most {max_title} characters", "title")
    return title


async def start_thread(tx: Tx, actor: User, room_ref: int | str, title: str, max_title: int) -> Thread:
    """Open a thread in a room the actor may post in; the starter follows it.
    Announces thread.created (durable, numbered) after commit."""
    title = clean_title(title, max_title)
    room = await postable_room(tx, actor, room_ref)
    seq = await tx.reserve_seqs(room.id)
    thread = Thread(room_id=room.id, title=title, created_by=actor.id, seq=seq)
    tx.session.add(thread)
    await tx.session.flush()
    await fulltext.reindex_threads(tx.session, [thread.id])
    await insert_ignore(tx.session, ThreadFollow, [{"thread_id": thread.id, "user_id": actor.id}])
    person = await load_person(tx.session, actor.id)
    await tx.record([events.thread_created(thread_json(thread, person))])
    return thread


async def set_following(tx: Tx, actor: User, thread_id: int, follow: bool) -> Thread:
    thread = await readable_thread(tx.session, actor, thread_id)
    if follow:
        await insert_ignore(tx.session, ThreadFollow, [{"thread_id": thread.id, "user_id": actor.id}])
    else:
        await tx.session.execute(delete(ThreadFollow).where(ThreadFollow.thread_id == thread.id, ThreadFollow.user_id == actor.id))
    return thread


async def mark_read(tx: Tx, actor: User, thread_id: int, seq: int) -> dict[str, Any]:
    """Move the reader's marker forward and tell their other tabs (``read`` event)."""
    if seq < 0:
        raise Invalid("seq must be zero or more", "seq")
    thread = await readable_thread(tx.session, actor, thread_id)
    await advance_read_marker(tx.session, thread.id, actor.id, seq)
    views = await thread_views(tx.session, actor, [thread])
    view = views[0]
    tx.to_person(actor.id, events.read(thread.room_id, thread.id, view["last_read_seq"], view["unread_count"]))
    return view


async def thread_views(session: AsyncSession, viewer: User, threads: list[Thread]) -> list[dict[str, Any]]:
    """Threads as the viewer sees them (unread count, following, read marker) in a
    fixed number of queries whatever the number of threads."""
    if not threads:
        return []
    ids = [t.id for t in threads]
    markers = dict(
        (
            await session.execute(
                select(ReadMarker.thread_id, ReadMarker.last_read_seq).where(ReadMarker.user_id == viewer.id, ReadMarker.thread_id.in_(ids))
            )
        )
        .tuples()
        .all()
    )
    following = set(
        (
            await session.scalars(select(ThreadFollow.thread_id).where(ThreadFollow.user_id == viewer.id, ThreadFollow.thread_id.in_(ids)))
        ).all()
    )
    marker = and_(ReadMarker.thread_id == Message.thread_id, ReadMarker.user_id == viewer.id)
    unread = dict(
        (
            await session.execute(
                select(Message.thread_id, func.count())
                .outerjoin(ReadMarker, marker)
                .where(
                    Message.thread_id.in_(ids),
                    Message.seq > func.coalesce(ReadMarker.last_read_seq, 0),
                    Message.author_id != viewer.id,
                    Message.deleted_at.is_(None),
                )
                .group_by(Message.thread_id)
            )
        )
        .tuples()
        .all()
    )
    people = await load_people(session, [t.created_by for t in threads if t.created_by])
    return [
        thread_json(t, people.get(t.created_by) if t.created_by else None)
        | {"unread_count": unread.get(t.id, 0), "following": t.id in following, "last_read_seq": markers.get(t.id, 0)}
        for t in threads
    ]


async def list_threads(session: AsyncSession, viewer: User, room_ref: int | str) -> list[dict[str, Any]]:
    room, _ = await readable_room(session, viewer, room_ref)
    threads = list(
        (
            await session.scalars(
                select(Thread).where(Thread.room_id == room.id).order_by(Thread.last_activity_at.desc(), Thread.id.desc())
            )
        ).all()
    )
    return await thread_views(session, viewer, threads)


async def thread_view(session: AsyncSession, viewer: User, thread_id: int) -> dict[str, Any]:
    thread = await readable_thread(session, viewer, thread_id)
    return (await thread_views(session, viewer, [thread]))[0]
