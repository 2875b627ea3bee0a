"""A person's email notification settings: their mode, per-thread mutes, and the
signed one-click unsubscribe links that change them without signing in.

An unsubscribe token names a person and a scope (one thread, or ``all``) and carries
an HMAC-SHA256 over both, keyed by ``SECRET_KEY`` (through a purpose label, so it can
never be mistaken for any other signed value). It is not stored and does not expire:
RFC 8058 asks that the link keep working, and using it twice does no harm. It only
ever turns mail off, so a leaked link cannot read or post anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.errors import Invalid
from server.domain.threads import readable_thread
from server.store.models import Room, Thread, ThreadMute, User, utcnow
from server.store.transaction import Tx
from server.store.upsert import insert_ignore
from server.vocabulary import NOTIFY_MODES, NotifyMode

Scope = Literal["thread", "all"]
_TOKEN_RE = re.compile(r"^([1-9][0-9]{0,9})\.(all|[1-9][0-9]{0,9})\.([A-Za-z0-9_-]{32})$")


def _signature(secret: str, user_id: int, scope: str) -> str:
    key = hmac.new(secret.encode(), b"convene unsubscribe link", hashlib.sha256).digest()
    mac = hmac.new(key, f"{user_id}:{scope}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:32]  # 192 bits


def unsubscribe_token(secret: str, user_id: int, thread_id: int | None) -> str:
    """``USER.SCOPE.SIGNATURE``: URL-safe as it is (no quoting needed in a link)."""
    scope = "all" if thread_id is None else str(thread_id)
    return f"{user_id}.{scope}.{_signature(secret, user_id, scope)}"


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid token would turn off (or did)."""

    scope: Scope
    user: User
    thread: Thread | None
    room: Room | None


async def read_unsubscribe(session: AsyncSession, secret: str, token: str) -> Unsubscribe:
    """The person and thread a token names; ``Invalid`` (field ``token``) when it is
    malformed, forged, or names something that no longer exists."""
    bad = Invalid("this unsubscribe link is not valid; change your email settings in Convene instead", "token")
    match = _TOKEN_RE.match(token.strip())
    if match is None:
        raise bad
    user_id, scope, signature = int(match.group(1)), match.group(2), match.group(3)
    if not hmac.compare_digest(signature, _signature(secret, user_id, scope)):
        raise bad
    user = await session.get(User, user_id)
    if user is None:
        raise bad
    if scope == "all":
        return Unsubscribe("all", user, None, None)
    thread = await session.get(Thread, int(scope))
    if thread is None:
        raise bad
    return Unsubscribe("thread", user, thread, await session.get(Room, thread.room_id))


async def unsubscribe(tx: Tx, secret: str, token: str) -> Unsubscribe:
    """One-click unsubscribe (RFC 8058), no session needed: mute the thread the token
    names, or set the person's mode to ``never`` for ``all``. Idempotent."""
    found = await read_unsubscribe(tx.session, secret, token)
    if found.thread is not None:
        await insert_ignore(tx.session, ThreadMute, [{"thread_id": found.thread.id, "user_id": found.user.id, "created_at": utcnow()}])
    else:
        user = await tx.session.get(User, found.user.id)
        assert user is not None
        user.notify_mode = "never"
    return found


def clean_mode(mode: str) -> NotifyMode:
    for known in NOTIFY_MODES:
        if mode == known:
            return known
    raise Invalid(f"mode must be one of {', '.join(NOTIFY_MODES)}", "mode")


async def set_mode(tx: Tx, actor: User, mode: str) -> User:
    """Change how ``actor`` hears about activity by email. Choosing the daily digest
    starts its day now (the first digest comes a day later, not at once)."""
    chosen = clean_mode(mode)
    user = await tx.session.get(User, actor.id)
    assert user is not None
    if chosen == "digest" and user.notify_mode != "digest":
        user.last_digest_at = utcnow()
    user.notify_mode = chosen
    return user


async def set_muted(tx: Tx, actor: User, thread_id: int, muted: bool) -> Thread:
    """Mute (no email about this thread, whatever the mode) or unmute a thread the
    actor can read."""
    thread = await readable_thread(tx.session, actor, thread_id)
    if muted:
        await insert_ignore(tx.session, ThreadMute, [{"thread_id": thread.id, "user_id": actor.id, "created_at": utcnow()}])
    else:
        await tx.session.execute(delete(ThreadMute).where(ThreadMute.thread_id == thread.id, ThreadMute.user_id == actor.id))
    return thread


async def is_muted(session: AsyncSession, actor: User, thread_id: int) -> bool:
    """Whether the actor muted a thread they can read (``NotFound`` otherwise)."""
    thread = await readable_thread(session, actor, thread_id)
    found = await session.scalar(select(ThreadMute.user_id).where(ThreadMute.thread_id == thread.id, ThreadMute.user_id == actor.id))
    return found is not None
