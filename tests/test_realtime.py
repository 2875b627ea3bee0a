"""Live delivery over real Socket.IO connections."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from server.http.keys import SEND_QUEUE

# The same behaviour on the embedded default and on the scale-out database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
async def room_and_thread(alice, bob):
    room = await alice.create_room("DVLA data API", summary="Keeper data for **parking**", tags=["api", "parking"])
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Which fields?", "Opening question")
    room = await alice.get(f"/api/v1/rooms/{room['id']}")
    return room["room"], thread


async def test_two_users_one_posts_the_other_receives_rendered_html_and_organisation(room_and_thread, alice, bob):
    room, thread = room_and_thread
    a = await alice.socket()
    b = await bob.socket()
    await a.subscribe({room["id"]: room["last_seq"]})
    await b.subscribe({room["id"]: room["last_seq"]})

    ack = await a.call("send", {"thread_id": thread["id"], "client_id": "a-1", "body": "Hello **Bristol** <script>x</script>"})
    assert ack["ok"] is True and ack["created"] is True
    stored = ack["message"]
    assert stored["seq"] == room["last_seq"] + 1

    [event] = await b.wait_for("message.created")
    assert event["seq"] == stored["seq"] and event["room_id"] == room["id"]
    message = event["message"]
    assert message["html"] == "<p>Hello <strong>Bristol</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert message["author"]["display_name"] == "Alice Officer"
    assert message["author"]["organisation"] == {"name": "Camden Council", "verified": False}
    assert "email" not in message["author"]  # addresses never go out to the room
    # The acknowledgement carried what is stored: the same message over REST.
    fetched = await bob.get(f"/api/v1/messages/{stored['id']}")
    assert fetched["message"] == stored == message


async def test_reconnecting_client_gets_exactly_the_50_missed_messages_in_order_once(room_and_thread, alice, bob):
    room, thread = room_and_thread
    b = await bob.socket()
    answer = await b.subscribe({room["id"]: room["last_seq"]})
    last_seen = answer[str(room["id"])]["last_seq"]
    await b.close()

    for i in range(50):
        status, _ = await alice.send(thread["id"], f"message {i}", f"m-{i}")
        assert status == 201

    b2 = await bob.socket()
    caught = (await b2.subscribe({room["id"]: last_seen}))[str(room["id"])]
    events = caught["events"]
    assert [e["type"] for e in events] == ["message.created"] * 50
    assert [e["seq"] for e in events] == list(range(last_seen + 1, last_seen + 51))
    assert [e["message"]["body"] for e in events] == [f"message {i}" for i in range(50)]
    assert caught["last_seq"] == last_seen + 50
    # Nothing arrives twice: no live replay of what catch-up delivered.
    await b2.barrier(thread["id"])
    assert b2.of_type("message.created") == []
    # And the stream continues live from there.
    await alice.send(thread["id"], "after", "m-after")
    [live] = await b2.wait_for("message.created")
    assert live["seq"] == last_seen + 51


async def test_catch_up_includes_edits_deletes_and_new_threads(room_and_thread, alice, bob):
    room, thread = room_and_thread
    _, posted = await alice.send(thread["id"], "first draft", "e-1")
    last = posted["message"]["seq"]
    await alice.call("PATCH", f"/api/v1/messages/{posted['message']['id']}", json={"body": "second draft"}, expect=200)
    await alice.start_thread(room, "Another question")
    await alice.call("DELETE", f"/api/v1/messages/{posted['message']['id']}", expect=200)
    b = await bob.socket()
    events = (await b.subscribe({room["id"]: last}))[str(room["id"])]["events"]
    assert [e["type"] for e in events] == ["message.edited", "thread.created", "message.deleted"]
    assert [e["seq"] for e in events] == [last + 1, last + 2, last + 3]
    assert events[0]["message"]["body"] == "second draft" and events[0]["message"]["edited_at"]
    assert events[2]["message"]["deleted"] is True and events[2]["message"]["body"] == ""


async def test_too_far_behind_is_told_to_reload_never_a_partial_replay(start_server, settings, people):
    server = await start_server(settings, catchup_limit=5)
    from .people import PersonFactory

    factory = PersonFactory(server, settings)
    try:
        admin = await factory.signup("root@example.org", "Root", "Org")
        room = await admin.create_room("Busy room")
        thread = await admin.start_thread(room, "T")
        for i in range(6):
            await admin.send(thread["id"], f"m{i}", f"c{i}")
        sock = await admin.socket()
        answer = (await sock.subscribe({room["id"]: 0}))[str(room["id"])]
        assert answer == {"resync": True, "last_seq": 7}
        answer = (await sock.subscribe({room["id"]: 3}))[str(room["id"])]
        assert [e["seq"] for e in answer["events"]] == [4, 5, 6, 7]
    finally:
        await factory.close()


async def test_ten_concurrent_sends_with_one_client_id_store_one_message(room_and_thread, alice, bob):
    room, thread = room_and_thread
    sockets = [await alice.socket() for _ in range(5)]
    payload = {"thread_id": thread["id"], "client_id": "same-id", "body": "only once"}
    socket_calls = [s.call("send", payload) for s in sockets]
    rest_calls = [alice.send(thread["id"], "only once", "same-id") for _ in range(5)]
    results = await asyncio.gather(*socket_calls, *rest_calls)
    acks, rests = results[:5], results[5:]
    ids = {a["message"]["id"] for a in acks} | {r[1]["message"]["id"] for r in rests}
    assert len(ids) == 1
    created = [a["created"] for a in acks] + [r[0] == 201 for r in rests]
    assert created.count(True) == 1
    assert {r[0] for r in rests} <= {200, 201}
    page = await bob.get(f"/api/v1/threads/{thread['id']}/messages")
    assert [m["body"] for m in page["messages"]].count("only once") == 1
    # The room's sequence moved by exactly one.
    after = (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]
    assert after["last_seq"] == room["last_seq"] + 1


async def test_same_client_id_with_another_body_is_a_conflict(room_and_thread, alice):
    _, thread = room_and_thread
    sock = await alice.socket()
    first = await sock.call("send", {"thread_id": thread["id"], "client_id": "dup", "body": "one"})
    assert first["ok"]
    second = await sock.call("send", {"thread_id": thread["id"], "client_id": "dup", "body": "two"})
    assert second == {
        "ok": False,
        "error": {"code": "conflict", "message": "this client_id was already used for a different message", "field": "client_id"},
    }
    status, data = await alice.send(thread["id"], "two", "dup")
    assert status == 409 and data["error"]["field"] == "client_id"


async def test_many_concurrent_sends_are_group_committed_with_gapless_sequence(server, room_and_thread, alice, bob):
    room, thread = room_and_thread
    queue = server.app[SEND_QUEUE]
    batches_before = queue.batches
    sockets = [await alice.socket(), await bob.socket()]
    calls = [sockets[i % 2].call("send", {"thread_id": thread["id"], "client_id": f"g-{i}", "body": f"g {i}"}) for i in range(100)]
    acks = await asyncio.gather(*calls)
    assert all(a["ok"] for a in acks)
    seqs = sorted(a["message"]["seq"] for a in acks)
    assert seqs == list(range(room["last_seq"] + 1, room["last_seq"] + 101))
    assert queue.batches - batches_before < 100  # several sends shared a commit


async def test_edits_and_deletes_arrive_live(room_and_thread, alice, bob):
    room, thread = room_and_thread
    a = await alice.socket()
    b = await bob.socket()
    await a.subscribe({room["id"]: room["last_seq"]})
    sent = await b.call("send", {"thread_id": thread["id"], "client_id": "b-1", "body": "tpyo"})
    edited = await b.call("edit", {"message_id": sent["message"]["id"], "body": "typo fixed"})
    assert edited["ok"] and edited["message"]["edited_at"]
    [event] = await a.wait_for("message.edited")
    assert event["message"]["html"] == "<p>typo fixed</p>\n"
    # Only the author edits.
    refused = await a.call("edit", {"message_id": sent["message"]["id"], "body": "hijack"})
    assert refused["error"]["code"] == "forbidden"
    deleted = await b.call("delete", {"message_id": sent["message"]["id"]})
    assert deleted["message"]["deleted"]
    [gone] = await a.wait_for("message.deleted")
    assert gone["message"]["id"] == sent["message"]["id"] and gone["message"]["html"] == ""


async def test_typing_is_broadcast_throttled_and_not_stored(room_and_thread, alice, bob):
    room, thread = room_and_thread
    a = await alice.socket()
    b = await bob.socket()
    await b.subscribe({room["id"]: room["last_seq"]})
    first = await a.call("typing", {"thread_id": thread["id"]})
    second = await a.call("typing", {"thread_id": thread["id"]})
    assert first == {"ok": True, "throttled": False} and second == {"ok": True, "throttled": True}
    [typing] = await b.wait_for("typing")
    assert typing["thread_id"] == thread["id"] and typing["user"]["id"] == alice.id
    assert "seq" not in typing
    after = (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]
    assert after["last_seq"] == room["last_seq"]


def _online(socket) -> set[int]:
    """Who the socket believes is online: its last list, then every delta after it."""
    online: set[int] = set()
    for event in socket.events:
        if event["type"] == "presence":
            online = set(event["online"])
        elif event["type"] == "presence.changed":
            online = (online | set(event["came"])) - set(event["went"])
    return online


async def _until_online(socket, expected: set[int]) -> None:
    async def until() -> None:
        while _online(socket) != expected:
            await socket.wait_for("presence.changed", len(socket.of_type("presence.changed")) + 1)

    await asyncio.wait_for(until(), 5)


async def test_presence_counts_people_not_tabs(room_and_thread, alice, bob):
    room, thread = room_and_thread
    b = await bob.socket()
    await b.subscribe({room["id"]: room["last_seq"]})
    tab1 = await alice.socket()
    tab2 = await alice.socket()
    await tab1.subscribe({room["id"]: room["last_seq"]})
    await tab2.subscribe({room["id"]: room["last_seq"]})
    await _until_online(b, {alice.id, bob.id})
    await _until_online(tab2, {alice.id, bob.id})  # a later subscriber: its list, then deltas
    members = (await bob.get(f"/api/v1/rooms/{room['id']}/members"))["members"]
    assert {m["user"]["id"]: m["online"] for m in members} == {alice.id: True, bob.id: True}
    # Alice still has a tab open when the first closes: only closing the second, which
    # the server handles after the first, changes who is online.
    await tab1.close()
    await tab2.close()
    await _until_online(b, {bob.id})
    await b.barrier(thread["id"])
    deltas = b.of_type("presence.changed")
    assert [d for d in deltas if alice.id in d["went"]] == [deltas[-1]]  # one departure, not one per tab
    assert _online(b) == {bob.id}


async def test_presence_goes_out_as_deltas_not_the_whole_list_to_everyone(room_and_thread, alice, bob, people):
    """Members hear who came and went, gathered per room, never the whole list again."""
    room, thread = room_and_thread
    b = await bob.socket()
    await b.subscribe({room["id"]: room["last_seq"]})
    others = [await people.signup(f"p{i}@camden.example", f"Person {i}", "Camden Council", confirm=True) for i in range(3)]
    for person in others:
        await person.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    sockets = [await person.socket() for person in others]
    await asyncio.gather(*(s.subscribe({room["id"]: room["last_seq"]}) for s in sockets))
    await _until_online(b, {bob.id, *(p.id for p in others)})
    assert len(b.of_type("presence")) == 1  # its own list, once, when it subscribed
    assert all(set(d) == {"type", "room_id", "came", "went"} for d in b.of_type("presence.changed"))
    for s in sockets:
        await s.close()
    await _until_online(b, {bob.id})


async def test_read_markers_sync_across_one_persons_tabs(room_and_thread, alice, bob):
    room, thread = room_and_thread
    _, posted = await alice.send(thread["id"], "news", "n-1")
    tab1 = await bob.socket()
    tab2 = await bob.socket()
    other = await alice.socket()
    answer = await tab1.call("read", {"thread_id": thread["id"], "seq": posted["message"]["seq"]})
    assert answer["ok"] and answer["thread"]["unread_count"] == 0
    [synced] = await tab2.wait_for("read")
    assert synced == {
        "type": "read",
        "room_id": room["id"],
        "thread_id": thread["id"],
        "last_read_seq": posted["message"]["seq"],
        "unread_count": 0,
    }
    await other.barrier(thread["id"])
    assert len(other.of_type("read")) == 1  # its own sentinel, not Bob's marker


async def test_connection_needs_a_valid_session_and_an_allowed_origin(server, alice):
    url = str(server.make_url("")).rstrip("/")
    for headers in ({}, {"Cookie": "convene_session=not-a-real-token"}):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(url, headers=headers, transports=["websocket"], wait_timeout=5)
        await client.disconnect()
    foreign = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await foreign.connect(
            url,
            headers={"Cookie": f"convene_session={alice.token}", "Origin": "https://evil.example"},
            transports=["websocket"],
            wait_timeout=5,
        )
    await foreign.disconnect()
    same_origin = await alice.socket(Origin=url)
    assert same_origin.client.connected


async def test_malformed_socket_payloads_get_named_errors_and_write_nothing(room_and_thread, alice, bob):
    room, thread = room_and_thread
    sock = await alice.socket()
    cases = [
        ("send", None, None),
        ("send", "text", None),
        ("send", [1, 2], None),
        ("send", {"client_id": "x", "body": "hi"}, "thread_id"),
        ("send", {"thread_id": "1", "client_id": "x", "body": "hi"}, "thread_id"),
        ("send", {"thread_id": thread["id"], "body": "hi"}, "client_id"),
        ("send", {"thread_id": thread["id"], "client_id": "x" * 65, "body": "hi"}, "client_id"),
        ("send", {"thread_id": thread["id"], "client_id": "bad id!", "body": "hi"}, "client_id"),
        ("send", {"thread_id": thread["id"], "client_id": "x", "body": 5}, "body"),
        ("send", {"thread_id": thread["id"], "client_id": "x", "body": "   "}, "body"),
        ("send", {"thread_id": thread["id"], "client_id": "x", "body": "a" * 10_001}, "body"),
        ("send", {"thread_id": 999_999, "client_id": "x", "body": "hi"}, "thread_id"),
        ("edit", {"message_id": True, "body": "x"}, "message_id"),
        ("edit", {"message_id": 424242, "body": "x"}, "message_id"),
        ("delete", {}, "message_id"),
        ("subscribe", {"rooms": []}, "rooms"),
        ("subscribe", {}, "rooms"),
        ("typing", {"thread_id": -1}, "thread_id"),
        ("read", {"thread_id": thread["id"], "seq": "5"}, "seq"),
    ]
    for event, payload, field in cases:
        answer = await sock.call(event, payload)
        assert answer["ok"] is False, (event, payload, answer)
        assert answer["error"]["code"] in {"invalid", "not_found"}, (event, payload, answer)
        assert answer["error"]["field"] == field, (event, payload, answer)
        assert answer["error"]["message"]
    after = (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]
    assert after["last_seq"] == room["last_seq"]
    page = await bob.get(f"/api/v1/threads/{thread['id']}/messages")
    assert len(page["messages"]) == 1
    # A subscription with one bad entry answers per room.
    answer = await sock.call("subscribe", {"rooms": {str(room["id"]): -1, "abc": 0, "999999": 0}})
    assert answer["rooms"][str(room["id"])]["error"]["field"] == "rooms"
    assert answer["rooms"]["abc"]["error"]["code"] == "invalid"
    assert answer["rooms"]["999999"]["error"]["code"] == "not_found"


async def test_signing_out_everywhere_closes_live_connections(room_and_thread, alice):
    sock = await alice.socket()
    assert sock.client.connected
    await alice.post("/api/v1/auth/signout-everywhere", expect=204)
    for _ in range(50):
        if not sock.client.connected:
            break
        await asyncio.sleep(0.05)
    assert not sock.client.connected


async def test_a_refused_send_does_not_spoil_the_batch_it_shares(room_and_thread, alice, bob, carol):
    room, thread = room_and_thread
    private = await carol.create_room("Private", visibility="invite")
    hidden = await carol.start_thread(private, "Hidden")
    sock = await alice.socket()
    payloads = []
    for i in range(30):
        if i % 3 == 1:
            payloads.append({"thread_id": hidden["id"], "client_id": f"bad-{i}", "body": "nope"})
        elif i % 3 == 2:
            payloads.append({"thread_id": thread["id"], "client_id": f"same-{i - 2}", "body": "a different body"})
        else:
            payloads.append({"thread_id": thread["id"], "client_id": f"same-{i}", "body": f"ok {i}"})
    acks = await asyncio.gather(*(sock.call("send", p) for p in payloads))
    for i, ack in enumerate(acks):
        if i % 3 == 0:
            assert ack["ok"], ack
        elif i % 3 == 1:
            assert ack["error"]["code"] == "not_found", ack
        else:
            assert ack["error"]["code"] == "conflict", ack
    stored = sorted(a["message"]["seq"] for a in acks if a["ok"])
    assert stored == list(range(room["last_seq"] + 1, room["last_seq"] + 11))
    assert (await carol.get(f"/api/v1/threads/{hidden['id']}/messages"))["messages"] == []
