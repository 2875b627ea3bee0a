"""``python -m server seed``: the sample file makes exactly the expected rooms, threads,
members, invitations and one email per person; seeding again changes and sends
nothing; an edited copy adds exactly what is new; a refused file, a dry run and a
person who may not seed write nothing."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.config import Settings
from server.domain.seed_files import read_seed
from server.mail.deliverer import MailDeliverer
from server.mail.sender import FileSender
from server.seed_command import run_seed
from server.store.db import Database, make_engine
from server.store.models import Base, Invitation, Message, Room, RoomEvent, RoomMember, SeedEvent, Thread, User, utcnow
from server.vocabulary import STAGES, Role

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "seed_files" / "files" / "discovery-day.csv"
BROKEN = ROOT / "tests" / "seed_files" / "files" / "broken.csv"
ACTOR = "fac@localdigital.example"

DVLA = "DVLA data API for parking and debt recovery"
CARE = "Deferred social care payments calculator"
LAND = "Land Registry data API for councils"
LINKS = "Local Links refresh"
FACILITATOR = "facilitator@localdigital.example"
EXPECTED_MEMBERS = {
    DVLA: {FACILITATOR: "owner", "parking.lead@camden.example": "member", "debt@bristol.example": "member",
           "licensing@brighton-hove.example": "member"},
    CARE: {FACILITATOR: "owner", "care.finance@sevenoaks.example": "member", "adult.social.care@camden.example": "member",
           "policy@dh.example": "member"},
    LAND: {FACILITATOR: "owner", "land.charges@brighton-hove.example": "member", "council.tax@bristol.example": "member"},
    LINKS: {"coordinator@localgovdigital.example": "owner", "web.team@sevenoaks.example": "member", "digital@camden.example": "member",
            "content@bristol.example": "member"},
}  # fmt: skip
EXPECTED_THREADS = {
    DVLA: ["What keeper data does each council request today, and how often?", "Which legal gateways apply to licensing?"],
    CARE: ["Which interest and charge rules must the calculator follow?", "Who signs off the figures it shows residents?"],
    LAND: ["Which title fields do land charges teams look up most?"],
    LINKS: ["How are broken links reported today?"],
}


async def add_person(settings: Settings, address: str, role: Role = "member", *, confirmed: bool = True, active: bool = True) -> None:
    db = Database(make_engine(settings.database_url))
    try:
        async with db.write_session() as session:
            now = utcnow()
            session.add(
                User(email=address, display_name=address.split("@")[0].title(), role=role, email_confirmed_at=now if confirmed else None,
                     deactivated_at=None if active else now)
            )  # fmt: skip
            await session.commit()
    finally:
        await db.dispose()


async def seed(settings: Settings, path: Path, actor: str = ACTOR, *, dry_run: bool = False, data: bytes | None = None) -> int:
    plan = read_seed(data if data is not None else path.read_bytes(), path.name, stages=STAGES)
    assert plan.applicable, plan.problems
    return await run_seed(settings, plan, actor, dry_run=dry_run)


async def counts(settings: Settings) -> dict[str, int]:
    """Rows in every table."""
    db = Database(make_engine(settings.database_url))
    try:
        async with db.read() as session:
            return {t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables}
    finally:
        await db.dispose()


async def state(settings: Settings) -> dict[str, Any]:
    """Rooms with their members (address: role) and thread titles, and invitations."""
    db = Database(make_engine(settings.database_url))
    try:
        async with db.read() as session:
            rooms = (await session.scalars(select(Room).order_by(Room.id))).all()
            result: dict[str, Any] = {}
            for room in rooms:
                members = await session.execute(
                    select(User.email, RoomMember.role).join(RoomMember, RoomMember.user_id == User.id).where(RoomMember.room_id == room.id)
                )
                threads = await session.scalars(select(Thread.title).where(Thread.room_id == room.id).order_by(Thread.id))
                invited = await session.scalars(
                    select(User.email).join(Invitation, Invitation.user_id == User.id).where(Invitation.room_id == room.id)
                )
                result[room.title] = {
                    "members": dict(members.tuples().all()),
                    "threads": list(threads),
                    "invited": set(invited),
                    "event": room.seed_event_id,
                    "lead": room.lead_organisation,
                }
            return result
    finally:
        await db.dispose()


async def deliver(settings: Settings) -> dict[str, email.message.EmailMessage]:
    """Send the outbox as the server would (to .eml files under DATA_DIR/outbox); the
    messages just delivered, by recipient (failing on a second one to anybody)."""
    db = Database(make_engine(settings.database_url))
    before = set(settings.outbox_dir.glob("*.eml")) if settings.outbox_dir.exists() else set()
    try:
        await MailDeliverer(db, FileSender(settings.outbox_dir), settings.mail_from, settings.mail_domain).deliver_due()
    finally:
        await db.dispose()
    delivered: dict[str, email.message.EmailMessage] = {}
    for path in sorted(set(settings.outbox_dir.glob("*.eml")) - before):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        assert message["To"] not in delivered, f"two emails to {message['To']}"
        delivered[str(message["To"])] = message
    return delivered


def body(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def expected_state() -> dict[str, Any]:
    return {
        title: {"members": {ACTOR: "owner", **members}, "threads": EXPECTED_THREADS[title], "invited": set(members)}
        for title, members in EXPECTED_MEMBERS.items()
    }


def without_event(found: dict[str, Any]) -> dict[str, Any]:
    return {title: {k: v for k, v in room.items() if k not in ("event", "lead")} for title, room in found.items()}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_the_sample_makes_exactly_its_rooms_and_one_email_per_person_and_again_nothing(settings: Settings, capsys) -> None:
    await add_person(settings, ACTOR, "facilitator")
    assert await seed(settings, SAMPLE) == 0
    out = capsys.readouterr().out
    assert "Created 4 room(s) and 6 thread(s); 13 email(s) sent." in out

    found = await state(settings)
    assert without_event(found) == expected_state()
    assert {room["lead"] for room in found.values()} == {"DVLA", "Department of Health", "Land Registry", "LocalGov Digital"}
    assert len({room["event"] for room in found.values()}) == 1

    mails = await deliver(settings)
    people = {address for members in EXPECTED_MEMBERS.values() for address in members}
    assert set(mails) == people and ACTOR not in mails  # one each; none to the person seeding
    to_facilitator = body(mails[FACILITATOR])
    assert "invited you to 3 rooms from discovery-day" in str(mails[FACILITATOR]["Subject"])
    tokens = re.findall(r"/invitation\?token=([\w-]+)", to_facilitator)
    assert len(set(tokens)) == 3  # a single-use link per room
    assert all(title in to_facilitator for title in (DVLA, CARE, LAND)) and LINKS not in to_facilitator
    assert len(re.findall(r"/invitation\?token=", body(mails["debt@bristol.example"]))) == 1

    before = await counts(settings)
    assert await seed(settings, SAMPLE) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert await counts(settings) == before
    assert await deliver(settings) == {}


async def test_an_edited_copy_adds_exactly_what_is_new_and_lists_what_left(settings: Settings, tmp_path: Path, capsys) -> None:
    await add_person(settings, ACTOR, "facilitator")
    await add_person(settings, "zoe@leeds.example")  # a confirmed account: told by a notice, added at once
    assert await seed(settings, SAMPLE) == 0
    await deliver(settings)
    before = await state(settings)
    rows = [row for row in csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig"))) if row["Concept"] != LINKS]
    rows[0]["Participants"] += "; New Person <new@camden.example>"
    rows[2]["Opening questions"] += "\nWho pays?"
    new_room = {"Concept": "Street works permits", "Summary": "One permit scheme.", "Stage": "Discovery", "Lead organisation": "Leeds"}
    rows.append({**dict.fromkeys(rows[0], ""), **new_room, "Participants": "new@camden.example; zoe@leeds.example"})
    rows[-1]["Opening questions"] = "Who else runs one?"
    out_file = io.StringIO()
    writer = csv.DictWriter(out_file, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    copy = tmp_path / "discovery-day.csv"
    copy.write_text(out_file.getvalue(), encoding="utf-8")

    assert await seed(settings, copy) == 0
    out = capsys.readouterr().out
    assert "No longer in the file (kept): 'Local Links refresh'" in out
    assert "Created 1 room(s) and 2 thread(s); 2 email(s) sent." in out
    after = await state(settings)
    assert after[LINKS] == before[LINKS]  # kept, untouched
    assert after[DVLA]["members"] == {**before[DVLA]["members"], "new@camden.example": "member"}
    assert after[LAND]["threads"] == [*before[LAND]["threads"], "Who pays?"]
    assert after["Street works permits"]["members"] == {ACTOR: "owner", "new@camden.example": "member", "zoe@leeds.example": "member"}
    assert after["Street works permits"]["invited"] == {"new@camden.example"}
    for title in (CARE,):
        assert after[title] == before[title]
    mails = await deliver(settings)
    assert set(mails) == {"new@camden.example", "zoe@leeds.example"}
    assert len(re.findall(r"/invitation\?token=", body(mails["new@camden.example"]))) == 2  # both rooms, one email
    assert "added you to the room \"Street works permits\"" in body(mails["zoe@leeds.example"])

    before_counts = await counts(settings)
    assert await seed(settings, copy) == 0
    assert await counts(settings) == before_counts and await deliver(settings) == {}


async def test_a_dry_run_shows_everything_and_writes_nothing(settings: Settings, capsys) -> None:
    await add_person(settings, ACTOR, "administrator")
    before = await counts(settings)
    assert await seed(settings, SAMPLE, dry_run=True) == 0
    out = capsys.readouterr().out
    assert "Would create 4 room(s) and 6 thread(s); 13 email(s) would be sent." in out
    assert "Dry run: nothing was written or sent." in out
    assert f"  {FACILITATOR}: would be invited as owner" in out
    assert await counts(settings) == before


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url, "SECRET_KEY": "x" * 24}
    return subprocess.run([sys.executable, "-m", "server", "seed", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


async def test_the_command_seeds_as_a_process(settings: Settings) -> None:
    await add_person(settings, ACTOR, "facilitator")
    result = run(settings, str(SAMPLE), "--as", ACTOR.upper(), "--event", "Discovery Day, Leeds")
    assert result.returncode == 0, result.stderr
    assert "Event 'Discovery Day, Leeds': new" in result.stdout
    assert without_event(await state(settings)) == expected_state()
    db = Database(make_engine(settings.database_url))
    try:
        async with db.read() as session:
            assert list(await session.scalars(select(SeedEvent.name))) == ["Discovery Day, Leeds"]
    finally:
        await db.dispose()


async def test_a_broken_file_is_refused_with_every_problem_and_writes_nothing(settings: Settings) -> None:
    await add_person(settings, ACTOR, "facilitator")
    database = Path(settings.database_url.partition(":///")[2])
    before = database.read_bytes()
    result = run(settings, str(BROKEN), "--as", ACTOR)
    assert result.returncode == 2
    assert "Row 2, Stage: 'Alpha' is not a stage" in result.stderr
    assert "Row 2, Participants: 'bob at camden' is not an email address" in result.stderr
    assert "Row 3, Concept: The concept has no title" in result.stderr
    assert "Row 4, Facilitator: 'Jo from LGD' is not an email address" in result.stderr
    assert database.read_bytes() == before


@pytest.mark.parametrize(
    ("who", "role", "confirmed", "active", "said"),
    [
        ("member@camden.example", "member", True, True, "only facilitators and administrators can seed"),
        ("gone@localdigital.example", "facilitator", True, False, "only facilitators and administrators can seed"),
        ("nobody@localdigital.example", None, True, True, "no account has the address nobody@localdigital.example"),
    ],
)
async def test_only_active_facilitators_and_administrators_may_seed(settings: Settings, who, role, confirmed, active, said) -> None:
    if role:
        await add_person(settings, who, role, confirmed=confirmed, active=active)
    before = await counts(settings)
    result = run(settings, str(SAMPLE), "--as", who)
    assert result.returncode == 2
    assert said in result.stderr
    assert await counts(settings) == before


async def test_a_yaml_seed_keeps_its_event_and_first_posts_once(settings: Settings, capsys) -> None:
    await add_person(settings, ACTOR, "facilitator")
    example = ROOT / "docs" / "seed-example.yaml"
    assert await seed(settings, example) == 0
    found = await state(settings)
    assert found[DVLA]["threads"] == EXPECTED_THREADS[DVLA]
    db = Database(make_engine(settings.database_url))
    try:
        async with db.read() as session:
            event = (await session.scalars(select(SeedEvent))).one()
            assert (event.name, str(event.date), event.place) == ("Discovery Day, Leeds 2026", "2026-03-12", "Leeds Civic Hall")
            bodies = list(await session.scalars(select(Message.body).join(Thread, Thread.id == Message.thread_id)))
            assert len(bodies) == 1 and bodies[0].startswith("Brighton & Hove asked this at table 3.")
            assert await session.scalar(select(Room.visibility).where(Room.title == LINKS)) == "invite"
    finally:
        await db.dispose()
    before = await counts(settings)
    assert await seed(settings, example) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert await counts(settings) == before


async def test_a_known_facilitator_is_added_as_owner_by_one_notice_and_a_stranger_account_waits_for_its_link(settings: Settings) -> None:
    await add_person(settings, ACTOR, "facilitator")
    await add_person(settings, FACILITATOR)  # a confirmed account: added at once, told once
    await add_person(settings, "debt@bristol.example", confirmed=False)  # never confirmed: only a link lets it in
    db = Database(make_engine(settings.database_url))
    try:
        async with db.write_session() as session:
            stranger = await session.scalar(select(User).where(User.email == "debt@bristol.example"))
            assert stranger is not None
            stranger.password_hash = "typed-by-someone"
            await session.commit()
    finally:
        await db.dispose()
    assert await seed(settings, SAMPLE) == 0
    found = await state(settings)
    for title in (DVLA, CARE, LAND):
        assert found[title]["members"][FACILITATOR] == "owner" and FACILITATOR not in found[title]["invited"]
    assert "debt@bristol.example" not in found[DVLA]["members"] and "debt@bristol.example" in found[DVLA]["invited"]
    mails = await deliver(settings)
    notice = body(mails[FACILITATOR])
    assert "added you to 3 rooms from discovery-day" in notice and "/invitation?token=" not in notice
    assert "/invitation?token=" in body(mails["debt@bristol.example"])
    assert await seed(settings, SAMPLE) == 0 and await deliver(settings) == {}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_rooms_opened_together_get_free_slugs_and_numbered_questions_like_any_room(settings: Settings, tmp_path: Path) -> None:
    await add_person(settings, ACTOR, "facilitator")
    first = tmp_path / "first.csv"
    first.write_text("Concept,Stage,Participants\nParking permits,Discovery,ada@camden.example\n", encoding="utf-8")
    assert await seed(settings, first) == 0
    batch = tmp_path / "second.csv"
    batch.write_text(
        "Concept,Stage,Participants,Opening questions\n"
        'Parking permits!,Discovery,ada@camden.example,"Who issues them?\nHow long do they last?"\n'
        'Parking permits?,Live,bob@camden.example,"Who pays?"\n'
        "Resident bays,Co-Design,ada@camden.example,\n",
        encoding="utf-8",
    )
    assert await seed(settings, batch) == 0
    db = Database(make_engine(settings.database_url))
    try:
        async with db.read() as session:
            rooms = {r.title: r for r in await session.scalars(select(Room))}
            assert {t: r.slug for t, r in rooms.items()} == {
                "Parking permits": "parking-permits",
                "Parking permits!": "parking-permits-2",
                "Parking permits?": "parking-permits-3",
                "Resident bays": "resident-bays",
            }
            for room in rooms.values():
                threads = (
                    await session.execute(select(Thread.seq, Thread.title).where(Thread.room_id == room.id).order_by(Thread.seq))
                ).all()
                numbered = (
                    await session.execute(select(RoomEvent.seq, RoomEvent.type).where(RoomEvent.room_id == room.id).order_by(RoomEvent.seq))
                ).all()
                assert [seq for seq, _ in threads] == list(range(1, len(threads) + 1)) == [seq for seq, _ in numbered]
                assert {kind for _, kind in numbered} <= {"thread.created"} and room.last_seq == len(threads)
                owners = await session.scalars(
                    select(User.email)
                    .join(RoomMember, RoomMember.user_id == User.id)
                    .where(RoomMember.room_id == room.id, RoomMember.role == "owner")
                )
                assert list(owners) == [ACTOR]
            assert [
                t
                for _, t in (
                    await session.execute(select(Thread.seq, Thread.title).where(Thread.room_id == rooms["Parking permits!"].id))
                ).all()
            ] == ["Who issues them?", "How long do they last?"]
            assert (await session.scalar(select(Room.stage).where(Room.slug == "parking-permits-3"))) == "live"
    finally:
        await db.dispose()
