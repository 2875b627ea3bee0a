"""The fast fan-out (server/realtime/fanout.py): one encoded packet queued on every
recipient's connection, on both transports, and a connection that falls too far behind
is dropped (and catches up when it comes back) without holding up anyone else."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
import socketio

from server.realtime import fanout

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def room_and_thread(alice, bob):
    room = await alice.create_room("Fan-out")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Everyone hears this")
    return (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"], thread


async def test_the_same_events_reach_websocket_and_long_polling_clients_in_order(room_and_thread, alice, bob, people):
    room, thread = room_and_thread
    heard: dict[str, list[dict[str, Any]]] = {"websocket": [], "polling": []}
    clients = []
    for transport, log in heard.items():
        client = socketio.AsyncClient(reconnection=False)

        async def on_event(payload: dict[str, Any], log: list[dict[str, Any]] = log) -> None:
            log.append(payload)

        client.on("event", on_event)
        await client.connect(people.url, headers={"Cookie": f"convene_session={bob.token}"}, transports=[transport], wait_timeout=5)
        answer = await client.call("subscribe", {"rooms": {str(room["id"]): room["last_seq"]}}, timeout=10)
        assert answer["ok"], answer
        clients.append(client)
    for i in range(5):
        status, _ = await alice.send(thread["id"], f"message {i}", f"fan-{i}")
        assert status == 201
    barrier = await alice.socket()
    await barrier.subscribe({room["id"]: room["last_seq"] + 5})
    await barrier.barrier(thread["id"])  # every event before this one has been queued for both
    for client in clients:  # and a read acknowledgement round trip flushes each transport
        assert (await client.call("read", {"thread_id": thread["id"], "seq": 0}, timeout=10))["ok"]
        await client.disconnect()
    for transport, log in heard.items():
        created = [e for e in log if e["type"] == "message.created"]
        assert [e["message"]["body"] for e in created] == [f"message {i}" for i in range(5)], transport
        assert [e["seq"] for e in created] == list(range(room["last_seq"] + 1, room["last_seq"] + 6)), transport
    created = {t: [e for e in log if e["type"] == "message.created"] for t, log in heard.items()}
    assert created["websocket"] == created["polling"]


async def _poll(http: aiohttp.ClientSession, url: str) -> tuple[int, list[str]]:
    async with http.get(url) as response:
        return response.status, (await response.text()).split("\x1e")


async def test_a_connection_too_far_behind_is_dropped_and_catches_up_on_return(room_and_thread, alice, bob, people, monkeypatch):
    monkeypatch.setattr(fanout, "MAX_BEHIND", 5)  # the limit, small enough for a test to reach
    room, thread = room_and_thread
    # A long-polling client that subscribes, then stops polling (a suspended laptop).
    async with aiohttp.ClientSession(headers={"Cookie": f"convene_session={bob.token}"}) as http:
        base = f"{people.url}/socket.io/?EIO=4&transport=polling"
        _, [opened] = await _poll(http, base)
        sid = json.loads(opened[1:])["sid"]
        url = f"{base}&sid={sid}"
        async with http.post(url, data="40") as r:
            assert r.status == 200
        status, packets = await _poll(http, url)
        assert status == 200 and packets[0].startswith("40")
        subscribe = json.dumps(["subscribe", {"rooms": {str(room["id"]): room["last_seq"]}}])
        async with http.post(url, data=f"421{subscribe}") as r:
            assert r.status == 200
        status, packets = await _poll(http, url)
        assert status == 200 and any(p.startswith("431") for p in packets), packets

        watcher = await bob.socket()
        await watcher.subscribe({room["id"]: room["last_seq"]})
        for i in range(8):
            status, _ = await alice.send(thread["id"], f"message {i}", f"slow-{i}")
            assert status == 201
        await watcher.barrier(thread["id"])
        # The one keeping up heard everything; the stalled one was dropped, not buffered.
        assert [e["message"]["body"] for e in watcher.of_type("message.created")] == [f"message {i}" for i in range(8)]
        status, packets = await _poll(http, url)
        assert status != 200 or packets == ["1"], (status, packets)

    # Back again: it catches up from its last seq, nothing lost.
    back = await bob.socket()
    caught = (await back.subscribe({room["id"]: room["last_seq"]}))[str(room["id"])]
    assert [e["message"]["body"] for e in caught["events"]] == [f"message {i}" for i in range(8)]
