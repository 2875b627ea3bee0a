"""The record of inbound mail: one row per message received, whatever became of it.

Every door's mail ends here through ``server.domain.inbound``: posted, refused (with a
reason code and a short detail) or a duplicate of one already recorded. The row of a
posted or refused message carries the message's ``dedupe_key``, whose unique index makes
a second delivery (an SMTP retry, a webhook retry, two processes at once) a duplicate.
A refusal the sender may hear about queues one short explanation in the same transaction,
at most one per sender per hour (``replied_at`` remembers when).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain import audit
from server.domain.accounts import require_admin
from server.domain.mail_body import Link, MailBody, para
from server.domain.outbox import queue_mail
from server.domain.presenters import iso
from server.mail.inbound import MailFacts, ReplyAddress, RoomAddress
from server.store.models import InboundMail, User, utcnow
from server.store.transaction import Tx
from server.vocabulary import InboundOutcome, MailDoor

EXPLAIN_EVERY = timedelta(hours=1)


def recipient_of(facts: MailFacts, envelope_to: list[str], mail_domain: str) -> str:
    """The address of ours the message was for, with a reply token cut short: the record is
    read by administrators, and a whole token would let its reader post as its owner."""
    if isinstance(facts.destination, ReplyAddress):
        return f"reply+{facts.destination.token[:4]}…@{mail_domain}"
    if isinstance(facts.destination, RoomAddress):
        return f"{facts.destination.slug}@{mail_domain}"
    return envelope_to[0][:254] if envelope_to else ""


def dedupe_key(facts: MailFacts, mail_domain: str) -> str:
    """SHA-256 of (Message-ID, or the raw bytes' fingerprint without one) and the whole
    destination address (token included): the same message to the same address is one delivery."""
    if isinstance(facts.destination, ReplyAddress):
        to = f"reply+{facts.destination.token.lower()}@{mail_domain}"
    elif isinstance(facts.destination, RoomAddress):
        to = f"{facts.destination.slug}@{mail_domain}"
    else:
        to = ""
    identity = f"id:{facts.message_id}" if facts.message_id else f"fp:{facts.fingerprint}"
    return hashlib.sha256(f"{identity}\n{to}".encode()).hexdigest()


@dataclass(frozen=True)
class Handled:
    """What one inbound message came to; the doors answer from it (250, exit 0, 200 JSON)."""

    outcome: InboundOutcome
    reason: str
    detail: str
    record_id: int
    thread_id: int | None = None
    message_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "detail": self.detail,
            "record_id": self.record_id,
            "thread_id": self.thread_id,
            "message_id": self.message_id,
        }


@dataclass(frozen=True)
class Entry:
    """The facts a record row is written from."""

    door: MailDoor
    facts: MailFacts
    recipient: str
    key: str | None


def add_record(
    tx: Tx,
    entry: Entry,
    outcome: InboundOutcome,
    *,
    reason: str = "",
    detail: str = "",
    user_id: int | None = None,
    thread_id: int | None = None,
    message_id: int | None = None,
) -> InboundMail:
    """Add the row to ``tx`` (flushed by the caller; the unique ``dedupe_key`` may refuse it)."""
    facts = entry.facts
    row = InboundMail(
        door=entry.door,
        dedupe_key=entry.key,
        message_id=(facts.message_id or None) and facts.message_id[:500],
        sender=(facts.sender or ("<>" if facts.null_sender else ""))[:254],
        recipient=entry.recipient[:254],
        subject=facts.subject[:300],
        outcome=outcome,
        reason=reason[:40],
        detail=detail[:500],
        user_id=user_id,
        thread_id=thread_id,
        posted_message_id=message_id,
    )
    tx.session.add(row)
    why = f": {reason}" if reason and reason != outcome else ""
    audit.record(tx, "inbound-mail", actor=None, user_id=user_id, detail=f"{outcome}{why} via {entry.door}")
    return row


async def find_by_key(session: AsyncSession, key: str) -> InboundMail | None:
    row: InboundMail | None = await session.scalar(select(InboundMail).where(InboundMail.dedupe_key == key))
    return row


async def explain(tx: Tx, row: InboundMail, to: str, explanation: str, public_url: str) -> bool:
    """Queue one short explanation of a refusal to ``to``, unless that address was sent one
    within the last hour; marks ``row.replied_at``. Returns whether one was queued."""
    since = utcnow() - EXPLAIN_EVERY
    recent = await tx.session.scalar(
        select(InboundMail.id).where(InboundMail.sender == to.lower(), InboundMail.replied_at > since).limit(1)
    )
    if recent is not None:
        return False
    subject = f"Not posted: {row.subject}" if row.subject else "Your message to Convene was not posted"
    body = MailBody(
        subject[:300],
        (
            para("Your message to Convene was not posted."),
            para(explanation),
            para(f"Subject: {row.subject or '(none)'}"),
            para("You can still take part in the browser: ", Link(public_url, public_url)),
            para("This is an automatic message; it is sent at most once an hour."),
        ),
    )
    queue_mail(tx, to, subject[:300], body)
    row.replied_at = utcnow()
    return True


@dataclass(frozen=True)
class RecordPage:
    items: list[dict[str, Any]]
    has_more: bool


def _view(row: InboundMail) -> dict[str, Any]:
    return {
        "id": row.id,
        "received_at": iso(row.received_at),
        "door": row.door,
        "message_id": row.message_id,
        "sender": row.sender,
        "recipient": row.recipient,
        "subject": row.subject,
        "outcome": row.outcome,
        "reason": row.reason,
        "detail": row.detail,
        "user_id": row.user_id,
        "thread_id": row.thread_id,
        "posted_message_id": row.posted_message_id,
        "replied_at": iso(row.replied_at),
    }


async def list_records(session: AsyncSession, actor: User, *, outcome: InboundOutcome | None, before: int | None, limit: int) -> RecordPage:
    """Administrators only: the newest records first, ``limit`` at a time, older than id ``before``."""
    require_admin(actor)
    query = select(InboundMail).order_by(InboundMail.id.desc()).limit(limit + 1)
    if outcome is not None:
        query = query.where(InboundMail.outcome == outcome)
    if before is not None:
        query = query.where(InboundMail.id < before)
    rows = list(await session.scalars(query))
    return RecordPage([_view(r) for r in rows[:limit]], has_more=len(rows) > limit)
