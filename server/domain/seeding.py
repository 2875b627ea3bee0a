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

Speed: new concepts whose questions are plain titles (every spreadsheet row) are opened
250 at a time in a few statements (``seed_rooms``), and people are placed in a few
statements per 500 (``invitations.invite_to_rooms``): 3,000 rows take seconds. A YAML
question with a first post goes through ``posting.start_thread`` like a browser's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from server.config import Settings
from server.domain import audit, events, seed_rooms
from server.domain.access import require_seeder
from server.domain.errors import Invalid
from server.domain.invitations import CHUNK, Invitee, Seat, invite_to_rooms
from server.domain.people import Person, load_person
from server.domain.pipeline import INCUBATION, Criteria, record_seeded_criteria
from server.domain.posting import start_thread
from server.domain.presenters import thread_json
from server.domain.rooms import RoomFields, create_room, postable_room
from server.domain.search import likely_duplicates
from server.domain.seed_files import OpeningThread, SeedPlan
from server.domain.seed_files import Room as PlannedRoom
from server.domain.seed_files.fields import key_of
from server.domain.threads import clean_title
from server.store import fulltext
from server.store.models import Room, SeedEvent, Thread, ThreadFollow, User
from server.store.transaction import Tx
from server.store.upsert import insert_ignore
from server.vocabulary import RoomRole

__all__ = ["DryRun", "Progress", "RoomReport", "SeedReport", "apply_seed", "require_seeder", "steps"]

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
    similar: list[dict[str, str]] = field(default_factory=list)  # existing rooms a new concept probably duplicates


@dataclass
class SeedReport:
    """``seeder``: the address of the person seeding, who opens every new room and is
    an owner of each (beside the row's facilitator, when there is one)."""

    event: str
    event_created: bool
    event_id: int
    seeder: str
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


class DryRun(Exception):
    """Raised inside the transaction to roll a seed back once its report is made: a
    preview (``--dry-run``, the page's Preview) is the real thing, undone."""

    def __init__(self, report: SeedReport) -> None:
        super().__init__("dry run")
        self.report = report


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
    opened = [
        Thread(room_id=room.id, title=clean_title(t, max_title), created_by=actor.id, seq=first + n, opening_question=True)
        for n, t in enumerate(titles)
    ]
    tx.session.add_all(opened)
    await tx.session.flush()
    await fulltext.reindex_threads(tx.session, [t.id for t in opened])
    await insert_ignore(tx.session, ThreadFollow, [{"thread_id": t.id, "user_id": actor.id} for t in opened])
    await tx.record([events.thread_created(thread_json(t, person)) for t in opened])


def _questions(planned: PlannedRoom, opened: set[str], report: RoomReport) -> list[OpeningThread]:
    """The room's questions still to open, in the file's order: one already in the room
    (any thread of that title, however it was opened) or earlier in the cell is not
    opened again."""
    wanted: list[OpeningThread] = []
    for thread in planned.opening_threads:
        if key_of(thread.title) in opened:
            report.threads_existing.append(thread.title)
            continue
        opened.add(key_of(thread.title))
        report.threads_created.append(thread.title)
        wanted.append(thread)
    return wanted


async def _threads(tx: Tx, actor: User, person: Person, room: Room, wanted: list[OpeningThread], cfg: Settings) -> None:
    plain: list[str] = []
    for thread in wanted:
        if thread.first_post is None:
            plain.append(thread.title)
        else:  # in the file's order: the questions before it first
            if plain:
                await _open(tx, actor, person, room, plain, cfg.max_title_chars)
                plain = []
            started = await start_thread(
                tx, actor, room.id, thread.title, thread.first_post, None, cfg.max_title_chars, cfg.max_message_chars
            )
            opened = await tx.session.get(Thread, started.thread_id)
            if opened is not None:
                opened.opening_question = True
    if plain:
        await _open(tx, actor, person, room, plain, cfg.max_title_chars)


async def _opened_keys(tx: Tx, room_ids: list[int]) -> dict[int, set[str]]:
    """The (normalised) thread titles of rooms seeded before, a few hundred rooms a query."""
    keys: dict[int, set[str]] = {room_id: set() for room_id in room_ids}
    for start in range(0, len(room_ids), CHUNK):
        rows = await tx.session.execute(select(Thread.room_id, Thread.title).where(Thread.room_id.in_(room_ids[start : start + CHUNK])))
        for room_id, title in rows.tuples():
            keys[room_id].add(key_of(title))
    return keys


async def _open_part(
    tx: Tx,
    cfg: Settings,
    actor: User,
    person: Person,
    event: SeedEvent,
    part: tuple[PlannedRoom, ...],
    known: dict[str, Room],
    opened: dict[int, set[str]],
    taken_slugs: set[str],
) -> list[tuple[PlannedRoom, Room, RoomReport]]:
    """Find or open the rooms of ``part`` (in the file's order) and their new questions:
    new concepts whose questions are plain titles together (``seed_rooms``), the others
    (rooms seeded before, YAML questions with a first post) one by one."""
    reports: dict[str, RoomReport] = {}
    found: dict[str, tuple[Room, bool]] = {}
    batch: list[tuple[PlannedRoom, list[OpeningThread]]] = []
    slow: list[tuple[PlannedRoom, list[OpeningThread]]] = []
    for planned in part:
        key = key_of(planned.title)
        owner = planned.facilitator.email if planned.facilitator else actor.email
        reports[key] = RoomReport(planned.title, "", key not in known, owner)
        wanted = _questions(planned, set(opened[known[key].id]) if key in known else set(), reports[key])
        (batch if key not in known and all(t.first_post is None for t in wanted) else slow).append((planned, wanted))
    if batch:
        titles = [(planned, [t.title for t in wanted]) for planned, wanted in batch]
        rooms = await seed_rooms.open_rooms(tx, actor, person, event, titles, taken_slugs, cfg.max_title_chars)
        for (planned, _), room in zip(batch, rooms, strict=True):
            found[key_of(planned.title)] = (room, True)
            known[key_of(planned.title)] = room
    for planned, wanted in slow:
        room, created = await _room(tx, actor, event, planned, known, cfg.max_title_chars)
        if wanted:
            await _threads(tx, actor, person, room, wanted, cfg)
        found[key_of(planned.title)] = (room, created)
        # Done with the room: out of the session, so each later numbering UPDATE
        # (which brings the session's rooms up to date) does not walk every room so far.
        await tx.session.flush()
        if room in tx.session:
            tx.session.expunge(room)
    seeded = [
        (found[key_of(p.title)][0].id, Criteria(*p.criteria))
        for p in part
        if found[key_of(p.title)][1] and p.stage == INCUBATION and p.criteria is not None
    ]
    await record_seeded_criteria(tx, actor, seeded, f"Seeded at incubation from {event.name}")
    placed = []
    for planned in part:
        room, created = found[key_of(planned.title)]
        room_report = reports[key_of(planned.title)]
        room_report.title, room_report.slug, room_report.created = room.title, room.slug, created
        placed.append((planned, room, room_report))
    return placed


async def apply_seed(tx: Tx, cfg: Settings, actor: User, plan: SeedPlan, progress: Progress | None = None) -> SeedReport:
    """Apply ``plan`` (which must have no problems) as ``actor``; see the module's doc."""
    require_seeder(actor)
    if plan.problems:
        raise Invalid(f"the file has {len(plan.problems)} problems; nothing was applied", "file")
    event, event_created = await _event(tx, actor, plan)
    report = SeedReport(event.name, event_created, event.id, actor.email)
    rooms_of_event = (await tx.session.scalars(select(Room).where(Room.seed_event_id == event.id).order_by(Room.id))).all()
    known = {room.concept_key: room for room in rooms_of_event if room.concept_key}
    in_file = {key_of(planned.title) for planned in plan.rooms}
    report.not_in_file = [room.title for room in rooms_of_event if room.concept_key not in in_file]
    for room in rooms_of_event:  # read from here on; numbering UPDATEs need not walk them
        tx.session.expunge(room)

    # Likely duplicates of existing rooms, for every new concept, looked for before
    # this seed opens any room.
    new_concepts = [planned.title for planned in plan.rooms if key_of(planned.title) not in known]
    alike = dict(zip(map(key_of, new_concepts), await likely_duplicates(tx.session, actor, new_concepts), strict=True))
    person = await load_person(tx.session, actor.id)
    opened = await _opened_keys(tx, sorted(known[key_of(p.title)].id for p in plan.rooms if key_of(p.title) in known))
    seats: dict[str, list[Seat]] = {}
    names: dict[str, str | None] = {}
    by_room: dict[int, RoomReport] = {}
    concepts: list[tuple[PlannedRoom, RoomReport]] = []
    taken_slugs: set[str] = set()
    for start in range(0, len(plan.rooms), seed_rooms.BATCH):
        part = plan.rooms[start : start + seed_rooms.BATCH]
        for planned, room, room_report in await _open_part(tx, cfg, actor, person, event, part, known, opened, taken_slugs):
            report.rooms.append(room_report)
            by_room[room.id] = room_report
            concepts.append((planned, room_report))
            people: list[tuple[str, str | None, RoomRole]] = [(p.email, p.name, "member") for p in planned.participants]
            if planned.facilitator is not None:
                people.insert(0, (planned.facilitator.email, planned.facilitator.name, "owner"))
            for email, name, role in people:
                seats.setdefault(email, []).append(Seat(room, role))
                names[email] = names.get(email) or name
        if progress:
            progress(len(part))

    for planned, room_report in concepts:
        if room_report.created:
            room_report.similar = alike.get(key_of(planned.title), [])

    invitees = [(Invitee(email, names[email]), seats[email]) for email in sorted(seats)]  # one order: concurrent seeds lock alike
    for placed in await invite_to_rooms(tx, cfg, actor, invitees, event.name):
        for room_id, outcome in placed.rooms.items():
            by_room[room_id].people[placed.email] = outcome
        if placed.mail:
            report.mails[placed.email] = placed.mail
        if progress:
            progress(1)
    if report.changed:  # a run that changes nothing writes nothing, not even an audit entry
        new_rooms = sum(1 for r in report.rooms if r.created)
        detail = f"{event.name}: {len(report.rooms)} rooms ({new_rooms} new), {len(report.mails)} people emailed"
        audit.record(tx, "seeded", actor=actor, detail=detail)
    return report
