"""The pipeline: stage moves as numbered room events (live and on catch-up), who may
move a room, the incubation criteria, the history, and the board with its filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import Settings
from server.domain.seed_files import read_seed
from server.http.keys import DATABASE
from server.seed_command import run_seed
from server.vocabulary import STAGES

from .query_count import request_queries

# The same behaviour on the embedded default and on the scale-out database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

CRITERIA = {
    "user_need": "Residents re-key the same data for council and DWP",
    "cost_benefit": "£2m a year across 40 councils",
    "rapid_success": "A pilot API already runs in Camden",
}


async def make_facilitator(admin, person) -> None:
    await admin.call("PATCH", f"/api/v1/users/{person.id}", json={"role": "facilitator"}, expect=200)


async def test_a_move_is_a_numbered_event_received_live_replayed_on_catch_up_and_kept_in_history(alice, bob, carol):
    room = await alice.create_room("Care calculator")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Rules", "Which rules apply?")
    room = (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"]
    before = room["last_seq"]
    live = await bob.socket()
    await live.subscribe({room["id"]: before})

    moved = await alice.post(f"/api/v1/rooms/{room['slug']}/stage", {"stage": "co-design", "note": "Agreed at the Leeds day"}, expect=201)
    move = moved["move"]
    assert (move["from_stage"], move["to_stage"], move["criteria"]) == ("discovery", "co-design", None)
    assert move["note"] == "Agreed at the Leeds day"
    assert move["seq"] == before + 1 and move["moved_by"]["display_name"] == "Alice Officer"
    assert moved["room"]["stage"] == "co-design" and moved["room"]["last_seq"] == before + 1

    [event] = await live.wait_for("stage.moved")
    assert event == {"type": "stage.moved", "room_id": room["id"], "seq": before + 1, "move": move}
    # Numbered like a message: the next post takes the following number.
    status, posted = await alice.send(thread["id"], "On to co-design", "after-move")
    assert status == 201 and posted["message"]["seq"] == before + 2

    # A client that was away gets the move replayed, in order, on subscribe and over REST.
    late = await carol.socket()
    replay = (await late.subscribe({room["id"]: before}))[str(room["id"])]
    assert [(e["type"], e["seq"]) for e in replay["events"]] == [("stage.moved", before + 1), ("message.created", before + 2)]
    assert replay["events"][0]["move"] == move
    caught = await carol.get(f"/api/v1/rooms/{room['id']}/events?after={before}")
    assert caught["events"][0] == event

    await alice.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "incubation", "criteria": CRITERIA}, expect=201)
    history = (await carol.get(f"/api/v1/rooms/{room['id']}/stages"))["moves"]
    assert [(m["from_stage"], m["to_stage"]) for m in history] == [("discovery", "co-design"), ("co-design", "incubation")]
    assert history[0] == move and history[1]["criteria"] == CRITERIA and history[1]["note"] == ""
    shown = (await carol.get(f"/api/v1/rooms/{room['id']}"))["room"]
    assert shown["stage"] == "incubation" and shown["incubation_criteria"] == CRITERIA


async def test_only_facilitators_owners_and_administrators_move_a_room(people, admin, alice, bob, carol):
    room = await alice.create_room("Open concept")
    hidden = await alice.create_room("Invite-only concept", visibility="invite")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    status, data = await bob.call("POST", f"/api/v1/rooms/{room['id']}/stage", json={"stage": "co-design"})
    assert status == 403 and "owners, facilitators and administrators" in data["error"]["message"]  # a member
    status, _ = await carol.call("POST", f"/api/v1/rooms/{room['id']}/stage", json={"stage": "co-design"})
    assert status == 403  # not a member of an open room she can read
    status, data = await carol.call("POST", f"/api/v1/rooms/{hidden['id']}/stage", json={"stage": "co-design"})
    assert status == 404 and data["error"]["field"] == "room"  # an invite-only room does not show itself
    # Settings are no side door: a member's PATCH of the stage is refused the same way.
    status, _ = await bob.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"stage": "live"})
    assert status == 403
    assert (await bob.get(f"/api/v1/rooms/{room['id']}/stages"))["moves"] == []

    await alice.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "co-design"}, expect=201)  # the owner
    await make_facilitator(admin, carol)
    await carol.post(f"/api/v1/rooms/{hidden['id']}/stage", {"stage": "live"}, expect=201)  # a facilitator, not a member
    await admin.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "live"}, expect=201)
    movers = [m["moved_by"]["display_name"] for m in (await bob.get(f"/api/v1/rooms/{room['id']}/stages"))["moves"]]
    assert movers == ["Alice Officer", "Ada Admin"]


async def test_incubation_needs_the_three_criteria_and_bad_moves_write_nothing(alice, bob):
    room = await alice.create_room("Land data API", stage="co-design")
    path = f"/api/v1/rooms/{room['id']}/stage"
    cases = [
        ({"stage": "incubation"}, 400, "criteria.user_need"),
        ({"stage": "incubation", "criteria": {**CRITERIA, "user_need": "  "}}, 400, "criteria.user_need"),
        ({"stage": "incubation", "criteria": {**CRITERIA, "cost_benefit": ""}}, 400, "criteria.cost_benefit"),
        ({"stage": "incubation", "criteria": {"user_need": "x", "cost_benefit": "y"}}, 400, "criteria.rapid_success"),
        ({"stage": "live", "criteria": CRITERIA}, 400, "criteria"),
        ({"stage": "co-design"}, 409, "stage"),
        ({"stage": "beta"}, 400, "stage"),
        ({"stage": "live", "note": "x" * 2001}, 400, "note"),
    ]
    for body, status, field in cases:
        got, data = await alice.call("POST", path, json=body)
        assert (got, data["error"]["field"]) == (status, field), body
    status, data = await alice.call("POST", path, json={"stage": "incubation"})
    assert "user need that only central-local collaboration can meet" in data["error"]["message"]
    status, data = await alice.call("POST", path, json={"stage": "co-design"})
    assert "already in co-design" in data["error"]["message"]
    # The room's settings take no shortcut to incubation: they point to the move.
    status, data = await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"stage": "incubation", "title": "Renamed"})
    assert status == 400 and data["error"]["field"] == "stage" and "/stage" in data["error"]["message"]
    after = (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"]
    assert (after["stage"], after["title"], after["last_seq"]) == ("co-design", "Land data API", room["last_seq"])
    assert after["incubation_criteria"] is None
    assert (await alice.get(f"/api/v1/rooms/{room['id']}/stages"))["moves"] == []

    padded = {k: f" {v} " for k, v in CRITERIA.items()}
    moved = await alice.post(path, {"stage": "incubation", "note": "  Ready  ", "criteria": padded}, expect=201)
    assert moved["move"]["criteria"] == CRITERIA and moved["move"]["note"] == "Ready"


async def test_settings_change_of_stage_is_the_same_move(alice, bob):
    room = await alice.create_room("Local links")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Links", "Broken ones")
    live = await bob.socket()
    await live.subscribe({room["id"]: (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"]["last_seq"]})
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"stage": "archived", "tags": ["web"]}, expect=200)
    [event] = await live.wait_for("stage.moved")
    assert (event["move"]["from_stage"], event["move"]["to_stage"]) == ("discovery", "archived")
    # The same stage again through settings changes nothing and posts nothing.
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"stage": "archived"}, expect=200)
    assert len((await bob.get(f"/api/v1/rooms/{room['id']}/stages"))["moves"]) == 1
    # Archived rooms stay read-only; moving out of archived is how they open again.
    status, data = await alice.send(thread["id"], "more", "arch-1")
    assert status == 403 and "archived" in data["error"]["message"]
    await alice.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "live", "note": "Back in use"}, expect=201)
    status, _ = await alice.send(thread["id"], "more", "arch-2")
    assert status == 201
    await live.barrier(thread["id"])
    assert [e["move"]["to_stage"] for e in live.of_type("stage.moved")] == ["archived", "live"]


async def seed_event(settings: Settings, tmp_path: Path, actor: str, name: str, titles: list[str]) -> None:
    rooms = "".join(f"  - title: {t}\n    stage: Discovery\n    participants: someone@leeds.example\n" for t in titles)
    path = tmp_path / "event.yaml"
    path.write_text(f"event:\n  name: {name}\nrooms:\n{rooms}")
    plan = read_seed(path.read_bytes(), path.name, stages=STAGES)
    assert plan.applicable, plan.problems
    assert await run_seed(settings, plan, actor, dry_run=False) == 0


async def test_board_columns_cards_and_filters(settings, tmp_path, admin, alice, bob, carol):
    organisations = (("Camden Council", "camden.example", "council"), ("Department of Health", "dh.example", "central-government"))
    for name, domain, kind in organisations:
        await admin.post("/api/v1/organisations", {"name": name, "domains": [domain], "kind": kind}, expect=201)
    care = await alice.create_room("Care calculator", tags=["care"], looking_for_collaborators=True)
    await bob.create_room("Parking API", tags=["api"])
    secret = await bob.create_room("Quiet work", visibility="invite")
    await carol.post(f"/api/v1/rooms/{care['id']}/join", expect=200)
    thread = await alice.start_thread(care, "Rules", "Which rules?")
    await alice.send(thread["id"], "And charges?", "c-2")
    await alice.post(f"/api/v1/rooms/{care['id']}/stage", {"stage": "incubation", "criteria": CRITERIA}, expect=201)
    await seed_event(settings, tmp_path, "ada@localdigital.example", "Co-Design Day, York", ["Housing repairs"])

    board = await carol.get("/api/v1/pipeline")
    assert [c["stage"] for c in board["columns"]] == list(STAGES)
    by_stage = {c["stage"]: [r["title"] for r in c["rooms"]] for c in board["columns"]}
    assert by_stage["incubation"] == ["Care calculator"]
    assert sorted(by_stage["discovery"]) == ["Housing repairs", "Parking API"]  # not the invite-only room
    assert by_stage["live"] == by_stage["co-design"] == by_stage["archived"] == []
    [card] = board["columns"][2]["rooms"]
    assert card["incubation_criteria"] == CRITERIA and card["looking_for_collaborators"] is True
    assert card["recent_message_count"] == 2 and card["member_count"] == 2 and card["tags"] == ["care"]
    assert card["organisations"] == [
        {"name": "Camden Council", "kind": "council", "verified": True, "members": 1},
        {"name": "Department of Health", "kind": "central-government", "verified": True, "members": 1},
    ]
    assert card["can_move"] is False  # carol is a member, not an owner
    assert board["events"] == [{"id": board["events"][0]["id"], "name": "Co-Design Day, York"}]
    event_id = board["events"][0]["id"]
    housing = next(r for r in board["columns"][0]["rooms"] if r["title"] == "Housing repairs")
    assert housing["event"] == {"id": event_id, "name": "Co-Design Day, York"}
    # The owner's self-declared organisation has no kind; the invited person has none yet.
    assert housing["organisations"] == [{"name": "LocalGov Digital", "kind": None, "verified": False, "members": 1}]
    mine = await alice.get("/api/v1/pipeline")
    assert mine["columns"][2]["rooms"][0]["can_move"] is True
    assert all(r["can_move"] for c in (await admin.get("/api/v1/pipeline"))["columns"] for r in c["rooms"])
    assert "Quiet work" in [r["title"] for r in (await admin.get("/api/v1/pipeline"))["columns"][0]["rooms"]]

    async def titles(query: str) -> list[str]:
        return sorted(r["title"] for c in (await carol.get(f"/api/v1/pipeline{query}"))["columns"] for r in c["rooms"])

    assert await titles("?tag=API") == ["Parking API"]
    assert await titles("?organisation=bristol") == ["Parking API"]  # bob's self-declared organisation
    assert await titles("?kind=central-government") == ["Care calculator"]
    assert await titles("?kind=supplier") == []
    assert await titles(f"?event={event_id}") == ["Housing repairs"]
    assert await titles(f"?event={event_id}&tag=care") == []
    status, data = await carol.call("GET", "/api/v1/pipeline?kind=bakery")
    assert status == 400 and data["error"]["field"] == "kind"
    assert secret["id"] not in [r["id"] for c in board["columns"] for r in c["rooms"]]


async def test_board_and_history_cost_a_fixed_number_of_queries(server, alice, bob):
    """No N+1: the board costs the same number of queries for 2 rooms as for 12, and a
    room's history the same for 1 move as for 4."""
    engine = server.app[DATABASE].engine.sync_engine

    async def queries(path: str) -> int:
        return await request_queries(engine, bob, path)

    rooms = [await alice.create_room(f"Concept {i}", tags=["a"]) for i in range(2)]
    await bob.post(f"/api/v1/rooms/{rooms[0]['id']}/join", expect=200)
    await alice.post(f"/api/v1/rooms/{rooms[0]['id']}/stage", {"stage": "co-design"}, expect=201)
    few = await queries("/api/v1/pipeline")
    one_move = await queries(f"/api/v1/rooms/{rooms[0]['id']}/stages")
    for i in range(10):
        extra = await alice.create_room(f"Extra {i}", tags=["b"], looking_for_collaborators=True)
        await bob.post(f"/api/v1/rooms/{extra['id']}/join", expect=200)
        await alice.post(f"/api/v1/rooms/{extra['id']}/stage", {"stage": "incubation", "criteria": CRITERIA}, expect=201)
    for body in ({"stage": "incubation", "criteria": CRITERIA}, {"stage": "live"}, {"stage": "archived"}):
        await alice.post(f"/api/v1/rooms/{rooms[0]['id']}/stage", body, expect=201)
    assert await queries("/api/v1/pipeline") == few
    assert await queries(f"/api/v1/rooms/{rooms[0]['id']}/stages") == one_move
