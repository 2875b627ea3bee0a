"""Matchmaking (issue 9): who is involved in a room by organisation kind, interest
counted once per organisation, requests to join decided by owners (the person asking
told live and by email), suggestions by kind and by tag; and invite-only rooms never
showing their content through any of it. Real databases, real server, real
python-socketio clients, mail read from the outbox the deliverer writes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from server.http.keys import DATABASE
from server.store.models import OutboundMail

from .people import Person, PersonFactory
from .query_count import request_queries
from .test_invitations import mail_text

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
async def organisations(admin: Person) -> None:
    for name, domain, kind in (
        ("Camden Council", "camden.example", "council"),
        ("Bristol City Council", "bristol.example", "council"),
        ("Department of Health", "dh.example", "central-government"),
        ("Acme Digital", "acme.example", "supplier"),
    ):
        await admin.post("/api/v1/organisations", {"name": name, "domains": [domain], "kind": kind}, expect=201)


@pytest.fixture
async def dave(people: PersonFactory, admin: Person) -> Person:
    return await people.signup("dave@acme.example", "Dave Supplier", "Acme Digital", confirm=True)


@pytest.fixture
async def eve(people: PersonFactory, admin: Person) -> Person:
    return await people.signup("eve@parks.example", "Eve Volunteer", "Friends of the Parks", confirm=True)


async def say(person: Person, room_id: int, kind: str) -> dict[str, Any]:
    return (await person.post(f"/api/v1/rooms/{room_id}/interest", {"kind": kind}, expect=200))["interest"]


async def withdraw(person: Person, room_id: int, kind: str) -> dict[str, Any]:
    return (await person.call("DELETE", f"/api/v1/rooms/{room_id}/interest?kind={kind}", expect=200))[1]["interest"]


async def test_a_room_shows_its_organisations_by_kind_each_counted_once(people, organisations, alice, bob, carol, dave, eve):
    other_camden = await people.signup("zoe@camden.example", "Zoe Officer", "Camden", confirm=True)
    typo = await people.signup("yan@parks.example", "Yan Volunteer", "friends of the  PARKS", confirm=True)
    room = await alice.create_room("Blue Badge renewals", tags=["parking"])
    for person in (bob, carol, dave, eve, other_camden, typo):
        await person.post(f"/api/v1/rooms/{room['id']}/join", expect=200)

    seen = (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]["involvement"]
    assert seen["summary"] == "2 councils, 1 department, 1 supplier, 1 unverified organisation"
    assert seen["kinds"] == [{"kind": "council", "count": 2}, {"kind": "central-government", "count": 1}, {"kind": "supplier", "count": 1}]
    assert [o["name"] for o in seen["organisations"]] == ["Bristol City Council", "Camden Council", "Department of Health", "Acme Digital"]
    assert seen["unverified"] == 1
    [card] = [r for r in (await eve.get("/api/v1/rooms"))["rooms"] if r["id"] == room["id"]]
    assert card["involvement"] == seen

    alone = await carol.create_room("Just us")
    assert (await carol.get(f"/api/v1/rooms/{alone['id']}"))["room"]["involvement"]["summary"] == "1 department"


async def test_interest_is_counted_once_per_organisation_lists_its_people_and_can_be_withdrawn(
    people, organisations, alice, bob, carol, dave
):
    bristol_too = await people.signup("bea@bristol.example", "Bea Analyst", "Bristol", confirm=True)
    room = await alice.create_room("Fly-tipping reports", looking_for_collaborators=True)
    await say(bob, room["id"], "same-problem")
    await say(bob, room["id"], "same-problem")  # a second click changes nothing
    await say(bristol_too, room["id"], "same-problem")
    await say(carol, room["id"], "can-help")
    shown = await say(dave, room["id"], "can-help")

    assert shown["same_problem"]["organisations"] == 1
    [bristol] = shown["same_problem"]["groups"]
    assert bristol["organisation"] == {"name": "Bristol City Council", "verified": True, "kind": "council"}
    assert sorted(p["display_name"] for p in bristol["people"]) == ["Bea Analyst", "Bob Supplier"]
    assert shown["can_help"]["organisations"] == 2
    assert shown["mine"] == ["can-help"]
    [card] = (await alice.get("/api/v1/collaborations"))["rooms"]
    assert card["interest"] == {"same_problem": 1, "can_help": 2}
    assert card["membership"] == "owner"

    assert (await withdraw(bob, room["id"], "same-problem"))["same_problem"]["organisations"] == 1
    after = await withdraw(bristol_too, room["id"], "same-problem")
    assert after["same_problem"] == {"organisations": 0, "groups": []}
    assert after["mine"] == []

    quiet = await alice.create_room("Not looking")
    status, answer = await bob.call("POST", f"/api/v1/rooms/{quiet['id']}/interest", {"kind": "can-help"})
    assert status == 409 and answer["error"]["field"] == "room"
    status, answer = await bob.call("POST", f"/api/v1/rooms/{room['id']}/interest", {"kind": "maybe"})
    assert status == 400 and answer["error"]["field"] == "kind"


async def test_an_owner_accepts_a_request_to_join_and_the_asker_is_told_live_and_by_email(people, organisations, alice, bob, carol):
    room = await alice.create_room("Housing repairs", visibility="invite", looking_for_collaborators=True)
    owner_socket = await alice.socket()
    asker_socket = await bob.socket()

    asked = (await bob.post(f"/api/v1/rooms/{room['id']}/join-requests", {"message": "  Bristol has this too.  "}, expect=201))[
        "join_request"
    ]
    assert asked["status"] == "pending" and asked["message"] == "Bristol has this too."
    again = (await bob.post(f"/api/v1/rooms/{room['id']}/join-requests", {}, expect=201))["join_request"]
    assert again["id"] == asked["id"] and again["message"] == "Bristol has this too."
    [received] = await owner_socket.wait_for("join_request.received")
    assert received["join_request"]["user"]["display_name"] == "Bob Supplier"
    owner_mail = await mail_text(people, "alice@camden.example", "asks to join")
    assert "Bob Supplier (Bristol City Council) asks to join the room \"Housing repairs\"" in owner_mail
    assert "> Bristol has this too." in owner_mail and f"/r/{room['slug']}" in owner_mail
    async with people.server.app[DATABASE].read() as session:
        asks = select(func.count()).select_from(OutboundMail).where(OutboundMail.subject.like("%asks to join%"))
        assert await session.scalar(asks) == 1  # asking again while pending tells no one again

    [pending] = (await alice.get(f"/api/v1/rooms/{room['id']}/join-requests"))["join_requests"]
    assert pending["id"] == asked["id"]
    [card] = (await bob.get("/api/v1/collaborations"))["rooms"]
    assert card["join_request"] == "pending" and card["membership"] is None

    # Only the room's owners (and facilitators, administrators) decide; the asker cannot.
    for outsider in (carol, bob):
        status, answer = await outsider.call("POST", f"/api/v1/join-requests/{asked['id']}/accept")
        assert status == 403, answer
        assert (await outsider.call("GET", f"/api/v1/rooms/{room['id']}/join-requests"))[0] in (403, 404)

    decided = (await alice.post(f"/api/v1/join-requests/{asked['id']}/accept", expect=200))["join_request"]
    assert decided["status"] == "accepted" and decided["decided_at"]
    [told] = await asker_socket.wait_for("join_request.decided")
    assert told["room_id"] == room["id"] and told["join_request"]["status"] == "accepted"
    assert (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]["membership"] == "member"
    mail = await mail_text(people, "bob@bristol.example", f"/r/{room['slug']}")
    assert 'Alice Officer accepted your request to join the room "Housing repairs"' in mail
    assert "Subject: You are now a member of Housing repairs on Convene" in mail

    status, answer = await alice.call("POST", f"/api/v1/join-requests/{asked['id']}/decline")
    assert status == 409 and "already accepted" in answer["error"]["message"]
    assert (await alice.get(f"/api/v1/rooms/{room['id']}/join-requests"))["join_requests"] == []
    status, answer = await bob.call("POST", f"/api/v1/rooms/{room['id']}/join-requests", {})
    assert status == 409 and "already a member" in answer["error"]["message"]


async def test_a_declined_request_is_told_and_may_be_asked_again(people, organisations, admin, alice, carol):
    room = await alice.create_room("Adult social care", visibility="invite", looking_for_collaborators=True)
    asker_socket = await carol.socket()
    asked = (await carol.post(f"/api/v1/rooms/{room['id']}/join-requests", {"message": "DH policy team"}, expect=201))["join_request"]

    # An administrator may decide any room's requests.
    decided = (await admin.post(f"/api/v1/join-requests/{asked['id']}/decline", expect=200))["join_request"]
    assert decided["status"] == "declined"
    [told] = await asker_socket.wait_for("join_request.decided")
    assert told["join_request"]["status"] == "declined"
    mail = await mail_text(people, "carol@dh.example", "declined your request to join")
    assert "Subject: Your request to join Adult social care on Convene" in mail
    assert (await carol.call("GET", f"/api/v1/rooms/{room['id']}"))[0] == 404

    reopened = (await carol.post(f"/api/v1/rooms/{room['id']}/join-requests", {"message": "Second try"}, expect=201))["join_request"]
    assert reopened["id"] == asked["id"] and reopened["status"] == "pending" and reopened["decided_at"] is None

    status, answer = await carol.call("POST", f"/api/v1/rooms/{(await alice.create_room('Open one'))['id']}/join-requests", {})
    assert status == 409 and "join it directly" in answer["error"]["message"]


async def test_invite_only_rooms_show_only_their_card_and_only_while_looking_for_collaborators(people, organisations, alice, bob):
    hidden = await alice.create_room("Secret restructure", visibility="invite", tags=["housing"], summary="Not for outsiders")
    listed = await alice.create_room("Housing data standard", visibility="invite", tags=["housing"], looking_for_collaborators=True)
    for room in (hidden, listed):
        await alice.start_thread(room, f"Private thread in {room['slug']}", "Budget figures inside")
    mine = await bob.create_room("Bristol housing", tags=["housing"])
    request_id = (await bob.post(f"/api/v1/rooms/{listed['id']}/join-requests", {}, expect=201))["join_request"]["id"]

    # The hidden room is absent everywhere, exactly like a room that does not exist.
    for method, path, body in (
        ("GET", f"/api/v1/collaborations/{hidden['id']}", None),
        ("GET", f"/api/v1/collaborations/{hidden['slug']}", None),
        ("GET", f"/api/v1/rooms/{hidden['id']}/interest", None),
        ("POST", f"/api/v1/rooms/{hidden['id']}/interest", {"kind": "can-help"}),
        ("POST", f"/api/v1/rooms/{hidden['id']}/join-requests", {}),
        ("GET", f"/api/v1/rooms/{hidden['id']}/join-requests", None),
        ("GET", "/api/v1/collaborations/999999", None),
    ):
        status, answer = await bob.call(method, path, body)
        assert (status, answer["error"]["message"]) == (404, "no such room"), (path, answer)

    # The listed one shows its card, never its threads, messages or members.
    for path in (f"/api/v1/rooms/{listed['id']}", f"/api/v1/rooms/{listed['id']}/threads", f"/api/v1/rooms/{listed['id']}/members"):
        assert (await bob.call("GET", path))[0] == 404, path
    seen = [
        await bob.get(f"/api/v1/collaborations/{listed['id']}"),
        await bob.get("/api/v1/collaborations"),
        await bob.get("/api/v1/suggestions"),
        await bob.get("/api/v1/rooms"),
    ]
    text = json.dumps(seen)
    assert "Housing data standard" in text
    for secret in ("Secret restructure", "Not for outsiders", "Private thread", "Budget figures", "Alice Officer", "alice@"):
        assert secret not in text, secret
    assert [s["room"]["id"] for s in seen[2]["suggestions"]] == [listed["id"]]
    assert mine["id"] not in [c["room"]["id"] for c in seen[1]["rooms"]]

    # Once it stops looking for collaborators, its card is gone too, and so is deciding by outsiders.
    await alice.call("PATCH", f"/api/v1/rooms/{listed['id']}", {"looking_for_collaborators": False}, expect=200)
    assert (await bob.call("GET", f"/api/v1/collaborations/{listed['id']}"))[0] == 404
    assert (await bob.get("/api/v1/collaborations"))["rooms"] == []
    assert (await bob.call("POST", f"/api/v1/join-requests/{request_id}/accept"))[0] == 404
    assert (await bob.call("POST", "/api/v1/join-requests/2147483647/accept"))[0] == 404


async def test_suggestions_follow_the_kind_of_your_organisation_and_the_tags_of_your_rooms(people, organisations, alice, bob, dave, eve):
    council_room = await bob.create_room("Council tax reminders", looking_for_collaborators=True, tags=["revenues"])
    supplier_room = await dave.create_room("Payments gateway", looking_for_collaborators=True, tags=["payments"])
    both = await bob.create_room("Parking permits", looking_for_collaborators=True, tags=["payments"])
    await dave.create_room("Not looking", tags=["payments"])
    archived = await bob.create_room("Old pilot", looking_for_collaborators=True, tags=["payments"])
    await bob.call("PATCH", f"/api/v1/rooms/{archived['id']}", {"stage": "archived"}, expect=200)
    already_in = await bob.create_room("Shared", looking_for_collaborators=True)
    await alice.post(f"/api/v1/rooms/{already_in['id']}/join", expect=200)

    # Alice (Camden, a council): council rooms by kind; none by tag until she is in a tagged room.
    by_kind = (await alice.get("/api/v1/suggestions"))["suggestions"]
    assert [s["room"]["id"] for s in by_kind] == [both["id"], council_room["id"]]
    assert by_kind[0]["because"] == {"kind": "council", "tags": []}

    await alice.create_room("Camden payments", tags=["payments"])
    suggested = (await alice.get("/api/v1/suggestions"))["suggestions"]
    assert [s["room"]["id"] for s in suggested] == [both["id"], supplier_room["id"], council_room["id"]]
    assert suggested[0]["because"] == {"kind": "council", "tags": ["payments"]}
    assert suggested[1]["because"] == {"kind": None, "tags": ["payments"]}

    # Eve declared her own organisation: no kind to match, and she is in no room yet.
    assert (await eve.get("/api/v1/suggestions"))["suggestions"] == []
    await eve.create_room("Park volunteers", tags=["revenues"])
    assert [s["room"]["id"] for s in (await eve.get("/api/v1/suggestions"))["suggestions"]] == [council_room["id"]]


async def test_two_owners_accepting_at_once_make_one_member_and_one_email(people, organisations, admin, alice, bob):
    room = await alice.create_room("Waste collection", visibility="invite", looking_for_collaborators=True)
    asked = (await bob.post(f"/api/v1/rooms/{room['id']}/join-requests", {}, expect=201))["join_request"]
    watcher = await alice.socket()
    await watcher.subscribe({room["id"]: 0})

    answers = await asyncio.gather(
        alice.call("POST", f"/api/v1/join-requests/{asked['id']}/accept"),
        admin.call("POST", f"/api/v1/join-requests/{asked['id']}/accept"),
    )
    assert sorted(status for status, _ in answers) == [200, 409]
    await watcher.wait_for("member.joined")
    members = (await alice.get(f"/api/v1/rooms/{room['id']}/members"))["members"]
    assert sorted(m["user"]["display_name"] for m in members) == ["Alice Officer", "Bob Supplier"]
    await mail_text(people, "bob@bristol.example", f"/r/{room['slug']}")
    async with people.server.app[DATABASE].read() as session:
        mails = await session.scalar(
            select(func.count())
            .select_from(OutboundMail)
            .where(OutboundMail.to_addr == "bob@bristol.example", OutboundMail.subject.like("You are now%"))
        )
    assert mails == 1


async def test_the_board_and_suggestions_cost_a_fixed_number_of_queries(server, organisations, alice, bob, carol):
    """No N+1: as many queries for 2 rooms as for 12, with members and interest on each."""
    engine = server.app[DATABASE].engine.sync_engine

    async def queries(path: str) -> int:
        return await request_queries(engine, bob, path)

    await bob.create_room("Bob's own", tags=["roads"])

    async def add_rooms(n: int) -> None:
        for i in range(n):
            room = await alice.create_room(f"Looking {i}", looking_for_collaborators=True, tags=["roads"])
            await carol.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
            await say(carol, room["id"], "can-help")

    await add_rooms(2)
    few = (await queries("/api/v1/collaborations"), await queries("/api/v1/suggestions"))
    await add_rooms(10)
    assert (await queries("/api/v1/collaborations"), await queries("/api/v1/suggestions")) == few
    assert len((await bob.get("/api/v1/suggestions"))["suggestions"]) == 12


async def test_a_pending_request_can_be_withdrawn(people, organisations, alice, bob):
    room = await alice.create_room("Library apps", visibility="invite", looking_for_collaborators=True)
    await bob.post(f"/api/v1/rooms/{room['id']}/join-requests", {"message": "Maybe"}, expect=201)
    withdrawn = await bob.call("DELETE", f"/api/v1/rooms/{room['id']}/join-requests", expect=200)
    assert withdrawn[1]["card"]["join_request"] is None
    assert (await alice.get(f"/api/v1/rooms/{room['id']}/join-requests"))["join_requests"] == []
    await bob.call("DELETE", f"/api/v1/rooms/{room['id']}/join-requests", expect=200)  # nothing pending: nothing changes
