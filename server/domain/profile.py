"""A person's own account (issue 12): name and organisation, email address (confirmed
at the new address, the old one told), password, signed-in sessions, and deleting
the account.

Password checks and hashing cost tens of milliseconds of CPU: the door does them
before it opens the write transaction (``accounts.hash_new_password``,
``Passwords.verify``) and passes the result in, as sign-in does.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.contract.events import EndSessions
from server.domain import access, audit, events, messages
from server.domain.accounts import confirm_address, hash_token, normalise_email, take_email_token, text_field
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from server.domain.mail_body import Action, MailBody, emailed_link, para
from server.domain.outbox import queue_mail
from server.domain.presenters import iso
from server.store import fulltext
from server.store.models import (
    AuthSession,
    EmailToken,
    Invitation,
    Message,
    MessageMention,
    MessageRevision,
    NotificationMark,
    ReadMarker,
    ReplyAddress,
    RoomMember,
    Thread,
    ThreadFollow,
    ThreadMute,
    User,
    utcnow,
)
from server.store.transaction import Tx

FORMER_MEMBER = "Former member"


async def _own(tx: Tx, user: User) -> User:
    """The person's row in this transaction (the door's copy came from a read session)."""
    own = await tx.session.get(User, user.id)
    if own is None or own.deleted_at is not None:
        raise Unauthenticated("this account has been deleted")
    return own


def require_current_password(verified: bool) -> None:
    """The door verified the current password (before the transaction); refuse if it was wrong."""
    if not verified:
        raise Invalid("your current password is not right", "current_password")


async def change_profile(tx: Tx, user: User, *, display_name: str | None, organisation: str | None) -> User:
    """Change the name others see and the organisation the person declares (shown as
    self-declared unless their confirmed address's domain belongs to an organisation)."""
    user = await _own(tx, user)
    changes = []
    if display_name is not None and (name := text_field(display_name, "display_name", 100)) != user.display_name:
        changes.append("display name")
        user.display_name = name
    if organisation is not None and (declared := text_field(organisation, "organisation", 200)) != user.declared_organisation:
        changes.append("organisation")
        user.declared_organisation = declared
    if changes:
        audit.record(tx, "profile-changed", actor=user, user_id=user.id, detail=" and ".join(changes))
    return user


async def request_email_change(tx: Tx, cfg: Settings, user: User, new_email: str) -> None:
    """Email a single-use link to ``new_email``; the address changes only when it is
    followed. The current address is told at once, so a person whose session was taken
    hears of it. Nothing changes for sign-in until the link is used."""
    user = await _own(tx, user)
    address = normalise_email(new_email, "email")
    if address == user.email:
        raise Invalid("this is already your address", "email")
    if await tx.session.scalar(select(User.id).where(User.email == address)):
        raise Conflict("another account uses this address", "email")
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(minutes=cfg.token_minutes)
    tx.session.add(
        EmailToken(token_hash=hash_token(token), user_id=user.id, purpose="change-email", expires_at=expires_at, new_email=address)
    )
    subject = "Confirm your new email address for Convene"
    confirm = emailed_link(
        subject,
        user.display_name,
        "Confirm that Convene should use this address for your account.",
        Action("Confirm this address", f"{cfg.public_url}/confirm-email?token={token}"),
        cfg.token_minutes,
        "ask for this",
    )
    queue_mail(tx, address, subject, confirm)
    subject = "Your Convene email address is being changed"
    notice = MailBody(
        subject,
        (
            para(f"Hello {user.display_name},"),
            para(
                f"Someone signed in to your Convene account asked to change its email address to {address}. "
                "Nothing changes until that address confirms it."
            ),
            para("If this was not you, sign in, change your password and sign out everywhere."),
            Action("Your profile", f"{cfg.public_url}/profile"),
        ),
    )
    queue_mail(tx, user.email, subject, notice)
    audit.record(tx, "email-change-requested", actor=user, user_id=user.id, detail=f"to {address}")


async def confirm_email_change(tx: Tx, token: str) -> User:
    """Follow the link sent to the new address: it becomes the account's address
    (confirmed; organisation membership follows its domain). Sign-in links sent to the
    old address stop working."""
    row = await tx.session.get(EmailToken, hash_token(token.strip()))
    new_email = row.new_email if row is not None else None
    user = await take_email_token(tx, token, "change-email")
    if new_email is None:
        raise Invalid("this link is not valid; ask for a new one", "token")
    if await tx.session.scalar(select(User.id).where(User.email == new_email, User.id != user.id)):
        raise Conflict("another account now uses this address", "token")
    old = user.email
    await tx.session.execute(
        update(EmailToken)
        .where(EmailToken.user_id == user.id, EmailToken.used_at.is_(None), EmailToken.purpose.in_(("signin", "confirm")))
        .values(used_at=utcnow())
    )
    user.email = new_email
    user.email_confirmed_at = None
    await confirm_address(tx.session, user)
    audit.record(tx, "email-changed", actor=user, user_id=user.id, detail=f"{old} -> {new_email}")
    return user


async def change_password(tx: Tx, user: User, password_hash: str, keep_session: str | None) -> int:
    """Set a new password (checked and hashed by the door, after it verified the current
    one) and end every other session of the person, on every process. Returns how many
    sessions ended."""
    user = await _own(tx, user)
    user.password_hash = password_hash
    others = [
        h
        for h in await tx.session.scalars(
            select(AuthSession.token_hash).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        )
        if h != keep_session
    ]
    if others:
        await tx.session.execute(update(AuthSession).where(AuthSession.token_hash.in_(others)).values(revoked_at=utcnow()))
        tx.directive(EndSessions(user.id, tuple(others), "signed_out"))
    audit.record(tx, "password-changed", actor=user, user_id=user.id, detail=f"{len(others)} other sessions ended")
    return len(others)


# ---- sessions ------------------------------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
            ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def device_of(user_agent: str | None) -> str:
    """A readable device from a User-Agent ("Firefox on Windows"), or what is known."""
    if not user_agent:
        return "Unknown device"
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or re.split(r"[\s/;(]", user_agent.strip(), maxsplit=1)[0][:40] or "Unknown device"


@dataclass(frozen=True)
class SessionView:
    id: str
    device: str
    address: str | None
    signed_in_at: str | None
    expires_at: str | None
    current: bool

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


SESSION_ID_CHARS = 16  # what the person sees of a session's id: enough to name it among theirs


async def list_sessions(session: AsyncSession, user: User, current: str | None) -> list[SessionView]:
    """The person's sessions still signed in, newest first. ``current`` is this
    request's session id (the token's hash)."""
    rows = await session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > utcnow())
        .order_by(AuthSession.created_at.desc())
    )
    return [
        SessionView(s.token_hash[:SESSION_ID_CHARS], device_of(s.user_agent), s.address, iso(s.created_at), iso(s.expires_at),
                    s.token_hash == current)
        for s in rows
    ]  # fmt: skip


async def end_session(tx: Tx, user: User, session_id: str) -> None:
    """End one of the person's own sessions (its live connections are told and closed)."""
    if len(session_id) != SESSION_ID_CHARS or not session_id.isalnum():
        raise NotFound("no such session", "session_id")
    row = await tx.session.scalar(
        select(AuthSession).where(
            AuthSession.user_id == user.id, AuthSession.token_hash.startswith(session_id), AuthSession.revoked_at.is_(None)
        )
    )
    if row is None:
        raise NotFound("no such session", "session_id")
    row.revoked_at = utcnow()
    tx.directive(EndSessions(user.id, (row.token_hash,), "signed_out"))
    audit.record(tx, "session-ended", actor=user, user_id=user.id, detail=device_of(row.user_agent))


# ---- deleting the account --------------------------------------------------------------------


async def delete_account(tx: Tx, user: User, *, erase_messages: bool = False, erasure_allowed: bool = False) -> None:
    """Delete the person's account: their personal data goes (name, address, password,
    organisation, sessions, memberships, follows, mutes, read markers, reply addresses,
    pending links and invitations); the row stays, named "Former member", so their
    messages keep their place in every thread. With ``erase_messages`` (only where the
    site allows it, ALLOW_MESSAGE_ERASURE) their messages become tombstones too, each
    announced as message.deleted. Every session ends on every process. Recorded in the
    audit log (entries about them remain, naming "Former member")."""
    if erase_messages and not erasure_allowed:
        raise Forbidden("this site keeps the messages of deleted accounts (shown as Former member)", "erase_messages")
    user = await _own(tx, user)
    await access.require_not_last_administrator(tx.session, user, "delete your account")
    now = utcnow()
    for table in (RoomMember, ThreadFollow, ThreadMute, ReadMarker, NotificationMark, ReplyAddress, EmailToken, Invitation):
        await tx.session.execute(delete(table).where(table.user_id == user.id))
    signed_in = update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    await tx.session.execute(signed_in.values(revoked_at=now))
    tx.directive(EndSessions(user.id, None, "deactivated"))
    user.display_name = FORMER_MEMBER
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.declared_organisation = ""
    user.organisation_id = None
    user.password_hash = None
    user.email_confirmed_at = None
    user.notify_mode = "never"
    user.deactivated_at = user.deactivated_at or now
    user.deleted_at = now
    erased = await _erase_messages(tx, user) if erase_messages else 0
    audit.record(tx, "account-deleted", actor=user, user_id=user.id, detail=f"{erased} messages erased" if erase_messages else "")


async def _erase_messages(tx: Tx, user: User) -> int:
    """Tombstone every message ``user`` wrote (text and earlier versions erased), room
    by room, each numbered and announced as message.deleted like any deletion."""
    await tx.session.flush()  # the author shows as "Former member" in the events
    rows = list(
        await tx.session.scalars(
            select(Message).where(Message.author_id == user.id, Message.deleted_at.is_(None)).order_by(Message.room_id, Message.id)
        )
    )
    now = utcnow()
    for room_id in sorted({m.room_id for m in rows}):
        in_room = [m for m in rows if m.room_id == room_id]
        ids = [m.id for m in in_room]
        await tx.session.execute(delete(MessageRevision).where(MessageRevision.message_id.in_(ids)))
        await tx.session.execute(delete(MessageMention).where(MessageMention.message_id.in_(ids)))
        for m in in_room:
            m.body, m.html, m.deleted_at, m.deleted_by = "", "", now, user.id
            await tx.session.execute(update(Thread).where(Thread.id == m.thread_id, Thread.message_count > 0)
                                     .values(message_count=Thread.message_count - 1))  # fmt: skip
        await tx.session.flush()
        await fulltext.reindex_messages(tx.session, ids)  # erased text leaves the search index with it
        first = await tx.reserve_seqs(room_id, len(in_room))
        views = await messages.present(tx.session, in_room)
        await tx.record([events.message_deleted(first + i, view) for i, view in enumerate(views)])
    return len(rows)
