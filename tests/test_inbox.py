"""The inbox (threads with unread messages across one's rooms, mentions first),
mentions and marking read, on SQLite and PostgreSQL, and its live signals between
two real Socket.IO clients."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def summary(inbox) -> list[tuple[str, str, int, int]]:
    return [(e["reason"], e["thread"]["title"], e["unread_count"], e["mention_count"]) for e in inbox["entries"]]


async def test_inbox_lists_exactly_the_unread_threads_mentions_first(alice, bob, carol):
    parking = await alice.create_room("Parking")
    care = await alice.create_room("Care")
    elsewhere = await carol.create_room("Not joined by Bob")
    for room in (parking, care):
        await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    quiet = await alice.start_thread(parking, "Quiet thread", "first")  # Bob does not follow it
    followed = await bob.start_thread(care, "Bob's question", "what about charging?")  # Bob follows (started it)
    mentioned = await alice.start_thread(parking, "Needs Bob")
    read_already = await alice.start_thread(care, "Read already", "old news")
    await carol.start_thread(elsewhere, "Outside", "not for Bob")

    await alice.send(followed["id"], "answer one", "a-1")
    await alice.send(followed["id"], "answer two", "a-2")
    await alice.send(mentioned["id"], "over to you @**Bob Supplier**", "a-3")
    await alice.send(quiet["id"], "second", "a-4")
    await bob.call("PUT", f"/api/v1/threads/{read_already['id']}/read", json={"seq": 10_000}, expect=200)
    await bob.send(followed["id"], "my own reply is not unread", "b-1")
    # Bob's own reply moved his marker past Alice's answers in that thread.

    inbox = await bob.get("/api/v1/inbox")
    assert summary(inbox) == [("mention", "Needs Bob", 1, 1), ("other", "Quiet thread", 2, 0)]
    assert inbox["unread_threads"] == 2 and inbox["unread_mentions"] == 1
    entry = inbox["entries"][0]
    assert entry["room"]["slug"] == parking["slug"] and entry["author"]["display_name"] == "Alice Officer"
    assert entry["snippet"] == "over to you @Bob Supplier"  # a name, not the mention syntax (issue 19)

    # New activity in the followed thread brings it back, between mentions and the rest.
    await alice.send(followed["id"], "and a third answer", "a-5")
    assert [e[0:2] for e in summary(await bob.get("/api/v1/inbox"))] == [
        ("mention", "Needs Bob"),
        ("following", "Bob's question"),
        ("other", "Quiet thread"),
    ]
    # Unread counts agree with the thread's own count, followed or not.
    assert (await bob.get(f"/api/v1/threads/{quiet['id']}"))["thread"]["unread_count"] == 2

    mentions = await bob.get("/api/v1/mentions")
    assert mentions["unread_mentions"] == 1 and [m["thread"]["id"] for m in mentions["mentions"]] == [mentioned["id"]]
    assert mentions["mentions"][0]["unread"] is True

    marked = await bob.post("/api/v1/inbox/read", {"thread_ids": [mentioned["id"]]}, expect=200)
    assert marked == {"marked": 1}
    assert [e[1] for e in summary(await bob.get("/api/v1/inbox"))] == ["Bob's question", "Quiet thread"]
    mentions = await bob.get("/api/v1/mentions")
    assert mentions["unread_mentions"] == 0 and mentions["mentions"][0]["unread"] is False
    assert (await bob.get("/api/v1/mentions", params={"unread": "1"}))["mentions"] == []

    assert (await bob.post("/api/v1/inbox/read", {"all": True}, expect=200)) == {"marked": 2}
    assert (await bob.get("/api/v1/inbox"))["entries"] == []
    # Bad requests name the field; a thread Bob cannot see is not found.
    status, data = await bob.call("POST", "/api/v1/inbox/read", json={})
    assert status == 400 and data["error"]["field"] == "thread_ids"
    secret = await carol.create_room("Secret", visibility="invite")
    hidden = await carol.start_thread(secret, "Hidden", "x")
    status, _ = await bob.call("POST", "/api/v1/inbox/read", json={"thread_ids": [hidden["id"]]})
    assert status == 404


async def test_inbox_is_live_between_two_clients(alice, bob):
    room = await alice.create_room("Live room")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Live thread", "hello")
    other = await alice.start_thread(room, "Other thread", "hello again")

    alice_socket = await alice.socket()
    bob_socket = await bob.socket()  # subscribed to nothing: mentions still reach him
    answer = await alice_socket.call("send", {"thread_id": thread["id"], "client_id": "live-1", "body": "ping @**Bob Supplier**"})
    assert answer["ok"], answer
    [mention] = await bob_socket.wait_for("mention")
    assert (mention["thread_id"], mention["message_id"]) == (thread["id"], answer["message"]["id"])
    assert mention["author"]["display_name"] == "Alice Officer"
    assert [e["thread"]["id"] for e in (await bob.get("/api/v1/inbox"))["entries"]] == [thread["id"], other["id"]]

    # Subscribed to the room, Bob's client hears each new message, which moves its
    # thread to the top of its section on the next read of the inbox.
    await bob_socket.subscribe({room["id"]: room["last_seq"]})
    before = len(bob_socket.of_type("message.created"))
    answer = await alice_socket.call("send", {"thread_id": other["id"], "client_id": "live-2", "body": "newer"})
    assert answer["ok"], answer
    await bob_socket.wait_for("message.created", before + 1)
    assert bob_socket.of_type("message.created")[-1]["message"]["thread_id"] == other["id"]
    entries = (await bob.get("/api/v1/inbox"))["entries"]
    expected = [("mention", thread["id"], 2), ("other", other["id"], 2)]
    assert [(e["reason"], e["thread"]["id"], e["unread_count"]) for e in entries] == expected

    # Marking read in one tab tells the person's other tabs.
    await bob.post("/api/v1/inbox/read", {"all": True}, expect=200)
    reads = await bob_socket.wait_for("read", 2)
    assert {r["thread_id"] for r in reads} == {thread["id"], other["id"]} and all(r["unread_count"] == 0 for r in reads)
    assert len(bob_socket.of_type("mention")) == 1  # a message without a mention sends none

    # An edit that adds a mention tells the newly mentioned person too.
    answer = await alice_socket.call("edit", {"message_id": answer["message"]["id"], "body": "newer, @**Bob Supplier**"})
    assert answer["ok"], answer
    mentions = await bob_socket.wait_for("mention", 2)
    assert mentions[-1]["message_id"] == answer["message"]["id"]
    listed = (await bob.get("/api/v1/mentions"))["mentions"]
    assert listed[0]["message_id"] == answer["message"]["id"] and listed[0]["unread"] is False  # Bob had read it already
