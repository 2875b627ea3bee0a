"""The fast fan-out (server/realtime/fanout.py): one encoded packet queued on every
recipient's connection, on both transports, and a connection that falls too far behind
(too many packets, or too many bytes, waiting for it on the server) is dropped (and
catches up when it comes back) without holding up anyone else."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from typing import Any

import aiohttp
import pytest
import socketio

from server.http.keys import SIO
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


@pytest.mark.parametrize(("bound", "limit"), [("MAX_BEHIND", 5), ("MAX_WAITING_BYTES", 2_000)])
async def test_a_connection_too_far_behind_is_dropped_and_catches_up_on_return(
    room_and_thread, alice, bob, people, monkeypatch, bound, limit
):
    monkeypatch.setattr(fanout, bound, limit)  # packets or bytes: small enough for a test to reach
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


class StalledReader:
    """A Socket.IO client on a raw TCP socket, so the test decides when it reads: just
    enough RFC 6455 websocket and engine.io to join a room's events, then it stops
    reading (what a suspended laptop or a wedged browser tab looks like to the server).
    Its receive buffer is small, so the kernel holds little and the server's own
    backlog is what grows."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.sid = ""

    @classmethod
    async def open(cls, url: str, token: str) -> StalledReader:
        host, port = url.removeprefix("http://").split(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # before connecting: it sets the window
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        reader = cls(sock)
        key = base64.b64encode(os.urandom(16)).decode()
        await reader._send_raw(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Cookie: convene_session={token}\r\n\r\n"
            ).encode()
        )
        while b"\r\n\r\n" not in reader.buffer:
            await reader._fill()
        head, _, rest = bytes(reader.buffer).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        reader.buffer = bytearray(rest)
        opened = await reader.receive()
        assert opened is not None and opened.startswith("0"), opened
        reader.sid = json.loads(opened[1:])["sid"]
        await reader.send("40")
        connected = await reader.receive()
        assert connected is not None and connected.startswith("40"), connected
        return reader

    async def subscribe(self, rooms: dict[str, int]) -> None:
        await self.send("421" + json.dumps(["subscribe", {"rooms": rooms}]))
        while True:
            text = await self.receive()
            assert text is not None
            if text.startswith("431"):
                assert json.loads(text[3:])[0]["ok"], text
                return

    async def send(self, text: str) -> None:
        payload = text.encode()
        assert len(payload) < 126
        mask = os.urandom(4)
        await self._send_raw(bytes((0x81, 0x80 | len(payload))) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    async def receive(self) -> str | None:
        """The next text message, or None once the server has closed the connection."""
        try:
            header = await self._take(2)
            size = header[1] & 0x7F
            if size == 126:
                size = int.from_bytes(await self._take(2), "big")
            elif size == 127:
                size = int.from_bytes(await self._take(8), "big")
            payload = await self._take(size)
        except (EOFError, ConnectionError):
            return None
        if header[0] & 0x0F == 0x8:  # close
            return None
        return payload.decode()

    async def events(self) -> list[dict[str, Any]]:
        """Read on again until the server's close: the events it had sent before."""
        heard = []
        while (text := await self.receive()) is not None:
            if text.startswith("42"):
                name, payload = json.loads(text[2:])
                if name == "event":
                    heard.append(payload)
        return heard

    async def _send_raw(self, data: bytes) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, data)

    async def _fill(self) -> None:
        data = await asyncio.get_running_loop().sock_recv(self.sock, 65536)
        if not data:
            raise EOFError
        self.buffer += data

    async def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            await self._fill()
        taken = bytes(self.buffer[:n])
        del self.buffer[:n]
        return taken

    def close(self) -> None:
        self.sock.close()


async def test_a_reader_that_stops_reading_is_dropped_past_the_byte_bound_and_catches_up(room_and_thread, alice, bob, people, server):
    room, thread = room_and_thread
    start = room["last_seq"]
    stalled = await StalledReader.open(people.url, bob.token)
    try:
        await stalled.subscribe({str(room["id"]): start})
        connection = server.app[SIO].eio.sockets[stalled.sid]  # its engine.io connection, on the server
        watcher = await bob.socket()  # another of the room's readers, keeping up
        await watcher.subscribe({room["id"]: start})

        # Long posts (a code listing: its HTML, escaped, is longer still) until the server
        # drops the reader that stopped reading. Once the watcher has a message, it has
        # been delivered to everyone: then the stalled reader's backlog is looked at.
        body = "```\n" + ('if (a < b && c > d) { x = "<&>"; }\n' * 300)[:9_900] + "\n```"
        sent, most, event_bytes = 0, 0, 0
        while not connection.closed:
            assert sent < 400, "never dropped"
            status, answer = await alice.send(thread["id"], f"{sent} {body}", f"big-{sent}")
            assert status == 201, answer
            sent += 1
            await watcher.wait_for("message.created", sent)
            event_bytes = max(event_bytes, len("42" + json.dumps(["event", watcher.events[-1]], separators=(",", ":"))))
            most = max(most, fanout.waiting_bytes(connection))
        # Dropped for the bytes waiting for it (long before the packet bound), holding at
        # most the bound and the one event that crossed it.
        assert sent < fanout.MAX_BEHIND
        assert fanout.MAX_WAITING_BYTES < most <= fanout.MAX_WAITING_BYTES + event_bytes

        # The others heard everything, in order, and go on hearing.
        for i in range(sent, sent + 3):
            status, _ = await alice.send(thread["id"], f"{i} after the drop", f"big-{i}")
            assert status == 201
        await watcher.wait_for("message.created", sent + 3)
        heard = [int(e["message"]["body"].split()[0]) for e in watcher.of_type("message.created")]
        assert heard == list(range(sent + 3))

        # Reading again, the dropped reader finds what had already left the server, in
        # order, then the end of the connection.
        before = [e for e in await stalled.events() if e["type"] == "message.created"]
        assert [e["seq"] for e in before] == list(range(start + 1, start + 1 + len(before)))
        assert len(before) < sent
    finally:
        stalled.close()

    # It comes back from the last seq it saw: nothing lost, nothing twice.
    back = await bob.socket()
    last_seen = before[-1]["seq"] if before else start
    caught = (await back.subscribe({room["id"]: last_seen}))[str(room["id"])]["events"]
    together = before + [e for e in caught if e["type"] == "message.created"]
    assert [e["seq"] for e in together] == list(range(start + 1, start + sent + 4))
    assert [int(e["message"]["body"].split()[0]) for e in together] == list(range(sent + 3))
