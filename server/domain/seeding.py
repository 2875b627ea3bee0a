"""Applying a seed plan: an event's rooms, opening threads, people and invitations,
in the caller's ONE transaction (a refused file, or any error, writes nothing).

Safe to repeat. The event is found by its name, a room by the event and its concept
key (the title, case and spacing aside), an opening thread by its title within the
room (any thread of that title, however it was opened, is not opened again). An
existing room's settings are left as they are: people may have moved its stage or
rewritten its summary since the event; only what is new (a room, a question, a
person) is added. Rooms of the event no longer in the file are listed, never deleted.

People: each address gets ONE email for the whole event (``invitations.invite_to_rooms``):
an invitation listing every room with its own single-use link, or a notice for an
account with a confirmed address. The room's facilitator is its owner (blank: the
person seeding, who opens every new room and is owner of it anyway). The person
seeding is never mailed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from server.config import Settings
from server.domain import events
from server.domain.errors import Forbidden, Invalid
from server.domain.invitations import Invitee, Seat, invite_to_rooms
from server.domain.people import Person, load_person
from server.domain.posting import start_thread
from server.domain.presenters import thread_json
from server.domain.rooms import RoomFields, create_room, postable_room
from server.domain.seed_files import Room as PlannedRoom
from server.domain.seed_files import SeedPlan
from server.domain.seed_files.fields import key_of
from server.domain.threads import clean_title
from server.store import fulltext
from server.store.models import Room, SeedEvent, Thread, ThreadFollow, User
from server.store.transaction import Tx
from server.store.upsert import insert_ignore
from server.vocabulary import STEWARD_ROLES, RoomRole

Progress = Callable[[int], None]  # told how many more steps are done: one per room, then one per person


@dataclass
class RoomReport:
    """One concept of the file: its room (new or found), opening threads opened now and
    those already there, and each address's outcome (see ``invitations.Placed``)."""

    title: str
    slug: str
    created: bool
    owner: str
    threads_created: list[str] = field(default_factory=list)
    threads_existing: list[str] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)


@dataclass
class SeedReport:
    event: str
    event_created: bool
    rooms: list[RoomReport] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)  # titles of the event's rooms the file no longer has
    mails: dict[str, str] = field(default_factory=dict)  # address -> "invitation" or "notice"

    @property
    def changed(self) -> bool:
        changes = ("invited", "added", "made_owner")
        rooms = any(r.created or r.threads_created or any(o in changes for o in r.people.values()) for r in self.rooms)
        return self.event_created or bool(self.mails) or rooms


def steps(plan: SeedPlan) -> int:
    """How many steps ``apply_seed`` reports to ``progress``: the total of a progress bar."""
    people = {p.email for room in plan.rooms for p in (*room.participants, *([room.facilitator] if room.facilitator else []))}
    return len(plan.rooms) + len(people)


def require_seeder(actor: User) -> None:
    """Only facilitators and administrators seed events."""
    if actor.deactivated_at is not None or actor.role not in STEWARD_ROLES:
        raise Forbidden("only facilitators and administrators can seed rooms from an event's file")


async def _event(tx: Tx, actor: User, plan: SeedPlan) -> tuple[SeedEvent, bool]:
    name = " ".join(plan.event.name.split())
    if not name or len(name) > 200:
        raise Invalid("the event needs a name of 1 to 200 characters (give one with --event)", "event")
    found = await tx.session.scalar(select(SeedEvent).where(SeedEvent.name == name))
    if found is not None:
        return found, False
    event = SeedEvent(name=name, date=plan.event.date, place=plan.event.place, created_by=actor.id)
    tx.session.add(event)
    await tx.session.flush()
    return event, True


async def _room(tx: Tx, actor: User, event: SeedEvent, planned: PlannedRoom, known: dict[str, Room], max_title: int) -> tuple[Room, bool]:
    key = key_of(planned.title)
    if key in known:
        return known[key], False
    fields = RoomFields(
        title=planned.title, summary=planned.summary, stage=planned.stage, visibility=planned.visibility, tags=list(planned.tags)
    )
    room = await create_room(tx, actor, fields, max_title)
    room.seed_event_id = event.id
    room.concept_key = key
    room.lead_organisation = planned.lead_organisation
    known[key] = room
    return room, True


async def _open(tx: Tx, actor: User, person: Person, room: Room, titles: list[str], max_title: int) -> None:
    """Open several threads in one room as ``threads.start_thread`` opens one (numbered
    in one reservation, followed by the actor, thread.created recorded), in a few
    statements."""
    await postable_room(tx, actor, room.id)  # may the actor post there (joins an open room otherwise)
    first = await tx.reserve_seqs(room.id, len(titles))
    opened = [Thread(room_id=room.id, title=clean_title(t, max_title), created_by=actor.id, seq=first + n) for n, t in enumerate(titles)]
    tx.session.add_all(opened)
    await tx.session.flush()
    await fulltext.reindex_threads(tx.session, [t.id for t in opened])
    await insert_ignore(tx.session, ThreadFollow, [{"thread_id": t.id, "user_id": actor.id} for t in opened])
    await tx.record([events.thread_created(thread_json(t, person)) for t in opened])


async def _threads(
    tx: Tx, actor: User, person: Person, room: Room, created: bool, planned: PlannedRoom, report: RoomReport, cfg: Settings
) -> None:
    opened = set()
    if not created:
        opened = {key_of(title) for title in await tx.session.scalars(select(Thread.title).where(Thread.room_id == room.id))}
    plain: list[str] = []
    for thread in planned.opening_threads:
        if key_of(thread.title) in opened:
            report.threads_existing.append(thread.title)
            continue
        opened.add(key_of(thread.title))
        report.threads_created.append(thread.title)
        if thread.first_post is None:
            plain.append(thread.title)
        else:  # in the file's order: the questions before it first
            if plain:
                await _open(tx, actor, person, room, plain, cfg.max_title_chars)
                plain = []
            await start_thread(tx, actor, room.id, thread.title, thread.first_post, None, cfg.max_title_chars, cfg.max_message_chars)
    if plain:
        await _open(tx, actor, person, room, plain, cfg.max_title_chars)


async def apply_seed(tx: Tx, cfg: Settings, actor: User, plan: SeedPlan, progress: Progress | None = None) -> SeedReport:
    """Apply ``plan`` (which must have no problems) as ``actor``; see the module's doc."""
    require_seeder(actor)
    if plan.problems:
        raise Invalid(f"the file has {len(plan.problems)} problems; nothing was applied", "file")
    event, event_created = await _event(tx, actor, plan)
    report = SeedReport(event.name, event_created)
    rooms_of_event = (await tx.session.scalars(select(Room).where(Room.seed_event_id == event.id).order_by(Room.id))).all()
    known = {room.concept_key: room for room in rooms_of_event if room.concept_key}
    in_file = {key_of(planned.title) for planned in plan.rooms}
    report.not_in_file = [room.title for room in rooms_of_event if room.concept_key not in in_file]

    person = await load_person(tx.session, actor.id)
    seats: dict[str, list[Seat]] = {}
    names: dict[str, str | None] = {}
    by_room: dict[int, RoomReport] = {}
    for planned in plan.rooms:
        room, created = await _room(tx, actor, event, planned, known, cfg.max_title_chars)
        owner = planned.facilitator.email if planned.facilitator else actor.email
        room_report = RoomReport(room.title, room.slug, created, owner)
        report.rooms.append(room_report)
        by_room[room.id] = room_report
        await _threads(tx, actor, person, room, created, planned, room_report, cfg)
        people: list[tuple[str, str | None, RoomRole]] = [(p.email, p.name, "member") for p in planned.participants]
        if planned.facilitator is not None:
            people.insert(0, (planned.facilitator.email, planned.facilitator.name, "owner"))
        for email, name, role in people:
            seats.setdefault(email, []).append(Seat(room, role))
            names[email] = names.get(email) or name
        # Done with the room's row: out of the session, so each later numbering UPDATE
        # (which brings the session's rooms up to date) does not walk every room seeded so far.
        await tx.session.flush()
        tx.session.expunge(room)
        if progress:
            progress(1)

    wanted = [(Invitee(email, names[email]), seats[email]) for email in sorted(seats)]  # one order: concurrent seeds lock alike
    for placed in await invite_to_rooms(tx, cfg, actor, wanted, event.name):
        for room_id, outcome in placed.rooms.items():
            by_room[room_id].people[placed.email] = outcome
        if placed.mail:
            report.mails[placed.email] = placed.mail
        if progress:
            progress(1)
    return report
