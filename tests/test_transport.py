"""Lean idle connections (server/realtime/transport.py): engine.io's per-connection
bookkeeping replaced, with the protocol unchanged for real clients on every transport,
pings and their timeout kept, and the connection's real address in the audit log."""

from __future__ import annotations

import asyncio
import json
import socket as socket_module
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from server.http.keys import SIO
from server.realtime.transport import SocketQueue

from .people import Person, PersonFactory
from .test_audit import one_more


@pytest.fixture
async def room_and_thread(alice: Person, bob: Person) -> tuple[dict[str, Any], dict[str, Any]]:
    room = await alice.create_room("Transports")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Heard on every transport")
    return (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"], thread


def _connections(server: TestServer) -> list[Any]:
    return list(server.app[SIO].manager.get_participants("/", None))


@pytest.mark.parametrize("transports", [["websocket"], ["polling", "websocket"], ["polling"]], ids=["websocket", "upgrade", "polling"])
async def test_each_transport_hears_events_in_order_and_is_forgotten_when_it_leaves(
    server: TestServer, people: PersonFactory, room_and_thread: Any, alice: Person, bob: Person, transports: list[str]
) -> None:
    room, thread = room_and_thread
    heard: list[dict[str, Any]] = []
    client = socketio.AsyncClient(reconnection=False)

    async def on_event(payload: dict[str, Any]) -> None:
        heard.append(payload)

    client.on("event", on_event)
    await client.connect(people.url, headers={"Cookie": f"convene_session={bob.token}"}, transports=transports, wait_timeout=5)
    if transports == ["polling", "websocket"]:
        for _ in range(100):  # the client upgrades in the background
            if client.transport() == "websocket":
                break
            await asyncio.sleep(0.05)
    assert client.transport() == transports[-1]
    answer = await client.call("subscribe", {"rooms": {str(room["id"]): room["last_seq"]}}, timeout=10)
    assert answer["ok"], answer
    for i in range(5):
        assert (await alice.send(thread["id"], f"message {i}", f"{transports[-1]}-{len(transports)}-{i}"))[0] == 201
    assert (await client.call("read", {"thread_id": thread["id"], "seq": 0}, timeout=10))["ok"]
    created = [e for e in heard if e["type"] == "message.created"]
    assert [e["message"]["body"] for e in created] == [f"message {i}" for i in range(5)]
    assert [e["seq"] for e in created] == list(range(room["last_seq"] + 1, room["last_seq"] + 6))
    assert len(_connections(server)) == 1
    await client.disconnect()
    for _ in range(100):
        if not _connections(server) and not server.app[SIO].eio.sockets:
            break
        await asyncio.sleep(0.05)
    assert _connections(server) == [] and server.app[SIO].eio.sockets == {}


async def _open(people: PersonFactory, http: aiohttp.ClientSession, token: str, **headers: str) -> aiohttp.ClientWebSocketResponse:
    """A raw engine.io websocket with the Socket.IO namespace connected."""
    url = f"{people.url}/socket.io/?EIO=4&transport=websocket"
    ws = await http.ws_connect(url, headers={"Cookie": f"convene_session={token}", **headers})
    opened = await ws.receive_str(timeout=5)
    assert opened.startswith("0")
    handshake = json.loads(opened[1:])
    assert set(handshake) == {"sid", "upgrades", "pingTimeout", "pingInterval", "maxPayload"} and handshake["upgrades"] == []
    await ws.send_str("40")
    assert (await ws.receive_str(timeout=5)).startswith("40")
    return ws


async def test_a_websocket_is_refused_before_the_handshake_for_a_foreign_origin_or_an_old_protocol(
    server: TestServer, people: PersonFactory, bob: Person
) -> None:
    cookie = {"Cookie": f"convene_session={bob.token}"}
    async with aiohttp.ClientSession() as http:
        for query, headers in (("EIO=4", {"Origin": "https://evil.example"}), ("EIO=3", {})):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{people.url}/socket.io/?{query}&transport=websocket", headers={**cookie, **headers})
            assert refused.value.status == 400
        assert server.app[SIO].eio.sockets == {}
        # Accepted: the same origin, the session among a browser's other cookies.
        browser = f'theme=dark; convene_session={bob.token}; other="x y"'
        ws = await _open(people, http, bob.token, Origin=people.url, Cookie=browser)
        await ws.send_str('42["nonsense"]')  # an event nobody handles: still connected
        await ws.send_str("40/elsewhere,")  # a namespace Convene does not serve
        assert (await ws.receive_str(timeout=5)).startswith("44/elsewhere,")
        assert len(_connections(server)) == 1
        await ws.close()


async def test_pings_are_sent_and_a_client_that_stops_answering_is_cut(server: TestServer, people: PersonFactory, bob: Person) -> None:
    engine = server.app[SIO].eio
    engine.ping_interval, engine.ping_timeout = 1, 0.5  # seconds: short enough for a test
    async with aiohttp.ClientSession() as http:
        answering = await _open(people, http, bob.token)
        silent = await _open(people, http, bob.token)
        for _ in range(2):  # the one answering stays through several ping cycles
            assert await answering.receive_str(timeout=2) == "2"
            await answering.send_str("3")
        assert await silent.receive_str(timeout=2) == "2"  # pinged, and never answers
        closed = await silent.receive(timeout=3)
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR)
        for _ in range(2):
            assert await answering.receive_str(timeout=2) == "2"
            await answering.send_str("3")
        assert len(_connections(server)) == 1
        await answering.close()


async def test_a_socket_action_records_the_peers_real_address(admin: Person, alice: Person, bob: Person, people: PersonFactory) -> None:
    """engine.io's aiohttp driver says 127.0.0.1 for everyone; the audit log needs the peer."""
    room = await alice.create_room("Addresses")
    thread = await alice.start_thread(room, "Menus", "First")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    message = (await bob.send(thread["id"], "Hello", "addr-1"))[1]["message"]
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0)))
    client = socketio.AsyncClient(reconnection=False, http_session=http)
    try:
        await client.connect(people.url, headers={"Cookie": f"convene_session={alice.token}"}, transports=["websocket"], wait_timeout=5)
        answer = await client.call("delete", {"message_id": message["id"]}, timeout=10)
        assert "message" in answer, answer
    finally:
        await client.disconnect()
        await http.close()
    entry = await one_more(admin, "message-deleted", 0)
    assert entry["door"] == "socket" and entry["address"] == "127.0.0.2"


async def test_the_socket_queue_behaves_like_an_asyncio_queue() -> None:
    queue = SocketQueue()
    assert queue.empty() and queue.qsize() == 0 and list(queue._getters) == []
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert [not getter.done() for getter in queue._getters] == [True]  # what fanout looks for
    queue.put_nowait("a")
    await queue.put("b")
    assert await waiting == "a" and queue.qsize() == 1
    assert queue.get_nowait() == "b" and queue.empty()
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()
    cancelled = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert list(queue._getters) == []
    joined = asyncio.ensure_future(queue.join())
    await asyncio.sleep(0)
    assert not joined.done()  # two packets were taken, neither marked done
    queue.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    queue.task_done()
    await asyncio.wait_for(joined, 1)
    with pytest.raises(ValueError):
        queue.task_done()


async def test_a_websocket_that_stops_reading_gets_its_backlog_in_order_once_it_reads_again(
    server: TestServer, people: PersonFactory, room_and_thread: Any, alice: Person, bob: Person
) -> None:
    """Packets wait in the connection's queue while its transport pushes back, and a drain
    task sends them, in order, when the client reads again."""
    room, thread = room_and_thread
    async with aiohttp.ClientSession() as http:
        ws = await _open(people, http, bob.token)
        await ws.send_str("421" + json.dumps(["subscribe", {"rooms": {str(room["id"]): room["last_seq"]}}]))
        while not (answer := await ws.receive_str(timeout=5)).startswith("431"):
            pass
        assert '"ok":true' in answer
        ws._writer.transport.get_extra_info("socket").setsockopt(socket_module.SOL_SOCKET, socket_module.SO_RCVBUF, 4096)
        # The client stops reading; large messages fill the socket buffers in between.
        count, body = 60, "x" * 9000
        queues = [s.queue for s in server.app[SIO].eio.sockets.values()]
        for queue in queues:  # and small kernel buffers on the server's side too
            sent = queue._sink.transport.get_extra_info("socket")
            sent.setsockopt(socket_module.SOL_SOCKET, socket_module.SO_SNDBUF, 4096)
        behind = 0
        for i in range(count):
            assert (await alice.send(thread["id"], f"{i} {body}", f"backlog-{i}"))[0] == 201
            behind = max(behind, *(q.qsize() for q in queues))
        assert behind > 0  # the transport pushed back and packets waited their turn
        seqs: list[int] = []
        while len(seqs) < count:
            text = await ws.receive_str(timeout=10)
            if text == "2":
                await ws.send_str("3")
            elif text.startswith("42"):
                event = json.loads(text[2:])[1]
                if event["type"] == "message.created":
                    seqs.append(event["seq"])
        assert seqs == list(range(room["last_seq"] + 1, room["last_seq"] + count + 1))
        await ws.close()
