"""Requests to join: a person who can see an invite-only room's card (it is looking
for collaborators) asks to join it, with an optional message; the room's owners,
facilitators and administrators accept or decline.

* Asking tells each owner live (``join_request.received``) and by email (unless they
  chose no email at all). Asking again while pending changes nothing; after a decline
  it reopens the request. The person asking may withdraw a pending request.
* Deciding tells the person who asked, live (``join_request.decided`` to their own
  connections) and by email through the outbox, in the same transaction as the
  decision. Accepting makes them a member through the one membership path
  (``rooms.admit``, announced as ``member.joined``).

Permission is decided in ``server.domain.access``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.domain import events, rooms
from server.domain.access import (
    can_see_listing,
    check_can_ask_to_join,
    get_member,
    listed_room,
    readable_room,
    require_join_decider,
)
from server.domain.errors import Conflict, Forbidden, NotFound
from server.domain.mail_body import Action, MailBody, Quotation, para
from server.domain.outbox import queue_mail, room_list_id
from server.domain.people import Person, load_people
from server.domain.presenters import iso
from server.domain.room_owners import room_owners
from server.store.models import JoinRequest, Room, RoomMember, User, utcnow
from server.store.transaction import Tx


def _present(row: JoinRequest, room: Room, person: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "room": {"id": room.id, "slug": room.slug, "title": room.title},
        "user": person,
        "message": row.message,
        "status": row.status,
        "created_at": iso(row.created_at),
        "decided_at": iso(row.decided_at),
    }


async def ask_to_join(tx: Tx, cfg: Settings, actor: User, ref: int | str, message: str) -> dict[str, Any]:
    """Ask to join the room (``join_request.received`` to each owner, and an email)."""
    room, member = await listed_room(tx.session, actor, ref)
    check_can_ask_to_join(actor, room, member)
    message = message.strip()
    row = await tx.session.scalar(select(JoinRequest).where(JoinRequest.room_id == room.id, JoinRequest.user_id == actor.id))
    if row is None:
        row = JoinRequest(room_id=room.id, user_id=actor.id, message=message, status="pending")
        try:
            async with tx.session.begin_nested():
                tx.session.add(row)
        except IntegrityError:  # a second click raced the first: that one stands
            raise Conflict("you have already asked to join this room", "room") from None
    elif row.status == "pending":
        return _present(row, room, (await load_people(tx.session, [actor.id]))[actor.id].as_dict())
    else:
        row.status, row.message, row.created_at, row.decided_at, row.decided_by = "pending", message, utcnow(), None, None
    await tx.session.flush()
    asker = (await load_people(tx.session, [actor.id]))[actor.id]
    presented = _present(row, room, asker.as_dict())
    for owner in await room_owners(tx.session, room.id):
        tx.to_person(owner.id, events.join_request_received(presented))
        if owner.notify_mode != "never" and owner.deactivated_at is None:
            _request_mail(tx, cfg, room, owner, asker, message)
    return presented


async def withdraw_request(tx: Tx, actor: User, ref: int | str) -> None:
    """Take back one's own pending request (nothing pending: nothing changes)."""
    room, _ = await listed_room(tx.session, actor, ref)
    await tx.session.execute(
        delete(JoinRequest).where(JoinRequest.room_id == room.id, JoinRequest.user_id == actor.id, JoinRequest.status == "pending")
    )


async def pending_requests(session: AsyncSession, viewer: User, ref: int | str) -> list[dict[str, Any]]:
    """Pending requests to join, oldest first, for those who decide them."""
    room, member = await readable_room(session, viewer, ref)
    require_join_decider(viewer, member)
    members = select(RoomMember.user_id).where(RoomMember.room_id == room.id)
    rows = (
        await session.scalars(
            select(JoinRequest)
            .where(JoinRequest.room_id == room.id, JoinRequest.status == "pending", JoinRequest.user_id.not_in(members))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    ).all()
    people = await load_people(session, [r.user_id for r in rows])
    return [_present(r, room, people[r.user_id].as_dict()) for r in rows]


async def decide(tx: Tx, cfg: Settings, actor: User, request_id: int, accept: bool) -> dict[str, Any]:
    """Accept (the person becomes a member, ``member.joined``) or decline a pending
    request; the person who asked is told live and by email."""
    row = await tx.session.scalar(select(JoinRequest).where(JoinRequest.id == request_id).with_for_update())
    missing = NotFound("no such request to join", "request_id")
    if row is None:
        raise missing
    room = await tx.session.get(Room, row.room_id)
    if room is None:
        raise missing
    member = await get_member(tx.session, room.id, actor.id)
    if not can_see_listing(actor, room, member):
        raise missing
    require_join_decider(actor, member)
    if row.status != "pending":
        raise Conflict(f"this request to join was already {row.status}", "request_id")
    asker = await tx.session.get(User, row.user_id)
    if asker is None or asker.deactivated_at is not None:
        raise Conflict("the person who asked no longer has an active account", "request_id")
    if accept:
        if room.stage == "archived":
            raise Forbidden("this room is archived and takes no new members")
        if await get_member(tx.session, room.id, asker.id) is None:
            await rooms.admit(tx, room, asker, invited_by=actor.id)
    row.status = "accepted" if accept else "declined"
    row.decided_at = utcnow()
    row.decided_by = actor.id
    await tx.session.flush()
    people = await load_people(tx.session, [asker.id, actor.id])
    presented = _present(row, room, people[asker.id].as_dict())
    tx.to_person(asker.id, events.join_request_decided(presented))
    _decision_mail(tx, cfg, room, asker, people[actor.id].display_name, accept)
    return presented


def _decision_mail(tx: Tx, cfg: Settings, room: Room, asker: User, decider: str, accepted: bool) -> None:
    """The email telling the person who asked (sent whatever their notification
    setting: it answers their own request)."""
    if accepted:
        subject = f"You are now a member of {room.title} on Convene"
        blocks = (
            para(f"Hello {asker.display_name},"),
            para(f'{decider} accepted your request to join the room "{room.title}" on Convene. You are a member now.'),
            Action("Open the room", f"{cfg.public_url}/r/{room.slug}"),
        )
    else:
        subject = f"Your request to join {room.title} on Convene"
        blocks = (
            para(f"Hello {asker.display_name},"),
            para(f'The owners of the room "{room.title}" on Convene declined your request to join it.'),
            Action("Other rooms looking for collaborators", f"{cfg.public_url}/collaborate"),
        )
    queue_mail(tx, asker.email, subject, MailBody(subject, blocks), headers=room_list_id(room.title, room.slug, cfg.mail_domain))


def _request_mail(tx: Tx, cfg: Settings, room: Room, owner: User, asker: Person, message: str) -> None:
    """Tell an owner someone asks to join, so a request does not wait for their next visit."""
    who = f"{asker.display_name} ({asker.organisation})" if asker.organisation else asker.display_name
    subject = f"{asker.display_name} asks to join {room.title} on Convene"
    body = MailBody(
        subject,
        (
            para(f"Hello {owner.display_name},"),
            para(f'{who} asks to join the room "{room.title}" on Convene.'),
            *((Quotation(message),) if message else ()),
            Action("Accept or decline on the room's page", f"{cfg.public_url}/r/{room.slug}"),
        ),
    )
    queue_mail(tx, owner.email, subject, body, headers=room_list_id(room.title, room.slug, cfg.mail_domain))
