"""Email notifications: who missed what, and one email per thread (or a daily digest).

Nothing here runs on the send path. The notifier (``server.mail.notifier``) asks
``due_threads`` and ``due_digests`` (``server.domain.notification_due``) what is due,
by querying. Each piece of work is then done in its own write
transaction (``notify_thread``, ``notify_digest``) that takes the person's
notification mark (PostgreSQL: ``FOR NO KEY UPDATE SKIP LOCKED``; SQLite has one
writer), looks again, queues the email through the outbox and advances the mark, all
in the same transaction. So each message is mailed at most once even with several
processes, and what fell due while the server was down goes out once after it starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from server.config import Settings
from server.domain import notification_mail as words
from server.domain import reply_addresses
from server.domain.access import can_read
from server.domain.notification_due import DIGEST_EVERY, LOOKBACK, PROMPT_MODES, Due, candidates, due_digests, due_threads
from server.domain.notification_settings import unsubscribe_token
from server.domain.outbox import queue_mail, room_list_id
from server.domain.people import load_people
from server.store.models import (
    Message,
    MessageMention,
    NotificationMark,
    ReadMarker,
    Room,
    RoomMember,
    Thread,
    ThreadFollow,
    ThreadMute,
    User,
)
from server.store.transaction import Tx
from server.store.upsert import insert_ignore

MOST_SHOWN = 20  # messages shown per thread; earlier ones are counted
__all__ = ["Due", "LOOKBACK", "due_digests", "due_threads", "notify_digest", "notify_thread"]


async def _take_mark(tx: Tx, user_id: int, thread_id: int, wait: bool) -> NotificationMark | None:
    """The person's mark for the thread, locked until commit; None when another
    process holds it (it is doing this very work)."""
    await insert_ignore(tx.session, NotificationMark, [{"user_id": user_id, "thread_id": thread_id, "last_notified_seq": 0}])
    query = select(NotificationMark).where(NotificationMark.user_id == user_id, NotificationMark.thread_id == thread_id)
    query = query.with_for_update(key_share=True, skip_locked=not wait).execution_options(populate_existing=True)
    mark: NotificationMark | None = await tx.session.scalar(query)
    return mark


async def _missed_in_thread(tx: Tx, user: User, thread: Thread, mark: NotificationMark, now: datetime) -> list[Message]:
    """The missed messages of one thread, oldest first (looked at again under the lock)."""
    read = await tx.session.get(ReadMarker, (thread.id, user.id))
    floor = max(mark.last_notified_seq, read.last_read_seq if read else 0)
    following = await tx.session.get(ThreadFollow, (thread.id, user.id)) is not None
    query = select(Message).where(
        Message.thread_id == thread.id,
        Message.seq > floor,
        Message.author_id != user.id,
        Message.deleted_at.is_(None),
        Message.created_at >= now - LOOKBACK,
    )
    if not following:
        query = query.where(exists().where(MessageMention.message_id == Message.id, MessageMention.user_id == user.id))
    return list((await tx.session.scalars(query.order_by(Message.seq))).all())


async def _may_hear(tx: Tx, user: User, thread: Thread) -> Room | None:
    """The thread's room when the person may still read it and has not muted it."""
    room = await tx.session.get(Room, thread.room_id)
    if room is None or user.deactivated_at is not None:
        return None
    if await tx.session.get(ThreadMute, (thread.id, user.id)) is not None:
        return None
    member = await tx.session.get(RoomMember, (room.id, user.id))
    return room if can_read(user, room, member) else None


async def _section(tx: Tx, cfg: Settings, user: User, room: Room, thread: Thread, missed: list[Message]) -> words.ThreadSection:
    shown = missed[-MOST_SHOWN:]
    authors = await load_people(tx.session, {m.author_id for m in shown})
    base = f"{cfg.public_url}/r/{room.slug}/t/{thread.id}"
    return words.ThreadSection(
        room_title=room.title,
        thread_title=thread.title,
        thread_url=base,
        messages=[words.MailedMessage(m.seq, authors[m.author_id], m.html, m.created_at, f"{base}/m/{m.id}") for m in shown],
        earlier=len(missed) - len(shown),
        mute_url=f"{cfg.public_url}/unsubscribe?token={unsubscribe_token(cfg.secret_key, user.id, thread.id)}",
    )


def _footer(cfg: Settings, user: User, reply_by_email: bool) -> words.Footer:
    token = unsubscribe_token(cfg.secret_key, user.id, None)
    return words.Footer(f"{cfg.public_url}/settings/notifications", f"{cfg.public_url}/unsubscribe?token={token}", reply_by_email)


def _unsubscribe(cfg: Settings, user: User, thread_id: int | None) -> dict[str, str]:
    return words.unsubscribe_headers(cfg.public_url, cfg.mail_domain, unsubscribe_token(cfg.secret_key, user.id, thread_id))


async def notify_thread(tx: Tx, cfg: Settings, due: Due, now: datetime, delay: timedelta) -> bool:
    """Email one person what they missed in one thread, if it is (still) due; returns
    whether an email was queued. Advances their notification mark in the same
    transaction. Queues MailQueued (wakes the deliverer) after commit."""
    mark = await _take_mark(tx, due.user_id, due.thread_id, wait=False)
    user = await tx.session.get(User, due.user_id)
    thread = await tx.session.get(Thread, due.thread_id)
    if mark is None or user is None or thread is None or user.notify_mode not in PROMPT_MODES:
        return False
    missed = await _missed_in_thread(tx, user, thread, mark, now)
    if not missed or (user.notify_mode == "delay" and missed[0].created_at > now - delay):
        return False
    mark.last_notified_seq = missed[-1].seq
    room = await _may_hear(tx, user, thread)
    if room is None:
        return False  # the mark moves on: nothing to send, and nothing to look at again
    mark.last_sent_at = now
    section = await _section(tx, cfg, user, room, thread, missed)
    newest = section.messages[-1]
    subject = f"[{room.title}] {thread.title}"
    token = await reply_addresses.issue(tx, user.id, thread.id)
    first = await tx.session.scalar(select(func.min(Message.seq)).where(Message.thread_id == thread.id))
    opens = section.messages[0].seq == first and not section.earlier
    threading = words.thread_headers(thread.id, thread.title, thread.created_at, cfg.mail_domain, newest, opens)
    queue_mail(
        tx,
        user.email,
        subject,
        words.thread_body(subject, section, _footer(cfg, user, True)),
        from_name=f"{words.byline(newest.author)} via Convene",
        reply_to=reply_addresses.address(token, cfg.mail_domain),
        message_id=f"<thread-{thread.id}.seq-{newest.seq}.{token[:10]}@{cfg.mail_domain}>",
        headers=threading | room_list_id(room.title, room.slug, cfg.mail_domain) | _unsubscribe(cfg, user, thread.id),
    )
    return True


async def notify_digest(tx: Tx, cfg: Settings, user_id: int, now: datetime) -> bool:
    """Email one person on the daily digest everything they missed, one section per
    thread, if their day is over; advances every mark and ``last_digest_at``."""
    user = await tx.session.scalar(
        select(User).where(User.id == user_id).with_for_update(key_share=True, skip_locked=True).execution_options(populate_existing=True)
    )
    if user is None or user.notify_mode != "digest" or user.deactivated_at is not None:
        return False
    if user.last_digest_at is not None and user.last_digest_at > now - DIGEST_EVERY:
        return False
    found = candidates(now, ("digest",), user.id)
    thread_ids = list((await tx.session.scalars(select(found.c.thread_id).distinct().order_by(found.c.thread_id))).all())
    sections = []
    for thread_id in thread_ids:
        mark = await _take_mark(tx, user.id, thread_id, wait=True)
        thread = await tx.session.get(Thread, thread_id)
        if mark is None or thread is None:
            continue
        missed = await _missed_in_thread(tx, user, thread, mark, now)
        if not missed:
            continue
        mark.last_notified_seq = missed[-1].seq
        room = await _may_hear(tx, user, thread)
        if room is not None:
            mark.last_sent_at = now
            sections.append(await _section(tx, cfg, user, room, thread, missed))
    if not sections:
        return False
    user.last_digest_at = now
    total = sum(len(s.messages) + s.earlier for s in sections)
    subject = f"Convene daily digest: {total} new message{'s' if total != 1 else ''}"
    # The digest spans rooms: it is its own list (RFC 2919), so it can be filtered apart.
    headers = {"List-Id": f"Convene daily digest <digest.{cfg.mail_domain}>"} | _unsubscribe(cfg, user, None)
    queue_mail(
        tx,
        user.email,
        subject,
        words.digest_body(subject, sections, _footer(cfg, user, False)),
        from_name="Convene",
        message_id=f"<digest-{user.id}.{int(now.timestamp())}@{cfg.mail_domain}>",
        headers=headers,
    )
    return True
