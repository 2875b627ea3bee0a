"""An invite-only room is invisible to non-members through every door."""

from __future__ import annotations

import pytest

# The same behaviour on the embedded default and on the scale-out database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


async def test_non_member_cannot_read_an_invite_only_room_through_any_door(alice, bob, carol):
    room = await alice.create_room("Care Act calculator", visibility="invite", summary="secret")
    thread = await alice.start_thread(room, "Interest rules", "Draft rates attached")
    page = await alice.get(f"/api/v1/threads/{thread['id']}/messages")
    message_id = page["messages"][0]["id"]

    # REST: every read door answers 404, indistinguishable from a room that does not exist.
    for path in (
        f"/api/v1/rooms/{room['id']}",
        f"/api/v1/rooms/{room['slug']}",
        f"/api/v1/rooms/{room['id']}/threads",
        f"/api/v1/rooms/{room['id']}/members",
        f"/api/v1/rooms/{room['id']}/events?after=0",
        f"/api/v1/threads/{thread['id']}",
        f"/api/v1/threads/{thread['id']}/messages",
        f"/api/v1/messages/{message_id}",
        f"/api/v1/messages/{message_id}/history",
    ):
        status, data = await bob.call("GET", path)
        assert status == 404, (path, status, data)
        assert data["error"]["code"] == "not_found"
    directory = await bob.get("/api/v1/rooms")
    assert room["id"] not in [r["id"] for r in directory["rooms"]]
    assert (await bob.get("/api/v1/rooms?q=Care"))["rooms"] == []
    status, _ = await bob.call("POST", f"/api/v1/rooms/{room['id']}/join", json={})
    assert status == 404
    status, _ = await bob.call("POST", "/api/v1/preview", json={"body": "x", "room_id": room["id"]})
    assert status == 404

    # Writes are refused the same way and store nothing.
    status, _ = await bob.send(thread["id"], "let me in", "intruder-1")
    assert status == 404
    status, _ = await bob.call("PATCH", f"/api/v1/messages/{message_id}", json={"body": "x"})
    assert status == 404

    # Socket.IO: subscribing is checked like any read, sending like any write.
    sock = await bob.socket()
    answer = await sock.call("subscribe", {"rooms": {str(room["id"]): 0}})
    assert answer["rooms"][str(room["id"])]["error"]["code"] == "not_found"
    sent = await sock.call("send", {"thread_id": thread["id"], "client_id": "intruder-2", "body": "hi"})
    assert sent["error"]["code"] == "not_found"
    typing = await sock.call("typing", {"thread_id": thread["id"]})
    assert typing["error"]["code"] == "not_found"
    # ...and the refused subscriber receives nothing that happens in the room.
    await alice.send(thread["id"], "members only", "m-1")
    member_sock = await alice.socket()
    await member_sock.subscribe({room["id"]: 0})
    await sock.barrier((await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel"))["id"])
    assert [e for e in sock.events if e["type"] != "read"] == []

    # Once invited, the same person can read.
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"email": "carol@dh.example"}, expect=201)
    assert (await carol.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"][0]["body"] == "Draft rates attached"
    assert len((await alice.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"]) == 2


async def test_leaving_an_invite_only_room_stops_live_events(alice, bob):
    room = await alice.create_room("Private", visibility="invite")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}, expect=201)
    thread = await alice.start_thread(room, "T")
    sock = await bob.socket()
    await sock.subscribe({room["id"]: 0})
    await bob.post(f"/api/v1/rooms/{room['id']}/leave", expect=200)
    await sock.wait_for("room.access_lost")
    await alice.send(thread["id"], "after bob left", "x-1")
    await sock.barrier((await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel"))["id"])
    assert sock.of_type("message.created") == []


async def test_only_owners_facilitators_and_admins_invite(alice, bob, carol, admin):
    room = await alice.create_room("Private", visibility="invite")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}, expect=201)
    status, data = await bob.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"user_id": carol.id})
    assert status == 403 and data["error"]["code"] == "forbidden"
    # Administrators (and facilitators) may read and invite anywhere.
    await admin.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": carol.id}, expect=201)
    # An address without an account is invited (issue 8; tests/test_invitations.py).
    status, data = await admin.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"email": "nobody@nowhere.example"})
    assert status == 201 and data["results"][0]["outcome"] == "invited"


async def test_making_a_room_invite_only_unsubscribes_non_members(alice, bob, carol):
    room = await alice.create_room("Was open")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "T")
    member = await bob.socket()
    outsider = await carol.socket()
    await member.subscribe({room["id"]: 0})
    await outsider.subscribe({room["id"]: 0})
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"visibility": "invite"}, expect=200)
    [lost] = await outsider.wait_for("room.access_lost")
    assert lost["room_id"] == room["id"]
    await alice.send(thread["id"], "members only now", "p-1")
    await member.wait_for("message.created")
    await outsider.barrier((await carol.start_thread(await carol.create_room("Carol's own"), "Sentinel"))["id"])
    assert outsider.of_type("message.created") == []
