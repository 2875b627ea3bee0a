"""Signals that must reach people without a reload (issue 19): interest in a room
reaches its owners live, by email and in their inbox, and the person who answered
sees who else did; a change of site role reaches that person's connections. Real
server, real SQLite, real python-socketio clients, mail read from the outbox."""

from __future__ import annotations

from .people import Person, PersonFactory
from .test_invitations import mail_text


async def test_interest_reaches_the_owners_live_by_email_and_in_the_inbox(people: PersonFactory, alice: Person, bob: Person, carol: Person):
    room = await alice.create_room("Fly-tipping reports", looking_for_collaborators=True)
    owner_socket = await alice.socket()

    said = (await bob.post(f"/api/v1/rooms/{room['id']}/interest", {"kind": "same-problem"}, expect=200))["interest"]
    [heard] = await owner_socket.wait_for("interest.changed")
    assert (heard["room_id"], heard["kind"], heard["said"]) == (room["id"], "same-problem", True)
    assert heard["person"]["display_name"] == "Bob Supplier"
    mail = await mail_text(people, "alice@camden.example", "We have this problem too")
    assert 'Bob Supplier (Bristol City Council) said "We have this problem too" about your room "Fly-tipping reports"' in mail
    assert f"/r/{room['slug']}" in mail

    # The person who answered sees who answered, by organisation.
    await carol.post(f"/api/v1/rooms/{room['id']}/interest", {"kind": "same-problem"}, expect=200)
    seen = (await bob.get(f"/api/v1/rooms/{room['id']}/interest"))["interest"]
    assert [[p["display_name"] for p in g["people"]] for g in seen["same_problem"]["groups"]] == [["Bob Supplier"], ["Carol Policy"]]
    assert said["mine"] == ["same-problem"]

    signals = (await alice.get("/api/v1/inbox"))["signals"]
    assert [(s["kind"], s["person"]["display_name"], s["room"]["id"]) for s in signals] == [
        ("same-problem", "Carol Policy", room["id"]),
        ("same-problem", "Bob Supplier", room["id"]),
    ]
    assert (await bob.get("/api/v1/inbox"))["signals"] == []  # only the owners are told

    # Saying it again tells no one again; taking it back is heard live and leaves the inbox.
    await bob.post(f"/api/v1/rooms/{room['id']}/interest", {"kind": "same-problem"}, expect=200)
    await bob.call("DELETE", f"/api/v1/rooms/{room['id']}/interest?kind=same-problem", expect=200)
    heard = await owner_socket.wait_for("interest.changed", count=3)
    assert [(e["person"]["display_name"], e["said"]) for e in heard] == [
        ("Bob Supplier", True),
        ("Carol Policy", True),
        ("Bob Supplier", False),
    ]
    assert [s["person"]["display_name"] for s in (await alice.get("/api/v1/inbox"))["signals"]] == ["Carol Policy"]


async def test_a_request_to_join_is_in_the_owners_inbox_while_pending(alice: Person, bob: Person):
    room = await alice.create_room("Housing repairs", visibility="invite", looking_for_collaborators=True)
    asked = (await bob.post(f"/api/v1/rooms/{room['id']}/join-requests", {"message": "Us too"}, expect=201))["join_request"]
    [signal] = (await alice.get("/api/v1/inbox"))["signals"]
    assert (signal["kind"], signal["person"]["display_name"]) == ("join-request", "Bob Supplier")
    await alice.post(f"/api/v1/join-requests/{asked['id']}/accept", expect=200)
    assert (await alice.get("/api/v1/inbox"))["signals"] == []


async def test_a_new_role_reaches_that_persons_connections(admin: Person, bob: Person):
    watching = await bob.socket()
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", {"role": "facilitator"}, expect=200)
    [changed] = await watching.wait_for("role.changed")
    assert changed == {"type": "role.changed", "role": "facilitator"}


async def test_the_event_page_and_the_pipeline_agree_on_who_is_involved(admin: Person, alice: Person):
    """One definition: a room's members and their organisations. Right after seeding,
    nobody has posted, but the person seeding is a member: both pages name them."""
    from .test_seed_http import YAML, preview_and_apply

    await preview_and_apply(admin, YAML)
    [listed] = (await admin.get("/api/v1/events"))["events"]
    event = (await admin.get(f"/api/v1/events/{listed['id']}"))["event"]
    board = await admin.get("/api/v1/pipeline")
    on_board = {room["id"]: [o["name"] for o in room["organisations"]] for column in board["columns"] for room in column["rooms"]}
    for room in event["rooms"]:
        assert room["involved_organisations"] == on_board[room["id"]] != []
    assert event["involved_organisations"] == ["LocalGov Digital"]
    assert event["active_organisations"] == []  # nobody has posted since: activity is told apart


async def test_search_finds_rooms_by_name_summary_and_tag_before_messages_readable_ones_only(alice: Person, bob: Person):
    registry = await alice.create_room("Land Registry searches", summary="Local land charges, **faster**.", tags=["property"])
    secret = await alice.create_room("Land Registry pilot", visibility="invite", tags=["property"])
    charges = await alice.create_room("Charges register", summary="Moving the register to the Land Registry.")
    tagged = await alice.create_room("Conveyancing", tags=["land registry"])
    await alice.start_thread(registry, "Land Registry API keys", "Who holds the Land Registry keys?")

    found = await bob.get("/api/v1/search?q=land+registry")
    ids = [r["id"] for r in found["rooms"]]
    assert set(ids) == {registry["id"], charges["id"], tagged["id"]} and secret["id"] not in ids
    assert ids[-1] == tagged["id"]  # a tag match after name and summary matches
    assert found["rooms"][0]["summary_html"] or found["rooms"][0]["title"]
    assert [r["kind"] for r in found["results"]] and all(r["room"]["id"] == registry["id"] for r in found["results"])
    assert [r["id"] for r in (await alice.get("/api/v1/search?q=land+registry"))["rooms"]].count(secret["id"]) == 1
    assert [r["id"] for r in (await bob.get("/api/v1/search?q=property"))["rooms"]] == [registry["id"]]
    # Filters narrow messages; rooms are listed only for a plain search's first page.
    assert (await bob.get(f"/api/v1/search?q=land&room={registry['slug']}"))["rooms"] == []


async def test_an_invitation_link_says_which_room_and_who_invited_and_asks_for_an_organisation(people: PersonFactory, alice: Person):
    from .test_invitations import MARKER, invite

    room = await alice.create_room("Blue badge renewals", visibility="invite", summary="Renewing **blue badges**.")
    thread = await alice.start_thread(room, "Evidence", "Which documents?")
    await invite(alice, room, "sam@supplier.example")
    token = await people.mailed_token("sam@supplier.example", MARKER)
    stranger = Person(people, people.new_session(), {})
    people.people.append(stranger)

    seen = await stranger.post("/api/v1/invitations/preview", {"token": token}, expect=200)
    assert seen["room"]["title"] == "Blue badge renewals" and "<strong>blue badges</strong>" in seen["room"]["summary_html"]
    assert seen["invited_by"]["display_name"] == "Alice Officer"
    assert seen["invited_by"]["organisation"]["name"] == "Camden Council"
    assert (seen["email"], seen["organisation_needed"]) == ("sam@supplier.example", True)
    again = await stranger.post("/api/v1/invitations/preview", {"token": token}, expect=200)  # reading does not use it
    assert again == seen
    status, refused = await stranger.call("POST", "/api/v1/invitations/preview", {"token": "nope"})
    assert status == 400 and refused["error"]["field"] == "token"

    redeemed = await stranger.post("/api/v1/invitations/redeem", {"token": token, "organisation": "  Acme Digital "}, expect=200)
    assert redeemed["user"]["organisation"]["name"] == "Acme Digital"
    status, sent = await stranger.send(thread["id"], "We hold those records.", "sam-1")
    assert status == 201 and sent["message"]["author"]["organisation"]["name"] == "Acme Digital"
    status, used = await stranger.call("POST", "/api/v1/invitations/preview", {"token": token})
    assert status == 400 and "already been used" in used["error"]["message"]
