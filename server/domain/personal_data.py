"""A person's own data, for a subject access request (UK GDPR) (issue 12): their
profile, memberships, messages with edits, sessions, invitations, follows, mutes and
the audit entries about them, as one JSON document written a chunk at a time.

People may download their own; administrators anyone's (``authorise``, which records
the request in the audit log). Messages are read in batches, so a prolific person's
export runs in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import audit
from server.domain.access import require_administrator
from server.domain.errors import NotFound
from server.domain.people import load_person
from server.domain.presenters import iso
from server.store.models import (
    AuthSession,
    Invitation,
    Message,
    MessageRevision,
    MessageTrim,
    Room,
    RoomMember,
    Thread,
    ThreadFollow,
    ThreadMute,
    User,
    utcnow,
)
from server.store.transaction import Tx

BATCH = 1000
FORMAT = "convene-personal-data"


async def authorise(tx: Tx, actor: User, user_id: int) -> int:
    """``actor`` may export ``user_id``'s data: their own, or anyone's for an
    administrator. Recorded in the audit log. Returns the person's id."""
    if actor.id != user_id:
        require_administrator(actor, "export another person's data")
        if await tx.session.get(User, user_id) is None:
            raise NotFound("no such user", "user_id")
    audit.record(tx, "personal-data-exported", actor=actor, user_id=user_id, detail="their own" if actor.id == user_id else "on request")
    return user_id


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _messages(session: AsyncSession, user_id: int) -> AsyncIterator[str]:
    after = 0
    first = True
    while True:
        rows = (
            await session.execute(
                select(Message, Thread.title, Room.slug)
                .join(Thread, Thread.id == Message.thread_id)
                .join(Room, Room.id == Message.room_id)
                .where(Message.author_id == user_id, Message.id > after)
                .order_by(Message.id)
                .limit(BATCH)
            )
        ).tuples().all()
        if not rows:
            return
        ids = [m.id for m, _, _ in rows if m.edited_at is not None]
        revisions: dict[int, list[dict[str, Any]]] = {}
        if ids:
            for r in await session.scalars(select(MessageRevision).where(MessageRevision.message_id.in_(ids)).order_by(MessageRevision.id)):
                revisions.setdefault(r.message_id, []).append({"body": r.body, "replaced_at": iso(r.replaced_at)})
        # What was trimmed off replies by email is the author's too (issue 18).
        trims = {
            t.message_id: t.text
            for t in await session.scalars(select(MessageTrim).where(MessageTrim.message_id.in_([m.id for m, _, _ in rows])))
        }
        items = [
            {"id": m.id, "room": slug, "thread": {"id": m.thread_id, "title": title}, "seq": m.seq, "created_at": iso(m.created_at),
             "body": m.body, "edited_at": iso(m.edited_at), "revisions": revisions.get(m.id, []), "deleted_at": iso(m.deleted_at),
             "trimmed": trims.get(m.id, "")}
            for m, title, slug in rows
        ]  # fmt: skip
        yield ("" if first else ", ") + ", ".join(_dump(i) for i in items)
        first = False
        after = rows[-1][0].id
        session.expunge_all()


async def personal_data_lines(session: AsyncSession, user_id: int) -> AsyncIterator[str]:
    """The person's data as one JSON object (see docs/protocol.md, People and records)."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", "user_id")
    person = await load_person(session, user_id)
    memberships = (
        await session.execute(
            select(RoomMember, Room.slug, Room.title).join(Room, Room.id == RoomMember.room_id).where(RoomMember.user_id == user_id)
        )
    ).tuples()
    sessions = await session.scalars(select(AuthSession).where(AuthSession.user_id == user_id).order_by(AuthSession.created_at))
    invitations = (
        await session.execute(select(Invitation, Room.slug).join(Room, Room.id == Invitation.room_id).where(Invitation.user_id == user_id))
    ).tuples()
    follows = await session.scalars(select(ThreadFollow.thread_id).where(ThreadFollow.user_id == user_id).order_by(ThreadFollow.thread_id))
    mutes = await session.scalars(select(ThreadMute.thread_id).where(ThreadMute.user_id == user_id).order_by(ThreadMute.thread_id))
    head = {
        "format": FORMAT,
        "version": 1,
        "exported_at": iso(utcnow()),
        "profile": {
            "id": user.id, "email": user.email, "display_name": user.display_name, "declared_organisation": user.declared_organisation,
            "organisation": person.as_dict()["organisation"], "role": user.role, "email_confirmed_at": iso(user.email_confirmed_at),
            "created_at": iso(user.created_at), "deactivated_at": iso(user.deactivated_at), "deleted_at": iso(user.deleted_at),
            "notify_mode": user.notify_mode,
        },
        "memberships": [{"room": slug, "title": title, "role": m.role, "joined_at": iso(m.joined_at)} for m, slug, title in memberships],
        "sessions": [
            {"signed_in_at": iso(s.created_at), "expires_at": iso(s.expires_at), "ended_at": iso(s.revoked_at),
             "user_agent": s.user_agent, "address": s.address}
            for s in sessions
        ],
        "invitations": [{"room": slug, "created_at": iso(i.created_at), "accepted_at": iso(i.accepted_at)} for i, slug in invitations],
        "followed_threads": list(follows),
        "muted_threads": list(mutes),
    }  # fmt: skip
    yield _dump(head)[:-1] + ', "messages": ['
    async for chunk in _messages(session, user_id):
        yield chunk
    yield '], "audit": ['
    first = True
    async for batch in audit.entries_about(session, user_id):
        for entry in batch:  # other people named in an entry keep their address to themselves
            for role in ("actor", "user"):
                if entry[role] is not None and entry[role]["id"] != user_id:
                    entry[role].pop("email", None)
        yield ("" if first else ", ") + ", ".join(_dump(e) for e in batch)
        first = False
    yield "]}\n"
