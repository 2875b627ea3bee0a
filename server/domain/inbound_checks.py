"""Who may post an inbound message, and where: the checks of the inbound pipeline
(``server.domain.inbound``) that need the database. Room permissions are decided by
``server.domain.access``; what is decided here is whether the mail comes from the person a
reply address or an account belongs to.

Unconfirmed addresses: a person invited by email who never signed in has not confirmed
their address. A valid reply token went only to that address, and a reply from it (sender
and From both matching, DMARC not failing) proves they read mail there, as a confirmation
link would. So when every other check passes, the address is confirmed in the transaction
that authorises the reply, just before the post; a reply refused for any other reason
confirms nothing.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.domain import access, accounts, reply_addresses
from server.domain.errors import DomainError, NotFound
from server.mail.inbound import MailFacts
from server.store.models import ReplyAddress as ReplyAddressRow
from server.store.models import Room, RoomMember, Thread, User, utcnow
from server.store.transaction import Tx
from server.vocabulary import STEWARD_ROLES

log = logging.getLogger(__name__)

# Reasons decided here (the pure reader's reasons are ``server.mail.inbound.Reason``).
UNKNOWN_TOKEN = "reply_address_unknown"
EXPIRED_TOKEN = "reply_address_expired"
WRONG_SENDER = "wrong_sender"
INACTIVE = "inactive"
NOT_MEMBER = "not_member"
CANNOT_POST = "cannot_post"
UNKNOWN_ROOM = "unknown_room"
UNKNOWN_SENDER = "unknown_sender"


@dataclass(frozen=True)
class Denied:
    """A refusal decided here: ``tell`` says whether the sender may hear ``explanation``."""

    reason: str
    explanation: str
    tell: bool
    user_id: int | None = None
    thread_id: int | None = None


def sent_by(owner_email: str, facts: MailFacts) -> bool:
    """The envelope sender and, when there is one, the From address are the owner's address."""
    owner = owner_email.lower()
    if facts.sender is None or not hmac.compare_digest(facts.sender.lower().encode(), owner.encode()):
        return False
    return facts.from_address is None or facts.from_address.lower() == owner


async def _may_post(tx: Tx, user: User, room_ref: int | str, thread_id: int | None) -> Denied | None:
    """None when ``user`` may post in the room, confirming an unconfirmed address (see the module docstring)."""
    try:
        room, member = await access.readable_room(tx.session, user, room_ref)
    except NotFound:
        return Denied(NOT_MEMBER, "You can no longer read this room, so your reply was not posted.", True, user.id, thread_id)
    confirmed_at: datetime | None = user.email_confirmed_at
    if confirmed_at is None:
        user.email_confirmed_at = utcnow()
    try:
        access.check_can_post(user, room, member)
    except DomainError as error:
        user.email_confirmed_at = confirmed_at
        reason = NOT_MEMBER if "member" in error.message else CANNOT_POST
        return Denied(reason, f"Your message was not posted: {error.message}.", True, user.id, thread_id)
    if confirmed_at is None:
        await accounts.confirm_address(tx.session, user)  # verified organisation from the now confirmed domain
        log.info("inbound mail confirmed the address of user %s", user.id)
    return None


async def authorise_reply(tx: Tx, token: str, facts: MailFacts) -> tuple[User, Thread] | Denied:
    """Who may post this reply, and where; confirms an unconfirmed owner's address (module docstring)."""
    resolved = await reply_addresses.resolve(tx.session, token)
    if resolved is None:
        row = await tx.session.get(ReplyAddressRow, reply_addresses._digest(token.strip().lower()))
        if row is None:
            return Denied(UNKNOWN_TOKEN, "The reply address is not one Convene gave out.", False)
        owner = await tx.session.get(User, row.user_id)
        return Denied(
            EXPIRED_TOKEN,
            "The reply address you wrote to has expired. Reply to a newer notification, or open the thread in the browser.",
            owner is not None and sent_by(owner.email, facts),  # told only to its owner: no backscatter to strangers
            row.user_id,
            row.thread_id,
        )
    user, thread = resolved.user, resolved.thread
    if not sent_by(user.email, facts):
        return Denied(WRONG_SENDER, "The sender is not the person this reply address belongs to.", False, user.id, thread.id)
    if user.deactivated_at is not None:
        return Denied(INACTIVE, "The account this reply address belongs to is deactivated.", False, user.id, thread.id)
    denied = await _may_post(tx, user, thread.room_id, thread.id)
    return denied or (user, thread)


async def authorise_new_thread(tx: Tx, slug: str, facts: MailFacts) -> tuple[User, Room] | Denied:
    """Who may start a thread by mailing ``slug@MAIL_DOMAIN``: a member (or steward) whose active account has the sender's address."""
    sender = (facts.sender or "").lower()
    user = await tx.session.scalar(select(User).where(User.email == sender, User.deactivated_at.is_(None)))
    if user is None or not sent_by(user.email, facts):
        return Denied(UNKNOWN_SENDER, "The sender has no active Convene account.", False)
    room = await access.find_room(tx.session, slug)
    member = await tx.session.get(RoomMember, (room.id, user.id)) if room is not None else None
    if room is None or not access.can_read(user, room, member):
        return Denied(UNKNOWN_ROOM, "There is no room at that address.", False, user.id)
    if member is None and user.role not in STEWARD_ROLES:
        return Denied(NOT_MEMBER, "Only members of a room can start threads in it by email; join it in the browser first.", True, user.id)
    denied = await _may_post(tx, user, room.id, None)
    return denied or (user, room)
