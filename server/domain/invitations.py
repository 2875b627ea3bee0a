"""Invitations: a room's owners, facilitators and administrators invite people by
email address, whether or not they have an account yet.

* An address with no account becomes an *invited person*: a ``users`` row with no
  password, a display name from the address (or the name given with it), the
  organisation of the address's domain when one is on record (else none declared),
  and the address not yet confirmed. They get one invitation email with a
  single-use link that expires after ``INVITATION_DAYS``; the web page behind it asks
  for a button press (mail scanners fetch links) and then redeems it (``redeem``).
* An existing account is added at once and told by one email with a link to the room.
  An account whose address was never confirmed is invited like a newcomer instead
  (link, cooling-off), and becomes a member only by following the link: someone who
  signed up with another person's address must not be let into rooms meant for them.
* Re-inviting never duplicates people, memberships or invitation rows. Within
  ``INVITATION_COOLING_OFF_HOURS`` of the last email nothing is sent again
  (``cooling_off``); after it, a resend issues a fresh token, so the older link stops
  working, and restarts the expiry.

Decision: membership is created when the invitation is created, not when the link is
followed. People invited but never signed in must be able to take part by email
alone: notifications go to members, and an emailed reply is checked against
membership like any post. So the invited person is a member (``member.joined`` is
announced) as soon as they are invited; ``invitations.accepted_at`` records their
first sign-in through the link. Redeeming the link proves the address, so it also
confirms it (posting needs a confirmed address, ``access.check_can_post``).

Only the SHA-256 of a link's token is stored. The inviter's permission is decided by
``access.require_manager``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.domain import audit, events, markdown
from server.domain.access import get_member, readable_room, require_manager
from server.domain.accounts import hash_token, normalise_email, start_session, text_field
from server.domain.errors import DomainError, Invalid, NotFound
from server.domain.mail_body import Action, Block, Link, MailBody, Rich, para
from server.domain.outbox import mail_row, queue_mail, room_list_id
from server.domain.people import Person, load_people, load_person
from server.store.models import Invitation, Organisation, OrganisationDomain, OutboundMail, Room, RoomMember, User, utcnow
from server.store.transaction import Tx
from server.store.upsert import table_of
from server.vocabulary import STEWARD_ROLES, RoomRole

SUMMARY_IN_MAIL = 1500
MAX_INVITATIONS_PER_HOUR = 200
NAME_MAX = 100


@dataclass
class Outcome:
    """What happened for one address (``outcome`` is one of
    ``server.contract.invitations.OUTCOMES``)."""

    email: str | None
    outcome: str
    user_id: int | None = None
    display_name: str | None = None
    error: DomainError | None = None
    member: RoomMember | None = None


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str | None


def parse_invitee(raw: str, field: str) -> Invitee:
    """``ada@camden.gov.uk`` or ``Ada Lovelace <ada@camden.gov.uk>``; raises ``Invalid``
    naming the text when it holds no usable address."""
    text = raw.strip()
    name, address = parseaddr(text) if "<" in text else ("", text)
    try:
        email = normalise_email(address, field)
    except Invalid:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise Invalid(f"{shown or 'an empty entry'} is not an email address; write it like name@council.gov.uk", field) from None
    return Invitee(email, " ".join(name.split())[:NAME_MAX] or None)


def name_from_address(email: str) -> str:
    """A display name until the person sets their own: ``ada.lovelace+x@`` -> ``Ada Lovelace``."""
    local = email.partition("@")[0].partition("+")[0]
    words = [w for w in re.split(r"[._\-]+", local) if w]
    name = " ".join(w[:1].upper() + w[1:] for w in words) or local or email
    return name[:NAME_MAX]


def _unproven(user: User) -> bool:
    """Nobody has shown they read this address yet: an invited person who has not
    followed a link, or an account whose address was never confirmed."""
    return user.email_confirmed_at is None


async def _organisation_of_domain(tx: Tx, email: str) -> Organisation | None:
    return await _domain_organisation(tx.session, email)


async def _domain_organisation(session: AsyncSession, email: str) -> Organisation | None:
    domain = email.rpartition("@")[2]
    found: Organisation | None = await session.scalar(
        select(Organisation)
        .join(OrganisationDomain, OrganisationDomain.organisation_id == Organisation.id)
        .where(OrganisationDomain.domain == domain)
    )
    return found


async def _invited_person(tx: Tx, invitee: Invitee) -> User:
    """The account for ``invitee.email``, creating an invited person when there is none
    (a concurrent invitation of the same address wins the race harmlessly)."""
    organisation = await _organisation_of_domain(tx, invitee.email)
    user = User(
        email=invitee.email,
        display_name=invitee.name or name_from_address(invitee.email),
        declared_organisation=organisation.name if organisation else "",
        password_hash=None,
    )
    try:
        async with tx.session.begin_nested():
            tx.session.add(user)
    except IntegrityError:
        existing = await tx.session.scalar(select(User).where(User.email == invitee.email))
        if existing is None:
            raise
        return existing
    return user


@dataclass
class Inviter:
    user: User
    person: Person
    mails_left: int | None  # invitation emails allowed before the hourly limit; None: no limit


async def _mails_left(tx: Tx, actor: User) -> int | None:
    """Room owners may send ``MAX_INVITATIONS_PER_HOUR`` invitation emails an hour, so
    a new account cannot turn Convene into a mail cannon by opening rooms; facilitators
    and administrators (who invite whole workshops) are not limited."""
    if actor.role in STEWARD_ROLES:
        return None
    since = utcnow() - timedelta(hours=1)
    sent = await tx.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.invited_by == actor.id, Invitation.last_sent_at > since)
    )
    return max(0, MAX_INVITATIONS_PER_HOUR - int(sent or 0))


def _over_limit(shown: str | None, user_id: int | None, name: str | None) -> Outcome:
    why = f"you have sent {MAX_INVITATIONS_PER_HOUR} invitations in the last hour; invite {shown or 'them'} again later"
    return Outcome(shown, "error", user_id, name, error=Invalid(why, "email"))


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _inviter_line(inviter: Person) -> str:
    return f"{inviter.display_name} ({inviter.organisation})" if inviter.organisation else inviter.display_name


def _queue(tx: Tx, cfg: Settings, room: Room, inviter: Person, to_addr: str, subject: str, blocks: tuple[Block, ...]) -> None:
    """Into the outbox with this transaction, sent as "Name (Organisation) via Convene"
    from the usual address (the inviter's own address is not shown to others)."""
    headers = room_list_id(room.title, room.slug, cfg.mail_domain)
    queue_mail(tx, to_addr, subject, MailBody(subject, blocks), from_name=f"{_inviter_line(inviter)} via Convene", headers=headers)


def _summary(room: Room) -> str:
    """The room's summary as stored HTML, cut to ``SUMMARY_IN_MAIL`` characters of source
    (the cut source is rendered again, so no tag is left open)."""
    summary = room.summary.strip()
    if len(summary) <= SUMMARY_IN_MAIL:
        return room.summary_html if summary else ""
    return markdown.render(summary[: SUMMARY_IN_MAIL - 1].rstrip() + "…").html


def _invitation_mail(tx: Tx, cfg: Settings, room: Room, inviter: Person, user: User, token: str) -> None:
    summary = _summary(room)
    about: tuple[Block, ...] = (para("About the room:"), Rich(summary)) if summary else ()
    blocks = (
        para(f"Hello {user.display_name},"),
        para(
            f'{_inviter_line(inviter)} has invited you to the room "{room.title}" on Convene, '
            "where councils, government teams and suppliers keep talking between workshops."
        ),
        *about,
        para("Open this link to join the room; it signs you in, no password needed."),
        Action("Join the room", f"{cfg.public_url}/invitation?token={token}"),
        para(
            f"The link works once and expires in {cfg.invitation_days} days. After that, sign in with an emailed link from ",
            Link(f"{cfg.public_url}/signin", f"{cfg.public_url}/signin"),
            " using this address.",
        ),
        para("If you were not expecting this invitation, you can ignore this message."),
    )
    _queue(tx, cfg, room, inviter, user.email, f"{inviter.display_name} invited you to {room.title} on Convene", blocks)


def _added_mail(tx: Tx, cfg: Settings, room: Room, inviter: Person, user: User) -> None:
    blocks = (
        para(f"Hello {user.display_name},"),
        para(f'{_inviter_line(inviter)} has added you to the room "{room.title}" on Convene.'),
        Action("Open the room", f"{cfg.public_url}/r/{room.slug}"),
    )
    _queue(tx, cfg, room, inviter, user.email, f"{inviter.display_name} added you to {room.title} on Convene", blocks)


async def _ensure_member(tx: Tx, room: Room, user: User, invited_by: int | None) -> tuple[RoomMember, bool]:
    """The membership, adding it (announced as member.joined) when missing."""
    member = await get_member(tx.session, room.id, user.id)
    if member is not None:
        return member, False
    member = RoomMember(room_id=room.id, user_id=user.id, role="member", invited_by=invited_by)
    tx.session.add(member)
    await tx.session.flush()
    tx.to_room(room.id, events.member_joined(room.id, (await load_person(tx.session, user.id)).as_dict(), "member"))
    return member, True


async def _invite_account(tx: Tx, cfg: Settings, room: Room, by: Inviter, user: User, shown: str | None) -> Outcome:
    """Invite one account (an invited person or a full one) to ``room``."""
    if user.deactivated_at is not None:
        return Outcome(shown, "error", error=Invalid(f"{shown or 'this person'} has a deactivated account", "email"))
    done = Outcome(shown, "", user.id, user.display_name)
    if not _unproven(user):
        done.member, added = await _ensure_member(tx, room, user, by.user.id)
        done.outcome = "added" if added else "already_member"
        if added:
            _added_mail(tx, cfg, room, by.person, user)
        return done
    if user.password_hash is not None and (existing := await get_member(tx.session, room.id, user.id)) is not None:
        done.member, done.outcome = existing, "already_member"
        return done
    now = utcnow()
    invitation = await tx.session.scalar(select(Invitation).where(Invitation.room_id == room.id, Invitation.user_id == user.id))
    cooling = invitation is not None and invitation.last_sent_at > now - timedelta(hours=cfg.invitation_cooling_off_hours)
    if not cooling and by.mails_left is not None:
        if by.mails_left <= 0:
            return _over_limit(shown, user.id, user.display_name)
        by.mails_left -= 1
    if user.password_hash is None:
        # Only the link (or a reply from the address) can sign this person in: membership
        # now lets notifications reach them. An unconfirmed account with a password could
        # belong to anyone who typed the address, so it becomes a member only by the link.
        done.member, _ = await _ensure_member(tx, room, user, by.user.id)
    if cooling:
        done.outcome = "cooling_off"
        return done
    token = _new_token()
    expires = now + timedelta(days=cfg.invitation_days)
    if invitation is None:
        tx.session.add(
            Invitation(
                room_id=room.id,
                user_id=user.id,
                invited_by=by.user.id,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=expires,
                last_sent_at=now,
            )
        )
        done.outcome = "invited"
    else:
        invitation.token_hash = hash_token(token)  # the older link stops working
        invitation.expires_at = expires
        invitation.last_sent_at = now
        invitation.invited_by = by.user.id
        done.outcome = "resent"
    await tx.session.flush()
    _invitation_mail(tx, cfg, room, by.person, user, token)
    return done


async def _invite_address(tx: Tx, cfg: Settings, room: Room, by: Inviter, invitee: Invitee) -> Outcome:
    user = await tx.session.scalar(select(User).where(User.email == invitee.email))
    if user is None:
        if by.mails_left == 0:
            return _over_limit(invitee.email, None, None)
        user = await _invited_person(tx, invitee)
    return await _invite_account(tx, cfg, room, by, user, invitee.email)


async def invite(
    tx: Tx,
    cfg: Settings,
    actor: User,
    ref: int | str,
    *,
    emails: list[str] | None = None,
    email: str | None = None,
    name: str | None = None,
    user_id: int | None = None,
) -> list[Outcome]:
    """Invite people to a room (its owners, facilitators and administrators): every
    address in ``emails``, or one ``email`` (``name`` naming a new person), or one
    account by ``user_id``. Returns one ``Outcome`` per address in the order given
    (repeats of an address are reported once). Queues member.joined for each new
    membership and the invitation or "you were added" emails in this transaction.

    With ``emails``, a bad address is reported in its outcome and the others still go
    ahead; a single ``email`` or ``user_id`` that cannot be invited raises instead."""
    room, membership = await readable_room(tx.session, actor, ref)
    require_manager(actor, membership, "invite")
    outcomes = await _invite(tx, cfg, actor, room, emails=emails, email=email, name=name, user_id=user_id)
    for outcome in outcomes:
        if outcome.outcome in ("added", "invited", "resent"):
            audit.record(tx, "invited", actor=actor, user_id=outcome.user_id, room_id=room.id, detail=outcome.outcome)
    return outcomes


async def _invite(
    tx: Tx, cfg: Settings, actor: User, room: Room, *, emails: list[str] | None, email: str | None, name: str | None, user_id: int | None
) -> list[Outcome]:
    by = Inviter(actor, await load_person(tx.session, actor.id), await _mails_left(tx, actor))
    if user_id is not None:
        target = await tx.session.get(User, user_id)
        if target is None or target.deactivated_at is not None:
            raise NotFound("no active account with that id", "user_id")
        return [_checked(await _invite_account(tx, cfg, room, by, target, None))]
    if emails is None:
        if email is None:
            raise Invalid("give the email addresses to invite (emails), or one email or user_id", "emails")
        invitee = parse_invitee(email, "email")
        if name and name.strip():
            invitee = Invitee(invitee.email, " ".join(name.split())[:NAME_MAX])
        return [_checked(await _invite_address(tx, cfg, room, by, invitee))]
    if not emails:
        raise Invalid("give at least one email address", "emails")
    parsed: list[Invitee | Outcome] = []
    for raw in emails:
        try:
            parsed.append(parse_invitee(raw, "emails"))
        except Invalid as error:
            parsed.append(Outcome(raw, "error", error=error))
    unique: dict[str, Invitee] = {}
    for item in parsed:
        if isinstance(item, Invitee):
            unique.setdefault(item.email, item)
    # One order for every request, so two concurrent invitations lock rows alike.
    done = {address: await _invite_address(tx, cfg, room, by, unique[address]) for address in sorted(unique)}
    results: list[Outcome] = []
    for item in parsed:
        if isinstance(item, Outcome):
            results.append(item)
        elif item.email in done:
            results.append(done.pop(item.email))
    return results


def _checked(outcome: Outcome) -> Outcome:
    if outcome.error is not None:
        raise outcome.error
    return outcome


@dataclass(frozen=True)
class Redeemed:
    user_id: int
    room_id: int
    session_token: str


async def _live_invitation(session: AsyncSession, token: str) -> tuple[Invitation, User, Room]:
    """The invitation behind a link that can still be used; ``Invalid`` (field
    ``token``) for used, replaced, expired or unknown links."""
    row = await session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token.strip())))
    if row is None:
        raise Invalid("this invitation link is not valid (a newer invitation may have replaced it); ask for a new one", "token")
    if row.accepted_at is not None:
        raise Invalid("this invitation link has already been used; sign in instead, with your password or an emailed link", "token")
    if row.expires_at <= utcnow():
        raise Invalid("this invitation link has expired; ask the person who invited you to send it again", "token")
    user = await session.get(User, row.user_id)
    room = await session.get(Room, row.room_id)
    if user is None or user.deactivated_at is not None or room is None:
        raise Invalid("this account is no longer active", "token")
    return row, user, room


async def invitation_preview(session: AsyncSession, token: str) -> dict[str, Any]:
    """What the link leads to (``InvitationPreview``), read only: the link stays
    usable. Whoever holds the link may read this, as they may redeem it."""
    row, user, room = await _live_invitation(session, token)
    inviter = (await load_people(session, [row.invited_by]))[row.invited_by].as_dict() if row.invited_by is not None else None
    verified = await _domain_organisation(session, user.email)
    return {
        "room": {"id": room.id, "slug": room.slug, "title": room.title, "summary_html": room.summary_html},
        "invited_by": inviter,
        "email": user.email,
        "organisation_needed": verified is None and user.organisation_id is None and not user.declared_organisation.strip(),
    }


async def redeem(tx: Tx, cfg: Settings, token: str, organisation: str | None = None) -> Redeemed:
    """Follow an invitation link: signs the person in (returns a new session token),
    confirms their address (the link proves it), marks the invitation accepted and
    makes sure they are a member (member.joined if they were not). ``organisation``
    (asked on the landing page) becomes their declared organisation when they have
    none. The link then no longer works; used, replaced, expired or unknown links
    raise ``Invalid``."""
    row, user, room = await _live_invitation(tx.session, token)
    now = utcnow()
    row.accepted_at = now
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    verified = await _organisation_of_domain(tx, user.email)
    user.organisation_id = verified.id if verified else None
    if organisation and organisation.strip() and verified is None and not user.declared_organisation.strip():
        user.declared_organisation = text_field(organisation, "organisation", 200)
    await _ensure_member(tx, room, user, row.invited_by)
    return Redeemed(user.id, room.id, await start_session(tx, cfg, user, how="invitation link"))


# ---- many rooms at once (seeding an event) --------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A room someone is to be in, and their role there."""

    room: Room
    role: RoomRole


@dataclass
class Placed:
    """What ``invite_to_rooms`` did for one person. ``rooms`` maps each room id to
    ``invited`` (new membership or invitation, link mailed), ``added`` (an account with a
    confirmed address, told by the notice), ``made_owner`` (a member who is now an
    owner), ``already_member``, ``already_invited`` (a link was sent before: not sent
    again) or ``deactivated``. ``mail`` is the one email queued: ``invitation``,
    ``notice`` or None."""

    email: str
    user_id: int | None
    new_person: bool = False
    rooms: dict[int, str] = field(default_factory=dict)
    mail: str | None = None


Members = dict[tuple[int, int], RoomMember]  # (room id, user id) -> membership


def _seat(tx: Tx, seat: Seat, user: User, invited_by: int, members: Members, people: dict[int, Person]) -> str | None:
    """Make ``user`` a member of the seat's room in its role; the outcome when that
    changed something, None when they already were."""
    member = members.get((seat.room.id, user.id))
    if member is None:
        # Kept out of the session: ``invite_to_rooms`` inserts the new ones in one statement.
        member = RoomMember(room_id=seat.room.id, user_id=user.id, role=seat.role, invited_by=invited_by, joined_at=utcnow())
        members[(seat.room.id, user.id)] = member
        tx.to_room(seat.room.id, events.member_joined(seat.room.id, people[user.id].as_dict(), seat.role))
        return "added"
    if seat.role == "owner" and member.role != "owner":
        member.role = "owner"
        return "made_owner"
    return None


CHUNK = 500  # values in one IN (...)


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


async def _users_by_email(tx: Tx, invitees: list[Invitee]) -> tuple[dict[str, User], set[str]]:
    """The accounts of these addresses, creating invited people for the others in one
    flush (with the organisation of their domain when one is on record); and the
    addresses that had no account before."""
    addresses = sorted({i.email for i in invitees})
    users: dict[str, User] = {}
    for chunk in _chunks(addresses):
        users.update((u.email, u) for u in await tx.session.scalars(select(User).where(User.email.in_(chunk))))
    missing = [i for i in invitees if i.email not in users]
    domains = sorted({i.email.rpartition("@")[2] for i in missing})
    organisations: dict[str, str] = {}
    for chunk in _chunks(domains):
        rows = await tx.session.execute(
            select(OrganisationDomain.domain, Organisation.name)
            .join(Organisation, OrganisationDomain.organisation_id == Organisation.id)
            .where(OrganisationDomain.domain.in_(chunk))
        )
        organisations.update(rows.tuples().all())
    new_rows: dict[str, dict[str, Any]] = {}
    for invitee in missing:
        new_rows.setdefault(
            invitee.email,
            {
                "email": invitee.email,
                "display_name": invitee.name or name_from_address(invitee.email),
                "declared_organisation": organisations.get(invitee.email.rpartition("@")[2], ""),
                "password_hash": None,
            },
        )
    if new_rows:  # one executemany, then read back like the others (the unit of work is slow for thousands)
        await tx.session.execute(insert(table_of(User)), list(new_rows.values()))
        for chunk in _chunks(sorted(new_rows)):
            users.update((u.email, u) for u in await tx.session.scalars(select(User).where(User.email.in_(chunk))))
    return users, set(new_rows)


def _rooms_mail(cfg: Settings, inviter: Person, user: User, occasion: str, links: list[tuple[Room, str]], invited: bool) -> dict[str, Any]:
    """One email for all of a person's rooms from one occasion: each room with its own
    single-use link (``invited``) or the link to open it."""
    count = f"{len(links)} rooms" if len(links) > 1 else f'the room "{links[0][0].title}"'
    blocks: tuple[Block, ...]
    if invited:
        subject = f"{inviter.display_name} invited you to {count} from {occasion} on Convene"
        blocks = (
            para(f"Hello {user.display_name},"),
            para(
                f"{_inviter_line(inviter)} has invited you to {count} from {occasion} on Convene, "
                "where councils, government teams and suppliers keep talking between workshops."
            ),
            para("Open a room's link to join it; it signs you in, no password needed."),
            *(Action(f"Join {room.title}", link) for room, link in links),
            para(
                f"Each link works once and expires in {cfg.invitation_days} days. After that, sign in with an emailed link from ",
                Link(f"{cfg.public_url}/signin", f"{cfg.public_url}/signin"),
                " using this address.",
            ),
            para("If you were not expecting this invitation, you can ignore this message."),
        )
    else:
        subject = f"{inviter.display_name} added you to {count} from {occasion} on Convene"
        blocks = (
            para(f"Hello {user.display_name},"),
            para(f"{_inviter_line(inviter)} has added you to {count} from {occasion} on Convene."),
            *(Action(f"Open {room.title}", link) for room, link in links),
        )
    # One room: that room's List-Id; several: none (a mail belongs to one list at most).
    headers = room_list_id(links[0][0].title, links[0][0].slug, cfg.mail_domain) if len(links) == 1 else None
    # A row for the outbox, sent as ``_queue`` sends (the caller inserts them together).
    return mail_row(user.email, subject, MailBody(subject, blocks), from_name=f"{_inviter_line(inviter)} via Convene", headers=headers)


async def invite_to_rooms(tx: Tx, cfg: Settings, actor: User, wanted: list[tuple[Invitee, list[Seat]]], occasion: str) -> list[Placed]:
    """Put people in several rooms each (a seeded event's rooms) and tell each of them
    in ONE email: an invitation listing every room with its own single-use link, or,
    for an account with a confirmed address, one notice listing the rooms they were
    added to. The same rules as ``invite`` otherwise (invited people are members at
    once; an unconfirmed account with a password joins only through a link), except
    that a room whose link was sent before is not mailed again (a re-run sends nothing)
    and the actor is never mailed. Reads and writes in a few statements per 500 people
    or rooms, so a workshop of thousands takes seconds. The caller decides the actor
    may manage the rooms (``access.require_manager``)."""
    invitees = [invitee for invitee, _ in wanted]
    users, new_people = await _users_by_email(tx, invitees)
    room_ids = sorted({seat.room.id for _, seats in wanted for seat in seats})
    members: Members = {}
    invited: set[tuple[int, int]] = set()
    for chunk in _chunks(room_ids):
        found = await tx.session.scalars(select(RoomMember).where(RoomMember.room_id.in_(chunk)))
        members.update(((m.room_id, m.user_id), m) for m in found)
        rows = await tx.session.execute(select(Invitation.room_id, Invitation.user_id).where(Invitation.room_id.in_(chunk)))
        invited.update(rows.tuples().all())
    people: dict[int, Person] = {}
    for chunk in _chunks(sorted({u.id for u in users.values()} | {actor.id})):
        people.update(await load_people(tx.session, chunk))
    now = utcnow()
    results: list[Placed] = []
    new_invitations: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    already = set(members)
    for invitee, seats in wanted:
        user = users[invitee.email]
        done = Placed(invitee.email, user.id, new_person=invitee.email in new_people)
        results.append(done)
        if user.deactivated_at is not None:
            done.rooms = {seat.room.id: "deactivated" for seat in seats}
            continue
        links: list[tuple[Room, str]] = []
        for seat in seats:
            if user.id == actor.id or not _unproven(user):
                changed = _seat(tx, seat, user, actor.id, members, people)
                done.rooms[seat.room.id] = changed or "already_member"
                if changed == "added" and user.id != actor.id:
                    links.append((seat.room, f"{cfg.public_url}/r/{seat.room.slug}"))
                continue
            # An unconfirmed account with a password could belong to anyone who typed the
            # address: it joins only through the link. Invited people are members at once.
            changed = _seat(tx, seat, user, actor.id, members, people) if user.password_hash is None else None
            if (seat.room.id, user.id) in invited:
                done.rooms[seat.room.id] = changed if changed == "made_owner" else "already_invited"
                continue
            token = _new_token()
            new_invitations.append(
                {
                    "room_id": seat.room.id,
                    "user_id": user.id,
                    "invited_by": actor.id,
                    "token_hash": hash_token(token),
                    "created_at": now,
                    "expires_at": now + timedelta(days=cfg.invitation_days),
                    "last_sent_at": now,
                }
            )
            invited.add((seat.room.id, user.id))
            done.rooms[seat.room.id] = "invited"
            links.append((seat.room, f"{cfg.public_url}/invitation?token={token}"))
        if links:
            mails.append(_rooms_mail(cfg, people[actor.id], user, occasion, links, _unproven(user)))
            done.mail = "invitation" if _unproven(user) else "notice"
    # What is new goes in one executemany a table; a changed role is flushed by the session.
    added = [m for key, m in members.items() if key not in already]
    columns = ("room_id", "user_id", "role", "invited_by", "joined_at")
    new_rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (RoomMember, [{c: getattr(m, c) for c in columns} for m in added]),
        (Invitation, new_invitations),
        (OutboundMail, mails),
    ]
    for model, values in new_rows:
        if values:
            await tx.session.execute(insert(table_of(model)), values)
    if mails:
        tx.mail_queued()
    await tx.session.flush()
    return results
