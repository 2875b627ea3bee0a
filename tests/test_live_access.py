"""Live connections act only for someone who may still act: found by outside probes
(issue 6). Each test failed before its fix."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from .people import Person, Socket

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


async def _wait_disconnected(sock: Socket, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while sock.client.connected:
        assert asyncio.get_running_loop().time() < deadline, "the socket is still connected"
        await asyncio.sleep(0.02)


async def _try_send(sock: Socket, thread_id: int, client_id: str) -> dict[str, Any] | None:
    """Send and return the acknowledgement, or None when the server has already closed
    the connection (which is also a refusal)."""
    try:
        return await sock.call("send", {"thread_id": thread_id, "client_id": client_id, "body": "after the session ended"})
    except (socketio.exceptions.BadNamespaceError, socketio.exceptions.TimeoutError, socketio.exceptions.DisconnectedError):
        return None


async def test_a_non_member_hammering_subscribe_receives_nothing_and_a_member_misses_nothing(
    alice: Person, bob: Person, carol: Person
) -> None:
    room = await alice.create_room("Private", visibility="invite")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": carol.id}, expect=201)
    thread = await alice.start_thread(room, "Members only")
    outsider = await bob.socket()
    member = await carol.socket()
    sender = await alice.socket()
    posted = asyncio.Event()

    async def hammer(sock: Socket, expect_ok: bool) -> int:
        calls = 0
        while not posted.is_set():
            answer = await sock.call("subscribe", {"rooms": {str(room["id"]): 0}})
            result = answer["rooms"][str(room["id"])]
            assert ("error" not in result) is expect_ok, result
            calls += 1
        return calls

    async def post_all() -> None:
        for n in range(300):
            ack = await sender.call("send", {"thread_id": thread["id"], "client_id": f"h-{n}", "body": f"secret {n}"})
            assert ack["ok"], ack
        posted.set()

    # The member is in the room before the first post: every message must then reach it
    # live, whatever the re-subscribes in between (the first post could otherwise be
    # committed and announced before the member's first subscribe joined the channel).
    first = await member.call("subscribe", {"rooms": {str(room["id"]): 0}})
    assert "error" not in first["rooms"][str(room["id"])]
    calls = await asyncio.gather(hammer(outsider, False), hammer(member, True), post_all())
    assert calls[0] > 10 and calls[1] > 10  # both really hammered while messages were posted
    # Bob can read an open room of his own: its read event arrives after everything
    # published before it, so nothing of the private room is still on its way.
    mine = await bob.create_room("Bob's own")
    own_thread = await bob.start_thread(mine, "Sentinel")
    await outsider.barrier(own_thread["id"])
    await member.barrier(thread["id"])
    assert outsider.of_type("message.created") == []
    assert outsider.of_type("presence") == []
    live = {e["seq"] for e in member.of_type("message.created")}
    assert len(live) == 300


async def test_a_plain_sign_out_ends_the_sockets_of_that_session_only(alice: Person, people: Any) -> None:
    room = await alice.create_room("Open room")
    thread = await alice.start_thread(room, "T")
    # A second signed-in session of the same person (another browser).
    other = await people.signin("alice@camden.example")
    kept = await other.socket()
    ended = await alice.socket()
    await alice.post("/api/v1/auth/signout", expect=204)
    # Whatever the socket manages to send after sign-out is refused and not stored.
    answer = await _try_send(ended, thread["id"], "late-1")
    assert answer is None or answer["ok"] is False, answer
    await _wait_disconnected(ended)
    [revoked] = ended.of_type("session.revoked")
    assert revoked["reason"] == "signed_out"
    # The other session's socket is untouched.
    ack = await kept.call("send", {"thread_id": thread["id"], "client_id": "kept-1", "body": "still here"})
    assert ack["ok"], ack
    messages = (await other.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"]
    assert [m["body"] for m in messages] == ["still here"]


async def test_signing_out_everywhere_tells_each_socket_before_closing_it(alice: Person) -> None:
    room = await alice.create_room("Open room")
    thread = await alice.start_thread(room, "T")
    first, second = await alice.socket(), await alice.socket()
    await alice.post("/api/v1/auth/signout-everywhere", expect=204)
    for sock in (first, second):
        answer = await _try_send(sock, thread["id"], f"late-{id(sock)}")
        assert answer is None or answer["ok"] is False, answer
        await _wait_disconnected(sock)
        assert [e["reason"] for e in sock.of_type("session.revoked")] == ["signed_out_everywhere"]


async def test_a_demoted_facilitator_loses_invite_only_rooms_live(alice: Person, bob: Person, admin: Person) -> None:
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "facilitator"}, expect=200)
    room = await alice.create_room("Private", visibility="invite")
    thread = await alice.start_thread(room, "T")
    sock = await bob.socket()
    answer = await sock.subscribe({room["id"]: 0})
    assert "error" not in answer[str(room["id"])]  # facilitators read every room
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "member"}, expect=200)
    [lost] = await sock.wait_for("room.access_lost")
    assert lost["room_id"] == room["id"]
    await alice.send(thread["id"], "not for bob any more", "d-1")
    mine = await bob.create_room("Bob's own")
    await sock.barrier((await bob.start_thread(mine, "Sentinel"))["id"])
    assert sock.of_type("message.created") == []


async def test_a_claim_to_have_seen_the_future_is_told_to_resync(alice: Person) -> None:
    room = await alice.create_room("Open room")
    await alice.start_thread(room, "T")
    sock = await alice.socket()
    answer = await sock.subscribe({room["id"]: 1_000_252})
    assert answer[str(room["id"])] == {"resync": True, "last_seq": 1}
    events = await alice.get(f"/api/v1/rooms/{room['id']}/events?after=1000252")
    assert events == {"resync": True, "last_seq": 1}


async def test_an_unknown_event_is_answered(alice: Person) -> None:
    sock = await alice.socket()
    answer = await sock.call("no-such-event", {"x": 1})
    assert answer["ok"] is False and answer["error"]["code"] == "unknown_event"
    assert "no-such-event" in answer["error"]["message"]


async def test_a_hostile_send_never_fails_the_sends_it_races(alice: Person, bob: Person) -> None:
    room = await alice.create_room("Busy room")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "T")
    good, hostile = await alice.socket(), await bob.socket()
    sends = [good.call("send", {"thread_id": thread["id"], "client_id": f"g-{n}", "body": f"good {n}"}) for n in range(30)]
    sends.insert(7, hostile.call("send", {"thread_id": thread["id"], "client_id": "bad-1", "body": "x\ud800y"}))
    acks = await asyncio.gather(*sends)
    refused = acks.pop(7)
    assert refused["ok"] is False and refused["error"] == {"code": "invalid", "message": refused["error"]["message"], "field": "body"}
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]]
    stored = (await alice.get(f"/api/v1/threads/{thread['id']}/messages?limit=100"))["messages"]
    assert sorted(m["body"] for m in stored) == sorted(f"good {n}" for n in range(30))


async def _raw_socket(person: Person) -> Any:
    """A Socket.IO connection spoken by hand over a WebSocket (engine.io v4), for packets
    no well-behaved client library would send."""
    import aiohttp

    session = aiohttp.ClientSession()
    ws = await session.ws_connect(
        person.factory.url + "/socket.io/?EIO=4&transport=websocket", headers={"Cookie": f"convene_session={person.token}"}
    )
    assert (await ws.receive_str()).startswith("0")  # engine.io open
    await ws.send_str("40")  # socket.io connect
    assert (await ws.receive_str()).startswith("40")
    return session, ws


async def _ack(ws: Any, ack_id: int) -> Any:
    import json

    while True:
        text = await asyncio.wait_for(ws.receive_str(), 5)
        if text == "2":  # engine.io ping
            await ws.send_str("3")
        elif text.startswith(f"43{ack_id}["):
            return json.loads(text[len(f"43{ack_id}") :])[0]


@pytest.mark.parametrize(
    "packet",
    [
        '["send",' + "[" * 50_000 + "]" * 50_000 + "]",
        '["send",{"thread_id":1,"client_id":"a","body":' + "[" * 50_000 + "]" * 50_000 + "}]",
        '["send",{"thread_id":1,"client_id":"a","body":"x\\ud800y"}]',
        '["send",{"thread_id":1,',
    ],
    ids=["deep", "deep-field", "surrogate", "truncated"],
)
async def test_a_packet_the_door_refuses_is_answered_and_the_connection_lives_on(alice: Person, packet: str) -> None:
    session, ws = await _raw_socket(alice)
    try:
        await ws.send_str("421" + packet)
        answer = await _ack(ws, 1)
        assert answer["ok"] is False and answer["error"]["code"] == "invalid", answer
        await ws.send_str('422["no-such-event",{}]')
        assert (await _ack(ws, 2))["error"]["code"] == "unknown_event"
    finally:
        await ws.close()
        await session.close()


async def test_a_client_leaving_mid_subscribe_is_handled_quietly(alice: Person, caplog: pytest.LogCaptureFixture) -> None:
    rooms = [await alice.create_room(f"Open room {n}") for n in range(30)]
    room = rooms[0]
    await alice.start_thread(room, "T")
    wanted = {str(r["id"]): 0 for r in rooms}
    for n in range(30):  # leave at varying moments while the 30 rooms are read
        sock = await alice.socket()
        await sock.client.emit("subscribe", {"rooms": wanted})
        await asyncio.sleep(0.003 * (n % 10))
        await sock.client.disconnect()
    sentinel = await alice.socket()
    await sentinel.subscribe({room["id"]: 0})
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info] == []


async def test_a_server_stopping_mid_subscribe_lets_its_reads_finish(alice: Person) -> None:
    """The test ends with subscribes still reading: the server stops under them (every
    client disconnected first), and must wait for those reads before its database and
    then the event loop close, or a driver thread finishes after its loop has gone (an
    error reported in the next test)."""
    rooms = [await alice.create_room(f"Open room {n}") for n in range(30)]
    for room in rooms[:5]:
        await alice.start_thread(room, "T")
    wanted = {str(r["id"]): 0 for r in rooms}
    for sock in [await alice.socket() for _ in range(20)]:
        await sock.client.emit("subscribe", {"rooms": wanted})
    await asyncio.sleep(0.005)


async def test_deactivating_a_person_ends_their_live_connections(alice: Person, bob: Person, admin: Person) -> None:
    room = await alice.create_room("Open room")
    thread = await alice.start_thread(room, "T")
    first, second = await bob.socket(), await bob.socket()
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"active": False}, expect=200)
    for sock in (first, second):
        answer = await _try_send(sock, thread["id"], f"late-{id(sock)}")
        assert answer is None or answer["ok"] is False, answer
        await _wait_disconnected(sock)
        assert [e["reason"] for e in sock.of_type("session.revoked")] == ["deactivated"]
    status, _ = await bob.call("GET", "/api/v1/me")
    assert status == 401
    status, data = await bob.call("POST", "/api/v1/auth/signin", json={"email": "bob@bristol.example", "password": "correct horse battery"})
    assert status == 401, data
    # Reactivated, they can sign in again; nobody can deactivate themselves.
    me = (await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"active": True}, expect=200))[1]["user"]
    assert me["active"] is True
    await bob.call("POST", "/api/v1/auth/signin", json={"email": "bob@bristol.example", "password": "correct horse battery"}, expect=200)
    status, data = await admin.call("PATCH", f"/api/v1/users/{admin.id}", json={"active": False})
    assert status == 409 and data["error"]["field"] == "active"


async def test_a_signed_out_cookie_cannot_connect_again_though_its_session_was_cached(alice: Person, people: Any) -> None:
    """Connect remembers valid sessions (server/realtime/session_cache.py); signing out
    forgets them the moment it commits, so the very next connect is refused."""
    first = await alice.socket()  # the session is now cached
    await first.close()
    again = await alice.socket()  # served from the cache
    assert again.client.connected
    token = alice.token
    await alice.post("/api/v1/auth/signout", expect=204)
    late = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await late.connect(people.url, headers={"Cookie": f"convene_session={token}"}, transports=["websocket"], wait_timeout=5)
    await late.disconnect()
    await _wait_disconnected(again)


# A subscribe to a room found readable a moment ago skips the check before the join
# (server/realtime/reader_cache.py). Each of these narrows access right after such a
# subscribe: the very next one must be refused, and nothing of the room must arrive.


async def _refused_and_deaf(sock: Socket, room: dict[str, Any], thread: dict[str, Any], sender: Person, own_thread_id: int) -> None:
    earlier = len(sock.events)
    answer = await sock.call("subscribe", {"rooms": {str(room["id"]): 0}})
    assert answer["ok"] and answer["rooms"][str(room["id"])]["error"]["code"] == "not_found", answer
    await sender.send(thread["id"], "not for them", f"after-{id(sock)}")
    await sock.barrier(own_thread_id)
    assert [e for e in sock.events[earlier:] if e.get("room_id") == room["id"]] == []


async def test_a_room_made_invite_only_refuses_the_next_subscribe_though_it_was_just_readable(alice: Person, bob: Person) -> None:
    room = await alice.create_room("Open for now")
    thread = await alice.start_thread(room, "T")
    own_thread = await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel")
    first = await bob.socket()
    for _ in range(2):  # found readable, then readable from what was found
        assert "error" not in (await first.subscribe({room["id"]: 0}))[str(room["id"])]
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"visibility": "invite"}, expect=200)
    await _refused_and_deaf(await bob.socket(), room, thread, alice, own_thread["id"])
    [lost] = await first.wait_for("room.access_lost")
    assert lost["room_id"] == room["id"]


async def test_leaving_an_invite_only_room_refuses_the_next_subscribe(alice: Person, carol: Person) -> None:
    room = await alice.create_room("Private", visibility="invite")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": carol.id}, expect=201)
    thread = await alice.start_thread(room, "T")
    own_thread = await carol.start_thread(await carol.create_room("Carol's own"), "Sentinel")
    sock = await carol.socket()
    for _ in range(2):
        assert "error" not in (await sock.subscribe({room["id"]: 0}))[str(room["id"])]
    await carol.post(f"/api/v1/rooms/{room['id']}/leave", expect=200)
    await sock.wait_for("room.access_lost")
    await _refused_and_deaf(sock, room, thread, alice, own_thread["id"])


async def test_a_demoted_facilitator_is_refused_the_next_subscribe(alice: Person, bob: Person, admin: Person) -> None:
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "facilitator"}, expect=200)
    room = await alice.create_room("Private", visibility="invite")
    thread = await alice.start_thread(room, "T")
    own_thread = await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel")
    sock = await bob.socket()
    for _ in range(2):
        assert "error" not in (await sock.subscribe({room["id"]: 0}))[str(room["id"])]
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "member"}, expect=200)
    await _refused_and_deaf(await bob.socket(), room, thread, alice, own_thread["id"])


async def test_a_subscribe_to_many_rooms_costs_the_same_statements_as_one(alice: Person, server: Any) -> None:
    """The check before the join and the read after it are one statement each whatever
    the number of rooms (a reconnecting client subscribes to all of its rooms at once),
    and a room just found readable needs no check at all."""
    rooms = [await alice.create_room(f"Room {n}") for n in range(12)]
    for room in rooms:
        await alice.start_thread(room, "T")
    sock = await alice.socket()
    seen = {r["id"]: 1 for r in rooms}  # each room's thread.created

    async def selects(wanted: Any) -> int:
        return await _statements(server, lambda run: sock.subscribe(wanted(run)))

    assert await selects(lambda run: {rooms[run]["id"]: 1}) == 2  # the check, then the catch-up
    assert await selects(lambda run: {rooms[0]["id"]: 1}) == 1  # found readable a moment ago
    assert await selects(lambda run: {rooms[0]["id"]: 0}) == 1  # with the event it missed
    assert await selects(lambda run: seen) == 1  # the rest, checked in one statement, read in one

    async def fresh(run: int) -> dict[int, int]:
        return {(await alice.create_room(f"Fresh {run}"))["id"]: 0, **seen}

    assert await _statements(server, lambda run: fresh(run), subscribe_with=sock) == 2


async def _statements(server: Any, act: Any, subscribe_with: Socket | None = None) -> int:
    """SELECT statements the server runs while ``act(run)`` runs (or, with
    ``subscribe_with``, while it subscribes to the rooms ``act(run)`` returns): the
    fewest of three runs (the app's background work, mail and notifications, can only
    add to a count)."""
    from sqlalchemy import event

    from server.http.keys import DATABASE

    engine = server.app[DATABASE].engine.sync_engine
    counts = []
    for run in range(3):
        wanted = await act(run) if subscribe_with is not None else None
        count = 0

        def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            nonlocal count
            count += statement.lstrip().upper().startswith("SELECT")

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            if subscribe_with is not None:
                await subscribe_with.subscribe(wanted)
            else:
                await act(run)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        counts.append(count)
    return min(counts)
