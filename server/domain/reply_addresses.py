"""Secret reply addresses: ``reply+TOKEN@MAIL_DOMAIN``, one person and one thread.

A token carries 130 bits of randomness written in lower-case base32 (26 characters,
``a-z2-7``), because some mail servers change the case of an address's local part.
Only its SHA-256 is stored, so a copy of the database cannot be used to post as
anyone; a token expires (``REPLY_ADDRESS_DAYS``, default 180) and can be revoked.
Looking one up hashes the given text and finds the row by that hash: the comparison
happens on a fixed-length digest through a unique index, never a character-by-character
comparison of secrets; ``hmac.compare_digest`` then confirms the row's hash.

A token proves only where a reply belongs. Whether it may post (the sender's address
is the owner's, the owner may still post in the room) is decided by the inbound
pipeline through ``server.domain.access``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.models import ReplyAddress, Thread, User, utcnow
from server.store.transaction import Tx

TOKEN_RE = re.compile(r"^[a-z2-7]{26}$")
DEFAULT_DAYS = 180


def _digest(token: str) -> str:
    return hashlib.sha256(token.lower().encode("ascii")).hexdigest()


def new_token() -> str:
    """26 lower-case base32 characters: 130 bits from the operating system's CSPRNG."""
    return base64.b32encode(secrets.token_bytes(17)).decode("ascii").rstrip("=").lower()[:26]


async def issue(tx: Tx, user_id: int, thread_id: int, days: int = DEFAULT_DAYS) -> str:
    """A new reply token for ``user_id`` in ``thread_id``; returns the token (only its
    hash is stored). Each notification email gets its own."""
    token = new_token()
    tx.session.add(
        ReplyAddress(token_hash=_digest(token), user_id=user_id, thread_id=thread_id, expires_at=utcnow() + timedelta(days=days))
    )
    return token


def address(token: str, mail_domain: str) -> str:
    return f"reply+{token}@{mail_domain}"


@dataclass(frozen=True)
class Resolved:
    user: User
    thread: Thread


async def resolve(session: AsyncSession, token: str) -> Resolved | None:
    """The person and thread a token belongs to, if it is well-formed, known, unexpired
    and not revoked (and both still exist); else None. Case-insensitive."""
    token = token.strip().lower()
    if not TOKEN_RE.match(token):
        return None
    digest = _digest(token)
    row = await session.get(ReplyAddress, digest)
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = await session.get(User, row.user_id)
    thread = await session.get(Thread, row.thread_id)
    if user is None or thread is None:
        return None
    return Resolved(user, thread)


async def revoke_for(tx: Tx, user_id: int, thread_id: int | None = None) -> None:
    """Revoke a person's reply addresses (for one thread, or all): after a mute, a
    deactivation, or on request."""
    query = update(ReplyAddress).where(ReplyAddress.user_id == user_id, ReplyAddress.revoked_at.is_(None))
    if thread_id is not None:
        query = query.where(ReplyAddress.thread_id == thread_id)
    await tx.session.execute(query.values(revoked_at=utcnow()))
