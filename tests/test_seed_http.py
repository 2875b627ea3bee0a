"""The facilitator page's doors: preview a workshop file, apply exactly what was
previewed, and the event pages (as the signed-in person, over real HTTP)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from server.config import Settings
from server.domain.seed_files import read_seed
from server.seed_command import run_seed
from server.vocabulary import STAGES

from .people import Person, PersonFactory
from .seed_files.test_xlsx import _workbook
from .test_invitations import redeem
from .test_seed import BROKEN, DVLA, LINKS, ROOT, SAMPLE, counts, state

YAML = ROOT / "docs" / "seed-example.yaml"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload(
    who: Person, step: str, data: bytes | io.BytesIO, name: str, *, expect: int | None = 200, kind: str = CSV, **query: str
) -> tuple[int, Any]:
    """POST the raw file to /api/v1/seed/<step>, as the page does."""
    headers = {"Content-Type": kind, "X-Filename": quote(name)}
    return await who.call("POST", f"/api/v1/seed/{step}", data=data, headers=headers, params=query, expect=expect)


async def preview_and_apply(who: Person, path: Path, **query: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = path.read_bytes()
    _, preview = await upload(who, "preview", data, path.name, **query)
    _, applied = await upload(who, "apply", data, path.name, preview=preview["preview"], **query)
    return preview, applied


async def facilitator(people: PersonFactory, admin: Person) -> Person:
    fac = await people.signup("fac@localdigital.example", "Fran Facilitator", "LocalGov Digital", confirm=True)
    await admin.call("PATCH", f"/api/v1/users/{fac.id}", json={"role": "facilitator"}, expect=200)
    return fac


def copy_sqlite(settings: Settings, target: Path) -> Settings:
    """A consistent copy of the (open) SQLite database, and settings that use it."""
    source = sqlite3.connect(settings.database_url.partition(":///")[2])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return replace(settings, database_url=f"sqlite+aiosqlite:///{target}", data_dir=target.parent)


async def test_preview_then_apply_does_exactly_what_the_command_does(people, admin, settings, tmp_path: Path, capsys) -> None:
    fac = await facilitator(people, admin)
    data = SAMPLE.read_bytes()
    before = await counts(settings)
    _, preview = await upload(fac, "preview", data, SAMPLE.name)
    assert await counts(settings) == before  # a preview writes nothing
    assert (preview["applied"], preview["applicable"], preview["changed"], preview["event_created"]) == (False, True, True, True)
    assert (preview["event"], preview["rooms_created"], preview["threads_created"], len(preview["mails"])) == ("discovery-day", 4, 6, 13)
    dvla = next(room for room in preview["rooms"] if room["title"] == DVLA)
    assert dvla["slug"] == "dvla-data-api-for-parking-and-debt-recovery" and dvla["created"]
    assert {"email": "facilitator@localdigital.example", "outcome": "invited", "owner": True} in dvla["people"]

    other = tmp_path / "cli" / "convene.db"
    other.parent.mkdir()
    cli_settings = copy_sqlite(settings, other)
    _, applied = await upload(fac, "apply", data, SAMPLE.name, preview=preview["preview"])
    assert applied["applied"] is True and isinstance(applied["event_id"], int)
    assert {k: v for k, v in applied.items() if k not in ("applied", "event_id")} == {
        k: v for k, v in preview.items() if k not in ("applied", "event_id")
    }

    plan = read_seed(data, SAMPLE.name, stages=STAGES)
    assert await run_seed(cli_settings, plan, fac.user["email"], dry_run=False) == 0
    assert "Created 4 room(s) and 6 thread(s); 13 email(s) sent." in capsys.readouterr().out
    assert await state(settings) == await state(cli_settings)
    assert await counts(settings) == await counts(cli_settings)


async def test_applying_twice_creates_nothing_the_second_time_and_a_stale_preview_is_refused(people, admin, settings) -> None:
    fac = await facilitator(people, admin)
    data = SAMPLE.read_bytes()
    first, _ = await preview_and_apply(fac, SAMPLE)
    after = await counts(settings)

    _, stale = await upload(fac, "apply", data, SAMPLE.name, preview=first["preview"], expect=409)
    assert stale["error"]["field"] == "preview" and "preview it again" in stale["error"]["message"]
    again, applied = await preview_and_apply(fac, SAMPLE)
    assert again["changed"] is False and again["rooms_created"] == 0 and again["mails"] == []
    assert applied["changed"] is False
    assert await counts(settings) == after


async def test_a_file_changed_since_its_preview_is_refused_and_writes_nothing(people, admin, settings) -> None:
    fac = await facilitator(people, admin)
    data = SAMPLE.read_bytes()
    _, preview = await upload(fac, "preview", data, SAMPLE.name)
    before = await counts(settings)
    edited = data.replace(b"How are broken links reported today?", b"Who reports broken links?")
    _, refused = await upload(fac, "apply", edited, SAMPLE.name, preview=preview["preview"], expect=409)
    assert refused["error"]["code"] == "conflict"
    await upload(fac, "apply", data, SAMPLE.name, expect=400)  # no preview confirmed
    assert await counts(settings) == before


async def test_a_refused_file_reports_every_problem_by_row_and_column_and_writes_nothing(people, admin, settings) -> None:
    fac = await facilitator(people, admin)
    before = await counts(settings)
    _, preview = await upload(fac, "preview", BROKEN.read_bytes(), BROKEN.name)
    assert preview["applicable"] is False and preview["preview"] is None and preview["rooms"] == []
    texts = [p["text"] for p in preview["problems"]]
    assert any(t.startswith("Row 2, Stage: 'Alpha' is not a stage") for t in texts)  # as the command prints them
    assert any(t.startswith("Row 4, Facilitator: 'Jo from LGD' is not an email address") for t in texts)
    stage = next(p for p in preview["problems"] if p["column"] == "Stage")
    assert (stage["row"], stage["line"]) == (2, None)
    _, refused = await upload(fac, "apply", BROKEN.read_bytes(), BROKEN.name, preview="0" * 64, expect=400)
    assert refused["error"]["field"] == "file" and "nothing was applied" in refused["error"]["message"]
    assert await counts(settings) == before


async def test_uploads_of_the_wrong_kind_size_or_name_are_refused_with_a_clear_answer(people, admin, settings) -> None:
    fac = await facilitator(people, admin)
    before = await counts(settings)
    _, kind = await upload(fac, "preview", b"\x89PNG", "photo.png", kind="image/png", expect=415)
    assert kind["error"]["field"] == "Content-Type"
    _, big = await upload(fac, "preview", io.BytesIO(b"a" * (5 * 1024 * 1024 + 1)), "huge.csv", expect=413)
    assert big["error"]["code"] == "too_large" and "split it" in big["error"]["message"]
    status, unnamed = await fac.call("POST", "/api/v1/seed/preview", data=SAMPLE.read_bytes(), headers={"Content-Type": CSV}, expect=400)
    assert unnamed["error"]["field"] == "X-Filename"
    assert await counts(settings) == before


async def test_people_who_are_not_facilitators_or_administrators_may_not_seed(people, admin, alice, settings) -> None:
    before = await counts(settings)
    _, refused = await upload(alice, "preview", SAMPLE.read_bytes(), SAMPLE.name, expect=403)
    assert "only facilitators and administrators" in refused["error"]["message"]
    await upload(alice, "apply", SAMPLE.read_bytes(), SAMPLE.name, preview="0" * 64, expect=403)
    assert await counts(settings) == before


async def test_progress_streams_as_json_lines_then_the_report(people, admin, settings) -> None:
    data = SAMPLE.read_bytes()
    _, preview = await upload(admin, "preview", data, SAMPLE.name)
    headers = {"Content-Type": CSV, "X-Filename": SAMPLE.name, "Accept": "application/x-ndjson"}
    params = {"preview": preview["preview"]}
    async with admin.http.post("/api/v1/seed/apply", data=data, headers=headers, params=params) as response:
        assert response.status == 200 and response.content_type == "application/x-ndjson"
        lines = [json.loads(line) for line in (await response.text()).splitlines()]
    progress, last = lines[:-1], lines[-1]
    assert all(p["type"] == "progress" and p["total"] == 4 + 13 for p in progress)  # a step a room, then a person
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress) and progress[-1]["done"] == 4 + 13
    assert last["type"] == "report" and last["report"]["applied"] is True and last["report"]["rooms_created"] == 4

    async with admin.http.post("/api/v1/seed/apply", data=data, headers=headers, params=params) as response:
        lines = [json.loads(line) for line in (await response.text()).splitlines()]
    assert lines[-1]["type"] == "error" and lines[-1]["status"] == 409  # that preview is spent: nothing written


async def test_an_invited_person_follows_the_seeded_link_lands_in_their_rooms_and_the_link_then_fails(people, admin) -> None:
    await preview_and_apply(admin, SAMPLE)
    token = await people.mailed_token("debt@bristol.example", "/invitation?token=")
    debt, answer = await redeem(people, token)
    assert answer["room"]["title"] == DVLA and answer["room"]["membership"] == "member"
    mine = await debt.get("/api/v1/rooms?mine=true")
    assert [room["title"] for room in mine["rooms"]] == [DVLA]
    _, refused = await redeem(people, token, expect=400)
    assert "already been used" in refused["error"]["message"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_the_event_page_lists_its_rooms_you_can_see_and_what_happened_since(people, admin, alice, settings) -> None:
    await preview_and_apply(admin, YAML)
    [listed] = (await admin.get("/api/v1/events"))["events"]
    assert (listed["name"], listed["date"], listed["place"], listed["room_count"]) == (
        "Discovery Day, Leeds 2026", "2026-03-12", "Leeds Civic Hall", 2
    )  # fmt: skip
    event = (await admin.get(f"/api/v1/events/{listed['id']}"))["event"]
    assert {room["title"] for room in event["rooms"]} == {DVLA, LINKS}
    assert (event["new_threads"], event["messages"], event["active_organisations"]) == (0, 0, [])
    assert event["unanswered"] == 3  # every opening question; the YAML first post is not an answer
    dvla = next(room for room in event["rooms"] if room["title"] == DVLA)
    assert dvla["stage"] == "discovery" and dvla["lead_organisation"] == "DVLA"
    assert dvla["unanswered"] == [
        "What keeper data does each council request today, and how often?",
        "Which legal gateways apply to licensing?",
    ]

    # Alice (Camden) answers one question and opens a thread of her own in the DVLA room.
    threads = (await alice.get(f"/api/v1/rooms/{dvla['id']}/threads"))["threads"]
    gateways = next(t for t in threads if t["title"] == "Which legal gateways apply to licensing?")
    assert (await alice.send(gateways["id"], "The Licensing Act has one.", "alice-1"))[0] == 201
    await alice.start_thread(dvla["id"], "Pilot councils", "Camden would pilot.")

    seen_by_alice = (await alice.get(f"/api/v1/events/{listed['id']}"))["event"]
    assert {room["title"] for room in seen_by_alice["rooms"]} == {DVLA}  # Local Links is invite-only
    assert seen_by_alice["room_count"] == 1
    assert [e["room_count"] for e in (await alice.get("/api/v1/events"))["events"]] == [1]
    dvla = next(room for room in seen_by_alice["rooms"] if room["title"] == DVLA)
    assert (dvla["new_threads"], dvla["messages"], dvla["active_organisations"]) == (1, 2, ["Camden Council"])
    assert dvla["unanswered"] == ["What keeper data does each council request today, and how often?"]
    assert (seen_by_alice["new_threads"], seen_by_alice["messages"], seen_by_alice["unanswered"]) == (1, 2, 1)
    await alice.get("/api/v1/events/999999", expect=404)

    # The programme moves the concept on: the event page lists the move.
    assert dvla["stage_moves"] == [] and seen_by_alice["stage_moves"] == 0
    await admin.post(f"/api/v1/rooms/{dvla['id']}/stage", {"stage": "co-design", "note": "two pilots"}, expect=201)
    moved = (await alice.get(f"/api/v1/events/{listed['id']}"))["event"]
    [move] = next(room for room in moved["rooms"] if room["title"] == DVLA)["stage_moves"]
    assert (move["from_stage"], move["to_stage"], move["note"], moved["stage_moves"]) == ("discovery", "co-design", "two pilots", 1)


async def test_a_workbook_uploads_like_the_csv_export_of_it(people, admin, settings) -> None:
    text = SAMPLE.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    rows: list[list[object]] = [list(cells) for cells in csv.reader(io.StringIO(text, newline=""))]
    workbook = _workbook(rows)
    _, from_csv = await upload(admin, "preview", SAMPLE.read_bytes(), SAMPLE.name)
    _, from_xlsx = await upload(admin, "preview", workbook, "discovery-day.xlsx", kind=XLSX)
    assert from_xlsx["rooms"] == from_csv["rooms"] and from_xlsx["mails"] == from_csv["mails"]
    _, applied = await upload(admin, "apply", workbook, "discovery-day.xlsx", kind=XLSX, preview=from_xlsx["preview"])
    assert applied["rooms_created"] == 4
