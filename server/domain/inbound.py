"""The inbound mail pipeline: every door (SMTP listener, webhook, pipe) hands one raw message
here with its envelope and its door's name, and gets back what became of it.

1. ``read_inbound`` (pure) parses, screens, routes, limits and trims it.
2. Exactly once: ``dedupe_key`` (Message-ID or fingerprint, with the destination address)
   already recorded answers ``duplicate`` and posts nothing; two processes racing on the
   same message meet at the unique index and the loser records a duplicate.
3. A reply address is accepted only when the token resolves (valid, unexpired, unrevoked),
   the envelope sender AND the From address (when there is one: only From is what DMARC
   vouches for) are the token's owner's address, case-insensitively, the owner is active
   and may still read and post in the room (``server.domain.access``). In-Reply-To and
   References are never read.
4. A room address (``slug@MAIL_DOMAIN``) starts a thread titled by the subject, for an
   active account with the sender's address that is a member of the room (or a
   facilitator or administrator), with the same sender checks.
5. A reply posts through the group-commit ``SendQueue``, the browser's own send path, with
   a client id derived from the dedupe key: numbered, announced, and idempotent, so a crash
   between posting and recording only makes the retry find the same message.
6. Every message is recorded (``server.domain.inbound_record``); a refusal the sender may
   hear about gets one explanation an hour at most.

Unconfirmed addresses (an invited person who never signed in) are confirmed by a reply
that passes every check: see ``server.domain.inbound_checks``.

Database trouble (unreachable, locked) raises ``TryLater`` with nothing recorded, so the
door can ask the sending server to retry (SMTP 451, pipe exit 75, webhook 503).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from server.config import Settings
from server.domain import notification_settings, posting
from server.domain.errors import DomainError, Invalid
from server.domain.inbound_checks import CANNOT_POST, Denied, authorise_new_thread, authorise_reply
from server.domain.inbound_record import Entry, Handled, add_record, dedupe_key, explain, find_by_key, recipient_of
from server.domain.send_queue import SendFailed, SendQueue
from server.mail.inbound import Accepted, InboundLimits, Refused, ReplyAddress, RoomAddress, read_inbound
from server.store.db import Database
from server.store.transaction import Transactions
from server.vocabulary import MailDoor

log = logging.getLogger(__name__)

_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|ateb|ymlaen)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


class TryLater(Exception):
    """The message could not be handled now (the database did not answer); nothing was recorded."""


@dataclass(frozen=True)
class InboundConfig:
    limits: InboundLimits
    authserv_id: str | None
    mail_domain: str
    public_url: str
    max_title_chars: int
    max_message_chars: int
    secret_key: str = ""  # checks the signed tokens of unsubscribe requests

    @classmethod
    def from_settings(cls, settings: Settings) -> InboundConfig:
        limits = InboundLimits(
            max_bytes=settings.inbound_max_bytes,
            max_parts=settings.inbound_max_parts,
            max_depth=settings.inbound_max_depth,
            max_body_chars=settings.max_message_chars,
        )
        return cls(
            limits,
            settings.mail_authserv_id,
            settings.mail_domain,
            settings.public_url,
            settings.max_title_chars,
            settings.max_message_chars,
            settings.secret_key,
        )


# ``unsubscribe@MAIL_DOMAIN`` takes the List-Unsubscribe mailto of notification emails
# (``server.domain.notification_mail``): "unsubscribe TOKEN" in the subject. Rooms
# cannot take this slug (``server.domain.rooms.RESERVED_SLUGS``).
UNSUBSCRIBE_LOCAL_PART = "unsubscribe"
_UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe\s+(\S+)", re.IGNORECASE)


class _Refusing(Exception):
    def __init__(self, denied: Denied) -> None:
        self.denied = denied


def thread_title(subject: str, max_chars: int) -> str:
    """The subject without reply and forward prefixes (English, German, Nordic, Dutch, Welsh)."""
    title = " ".join(_PREFIX.sub("", subject).split())
    return (title or "(no subject)")[:max_chars].strip()


def with_left_out_note(body: str, left_out: tuple[str, ...], max_chars: int) -> str:
    """The body with a line naming the attachments that were not kept (shorter, or none, when it would not fit)."""
    if not left_out:
        return body
    names = ", ".join(_MARKDOWN.sub(r"\\\1", name) for name in left_out)
    for note in (f"\n\n*Attachments left out: {names}*", f"\n\n*{len(left_out)} attachment(s) left out.*"):
        if len(body) + len(note) <= max_chars:
            return body + note
    return body


class InboundPipeline:
    """One pipeline for every door; made per app (web) or per process (listener, pipe)."""

    def __init__(self, db: Database, txs: Transactions, send_queue: SendQueue, config: InboundConfig) -> None:
        self.db = db
        self.txs = txs
        self.send_queue = send_queue
        self.config = config

    async def receive(self, raw: bytes, *, envelope_from: str | None, envelope_to: list[str], door: MailDoor) -> Handled:
        """Handle one message: posted, refused or duplicate, always recorded. Raises ``TryLater``."""
        try:
            return await self._receive(raw, envelope_from, envelope_to, door)
        except (OSError, OperationalError, InterfaceError, SendFailed, asyncio.TimeoutError) as error:
            log.warning("inbound mail (%s) must be retried: %s", door, error)
            raise TryLater(str(error)) from error

    async def _receive(self, raw: bytes, envelope_from: str | None, envelope_to: list[str], door: MailDoor) -> Handled:
        cfg = self.config
        read = read_inbound(
            raw[: cfg.limits.max_bytes + 1],  # a door may hand less than all of a huge message; it stays too large
            envelope_from=envelope_from,
            envelope_to=envelope_to,
            limits=cfg.limits,
            authserv_id=cfg.authserv_id,
            our_domain=cfg.mail_domain,
        )
        log.info("inbound mail via %s: %s", door, read.summary)
        facts = read.facts
        entry = Entry(door, facts, recipient_of(facts, envelope_to, cfg.mail_domain), dedupe_key(facts, cfg.mail_domain))
        async with self.db.read() as session:
            earlier = await find_by_key(session, entry.key or "")
        if earlier is not None:
            return await self._duplicate(entry)
        if isinstance(facts.destination, RoomAddress) and facts.destination.slug == UNSUBSCRIBE_LOCAL_PART:
            # The List-Unsubscribe mailto: the signed token authorises it, as the
            # one-click link does, whatever the body holds (often nothing).
            return await self._unsubscribe(entry)
        if isinstance(read, Refused):
            return await self._refuse(entry, Denied(read.reason.value, read.explanation, read.may_tell_sender))
        if isinstance(facts.destination, ReplyAddress):
            return await self._reply(entry, read, facts.destination.token)
        assert isinstance(facts.destination, RoomAddress)
        return await self._new_thread(entry, read, facts.destination.slug)

    async def _reply(self, entry: Entry, read: Accepted, token: str) -> Handled:
        async with self.txs.begin() as tx:
            decided = await authorise_reply(tx, token, entry.facts)
        if isinstance(decided, Denied):
            return await self._refuse(entry, decided)
        user, thread = decided
        body = with_left_out_note(read.body, read.left_out, self.config.max_message_chars)
        try:
            posted = await self.send_queue.send(user.id, thread.id, _client_id(entry), body, trimmed=read.trimmed)
        except SendFailed:
            raise
        except DomainError as error:
            return await self._refuse(
                entry, Denied(CANNOT_POST, f"Your message was not posted: {error.message}.", True, user.id, thread.id)
            )
        message_id = int(posted.message["id"])
        try:
            async with self.txs.begin() as tx:
                row = add_record(tx, entry, "posted", user_id=user.id, thread_id=thread.id, message_id=message_id)
                await tx.session.flush()
        except IntegrityError:
            return await self._duplicate(entry)
        return Handled("posted", "", "", row.id, thread.id, message_id)

    async def _new_thread(self, entry: Entry, read: Accepted, slug: str) -> Handled:
        cfg = self.config
        try:
            async with self.txs.begin() as tx:
                decided = await authorise_new_thread(tx, slug, entry.facts)
                if isinstance(decided, Denied):
                    raise _Refusing(decided)
                user, room = decided
                body = with_left_out_note(read.body, read.left_out, cfg.max_message_chars)
                title = thread_title(entry.facts.subject, cfg.max_title_chars)
                started = await posting.start_thread(
                    tx, user, room.id, title, body, _client_id(entry), cfg.max_title_chars, cfg.max_message_chars, trimmed=read.trimmed
                )
                message_id = int(started.message["id"]) if started.message else None
                row = add_record(tx, entry, "posted", user_id=user.id, thread_id=started.thread_id, message_id=message_id)
                await tx.session.flush()
        except _Refusing as refusing:
            return await self._refuse(entry, refusing.denied)
        except IntegrityError:
            return await self._duplicate(entry)
        except DomainError as error:
            return await self._refuse(entry, Denied(CANNOT_POST, f"Your message was not posted: {error.message}.", True))
        return Handled("posted", "", "", row.id, started.thread_id, message_id)

    async def _unsubscribe(self, entry: Entry) -> Handled:
        found_token = _UNSUBSCRIBE_SUBJECT.search(entry.facts.subject)
        if found_token is None:
            return await self._refuse(entry, Denied("unsubscribe_without_token", "The subject holds no unsubscribe token.", False))
        try:
            async with self.txs.begin() as tx:
                done = await notification_settings.unsubscribe(tx, self.config.secret_key, found_token.group(1))
                thread_id = done.thread.id if done.thread is not None else None
                detail = f"emails about thread {thread_id} stopped" if thread_id else "all notification emails stopped"
                row = add_record(tx, entry, "unsubscribed", detail=detail, user_id=done.user.id, thread_id=thread_id)
                await tx.session.flush()
        except Invalid:
            return await self._refuse(entry, Denied("unsubscribe_token_invalid", "The unsubscribe token is not valid.", False))
        except IntegrityError:
            return await self._duplicate(entry)
        return Handled("unsubscribed", "", detail, row.id, thread_id)

    async def _refuse(self, entry: Entry, denied: Denied) -> Handled:
        try:
            async with self.txs.begin() as tx:
                row = add_record(
                    tx,
                    entry,
                    "refused",
                    reason=denied.reason,
                    detail=denied.explanation,
                    user_id=denied.user_id,
                    thread_id=denied.thread_id,
                )
                await tx.session.flush()
                sender = entry.facts.sender
                if denied.tell and sender and not entry.facts.null_sender:
                    await explain(tx, row, sender, denied.explanation, self.config.public_url)
        except IntegrityError:
            return await self._duplicate(entry)
        return Handled("refused", denied.reason, denied.explanation, row.id, denied.thread_id)

    async def _duplicate(self, entry: Entry) -> Handled:
        async with self.txs.begin() as tx:
            earlier = await find_by_key(tx.session, entry.key or "")
            detail = f"already received as record {earlier.id} ({earlier.outcome})" if earlier else "already received"
            row = add_record(
                tx,
                Entry(entry.door, entry.facts, entry.recipient, None),
                "duplicate",
                reason="duplicate",
                detail=detail,
                user_id=earlier.user_id if earlier else None,
                thread_id=earlier.thread_id if earlier else None,
                message_id=earlier.posted_message_id if earlier else None,
            )
            await tx.session.flush()
        return Handled("duplicate", "duplicate", detail, row.id, row.thread_id, row.posted_message_id)


def _client_id(entry: Entry) -> str:
    return f"mail-{(entry.key or entry.facts.fingerprint)[:40]}"
