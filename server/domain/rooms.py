"""Rooms: one per concept or workstream. Creation, settings, membership, the directory.
Permission decisions live in ``server.domain.access``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.contract.events import LoseRoom, RecheckRoom
from server.domain import audit, events, invitations, markdown, pipeline
from server.domain.access import can_manage, can_read, check_can_post, readable_room, require_manager
from server.domain.errors import Conflict, Forbidden, Invalid, Unconfirmed
from server.domain.involvement import involvement_by_room
from server.domain.people import load_people, load_person
from server.domain.presenters import room_json
from server.store import fulltext
from server.store.models import Message, ReadMarker, Room, RoomMember, RoomTag, User, utcnow
from server.store.transaction import Tx
from server.vocabulary import SLUG_RE, STAGES, VISIBILITIES

# A room's slug is also its email address (slug@MAIL_DOMAIN, new threads by email), so
# slugs that name the server's own mailboxes or the role accounts mail systems expect
# are never a room's.
RESERVED_SLUGS = frozenset({"unsubscribe", "postmaster", "abuse", "mailer-daemon", "noreply", "no-reply"})
MAX_TAGS = 20
MAX_SUMMARY = 20_000


async def postable_room(tx: Tx, user: User, ref: int | str) -> Room:
    """The room (by id or slug), if ``user`` may post in it; joins an open room
    (announced as member.joined)."""
    room, member = await readable_room(tx.session, user, ref)
    if check_can_post(user, room, member):
        await _add_member(tx, room, user, "member", invited_by=None)
    return room


# ---- validation ----------------------------------------------------------------------


@dataclass
class RoomFields:
    title: str | None = None
    slug: str | None = None
    summary: str | None = None
    stage: str | None = None
    visibility: str | None = None
    tags: list[str] | None = None
    looking_for_collaborators: bool | None = None


def _clean(fields: RoomFields, max_title: int) -> RoomFields:
    if fields.title is not None:
        fields.title = fields.title.strip()
        if not fields.title:
            raise Invalid("title is required", "title")
        if len(fields.title) > max_title:
            raise Invalid(f"title must be at most {max_title} characters", "title")
    if fields.slug is not None:
        fields.slug = fields.slug.strip().lower()
        if not SLUG_RE.match(fields.slug) or len(fields.slug) > 80 or fields.slug.isdigit():
            raise Invalid("slug may use a-z, 0-9 and single hyphens (not only digits), up to 80 characters", "slug")
        if fields.slug in RESERVED_SLUGS:
            raise Invalid(f"the slug {fields.slug!r} is kept for the server's own email address; choose another", "slug")
    if fields.summary is not None and len(fields.summary) > MAX_SUMMARY:
        raise Invalid(f"summary must be at most {MAX_SUMMARY} characters", "summary")
    if fields.stage is not None and fields.stage not in STAGES:
        raise Invalid(f"stage must be one of {', '.join(STAGES)}", "stage")
    if fields.visibility is not None and fields.visibility not in VISIBILITIES:
        raise Invalid(f"visibility must be one of {', '.join(VISIBILITIES)}", "visibility")
    if fields.tags is not None:
        tags = []
        for raw in fields.tags:
            tag = " ".join(raw.strip().lower().split())
            if not tag or len(tag) > 40:
                raise Invalid("each tag must be 1 to 40 characters", "tags")
            if tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise Invalid(f"at most {MAX_TAGS} tags", "tags")
        fields.tags = tags
    return fields


def clean_fields(fields: RoomFields, max_title: int) -> RoomFields:
    """The fields checked and normalised as ``create_room`` does (raises ``Invalid``
    naming the field): for creators of many rooms at once (seeding an event)."""
    return _clean(fields, max_title)


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "room"
    return f"room-{slug}" if slug.isdigit() else slug


async def _unique_slug(session: AsyncSession, base: str) -> str:
    if base in RESERVED_SLUGS:
        base = f"{base}-room"
    taken = set((await session.scalars(select(Room.slug).where(or_(Room.slug == base, Room.slug.like(f"{base}-%"))))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---- writes --------------------------------------------------------------------------


async def _add_member(tx: Tx, room: Room, user: User, role: str, invited_by: int | None) -> RoomMember:
    member = RoomMember(room_id=room.id, user_id=user.id, role=role, invited_by=invited_by)
    tx.session.add(member)
    await tx.session.flush()
    tx.to_room(room.id, events.member_joined(room.id, (await load_person(tx.session, user.id)).as_dict(), role))
    return member


async def admit(tx: Tx, room: Room, user: User, invited_by: int | None) -> RoomMember:
    """Make ``user`` a member of ``room`` (member.joined) once the caller has decided
    they may be (an accepted request to join)."""
    return await _add_member(tx, room, user, "member", invited_by)


async def create_room(tx: Tx, actor: User, fields: RoomFields, max_title: int) -> Room:
    """Any confirmed person may open a room; they become its owner (member.joined)."""
    if actor.email_confirmed_at is None:
        raise Unconfirmed("confirm your email address before creating rooms")
    if fields.title is None:
        raise Invalid("title is required", "title")
    fields = _clean(fields, max_title)
    title = fields.title or ""
    if fields.slug:
        if await tx.session.scalar(select(Room.id).where(Room.slug == fields.slug)):
            raise Conflict("a room with this slug already exists", "slug")
        slug = fields.slug
    else:
        slug = await _unique_slug(tx.session, slugify(title))
    summary = fields.summary or ""
    room = Room(
        slug=slug,
        title=fields.title,
        summary=summary,
        summary_html=markdown.render(summary).html,
        stage=fields.stage or "discovery",
        visibility=fields.visibility or "open",
        looking_for_collaborators=bool(fields.looking_for_collaborators),
        created_by=actor.id,
        tags=[RoomTag(tag=t) for t in fields.tags or []],
    )
    tx.session.add(room)
    await tx.session.flush()
    await fulltext.reindex_rooms(tx.session, [room.id])
    await _add_member(tx, room, actor, "owner", invited_by=None)
    return room


async def update_room(tx: Tx, actor: User, ref: int | str, fields: RoomFields, max_title: int) -> Room:
    """Change a room's settings (room.updated). Narrowing it to invite-only re-checks
    every live subscriber on every process."""
    fields = _clean(fields, max_title)
    room, member = await readable_room(tx.session, actor, ref)
    require_manager(actor, member, "change it")
    narrowed = fields.visibility == "invite" and room.visibility != "invite"
    # Stage changes are audited where every stage move goes: ``pipeline.record_move``.
    if fields.visibility is not None and fields.visibility != room.visibility:
        change = f"visibility: {room.visibility} -> {fields.visibility}"
        audit.record(tx, "room-visibility-changed", actor=actor, room_id=room.id, detail=change)
    if fields.slug and fields.slug != room.slug:
        if await tx.session.scalar(select(Room.id).where(Room.slug == fields.slug)):
            raise Conflict("a room with this slug already exists", "slug")
        room.slug = fields.slug
    if fields.stage is not None and fields.stage != room.stage:
        # The one path for stage changes (history, stage.moved); a move to incubation
        # needs the criteria, which only the move endpoint takes.
        if fields.stage == pipeline.INCUBATION:
            raise Invalid(
                "moving a room to incubation records the programme's three criteria: use POST /api/v1/rooms/{room}/stage", "stage"
            )
        await pipeline.record_move(tx, actor, room, member, fields.stage, None, None)
    for name in ("title", "visibility", "looking_for_collaborators"):
        value = getattr(fields, name)
        if value is not None:
            setattr(room, name, value)
    if fields.summary is not None:
        room.summary = fields.summary
        room.summary_html = markdown.render(fields.summary).html
    if fields.tags is not None:
        await tx.session.execute(delete(RoomTag).where(RoomTag.room_id == room.id))
        tx.session.add_all([RoomTag(room_id=room.id, tag=t) for t in fields.tags])
    room.last_activity_at = utcnow()
    await tx.session.flush()
    await fulltext.reindex_rooms(tx.session, [room.id])
    tags, count = await tags_and_counts(tx.session, [room.id])
    tx.to_room(room.id, events.room_updated(room_json(room, tags[room.id], count[room.id])))
    if narrowed:
        tx.directive(RecheckRoom(room.id))
    return room


async def join_room(tx: Tx, actor: User, ref: int | str) -> Room:
    room, member = await readable_room(tx.session, actor, ref)
    if member is not None:
        return room
    if room.visibility != "open":
        raise Forbidden("this room is invite-only; ask an owner or a facilitator to invite you")
    await _add_member(tx, room, actor, "member", invited_by=None)
    return room


async def leave_room(tx: Tx, actor: User, ref: int | str) -> Room:
    """Leave a room (member.left); leaving an invite-only room also ends the person's
    live subscriptions to it on every process (room.access_lost)."""
    room, member = await readable_room(tx.session, actor, ref)
    if member is None:
        return room
    await tx.session.delete(member)
    person = await load_person(tx.session, actor.id)
    tx.to_room(room.id, events.member_left(room.id, person.as_dict()))
    if not can_read(actor, room, None):
        tx.directive(LoseRoom(actor.id, room.id))
    return room


async def invite_member(tx: Tx, cfg: Settings, actor: User, ref: int | str, *, user_id: int | None, email: str | None) -> RoomMember | None:
    """Invite one person by account id or by address, with or without an account
    (owners, facilitators, administrators): see ``server.domain.invitations``, which
    also takes whole lists. Returns their membership (None for an account whose
    address is unconfirmed: it joins by the emailed link)."""
    [outcome] = await invitations.invite(tx, cfg, actor, ref, user_id=user_id, email=None if user_id is not None else email)
    return outcome.member


# ---- reads ---------------------------------------------------------------------------


async def tags_and_counts(session: AsyncSession, room_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, int]]:
    tags: dict[int, list[str]] = {i: [] for i in room_ids}
    counts: dict[int, int] = {i: 0 for i in room_ids}
    if not room_ids:
        return tags, counts
    for room_id, tag in (
        await session.execute(select(RoomTag.room_id, RoomTag.tag).where(RoomTag.room_id.in_(room_ids)).order_by(RoomTag.tag))
    ).tuples():
        tags[room_id].append(tag)
    for room_id, count in (
        await session.execute(select(RoomMember.room_id, func.count()).where(RoomMember.room_id.in_(room_ids)).group_by(RoomMember.room_id))
    ).tuples():
        counts[room_id] = count
    return tags, counts


async def unread_by_room(session: AsyncSession, user_id: int, room_ids: list[int]) -> dict[int, int]:
    if not room_ids:
        return {}
    marker = and_(ReadMarker.thread_id == Message.thread_id, ReadMarker.user_id == user_id)
    rows = await session.execute(
        select(Message.room_id, func.count())
        .join(RoomMember, and_(RoomMember.room_id == Message.room_id, RoomMember.user_id == user_id))
        .outerjoin(ReadMarker, marker)
        .where(
            Message.room_id.in_(room_ids),
            Message.seq > func.coalesce(ReadMarker.last_read_seq, 0),
            Message.author_id != user_id,
            Message.deleted_at.is_(None),
        )
        .group_by(Message.room_id)
    )
    return dict(rows.tuples().all())


async def room_view(session: AsyncSession, viewer: User, ref: int | str) -> dict[str, Any]:
    room, member = await readable_room(session, viewer, ref)
    tags, counts = await tags_and_counts(session, [room.id])
    unread = await unread_by_room(session, viewer.id, [room.id])
    criteria = await pipeline.incubation_criteria(session, [room.id])
    return room_json(room, tags[room.id], counts[room.id]) | {
        "membership": member.role if member else None,
        "unread_count": unread.get(room.id, 0),
        "can_manage": can_manage(viewer, member),
        "involvement": (await involvement_by_room(session, [room.id]))[room.id],
        "incubation_criteria": criteria.get(room.id),
    }


async def list_members(session: AsyncSession, viewer: User, ref: int | str) -> list[dict[str, Any]]:
    room, _ = await readable_room(session, viewer, ref)
    rows = (await session.scalars(select(RoomMember).where(RoomMember.room_id == room.id).order_by(RoomMember.joined_at))).all()
    people = await load_people(session, [m.user_id for m in rows])
    return [
        {"user": people[m.user_id].as_dict(), "role": m.role, "joined_at": m.joined_at.isoformat().replace("+00:00", "Z")} for m in rows
    ]


async def member_names(session: AsyncSession, room_id: int) -> dict[str, int]:
    """Casefolded display names of the room's members, for @mentions."""
    rows = await session.execute(
        select(User.display_name, User.id).join(RoomMember, RoomMember.user_id == User.id).where(RoomMember.room_id == room_id)
    )
    return {name.casefold(): user_id for name, user_id in rows.tuples()}
