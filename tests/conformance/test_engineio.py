"""Engine.IO v4 (github.com/socketio/engine.io-protocol, README): handshake, heartbeat,
close, upgrade, noop, payload limits and bad packets, on both transports. Each case runs
against Convene and the stock server (conftest.py)."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from .conftest import MAX_PAYLOAD, PING_INTERVAL, PING_TIMEOUT, Target
from .wire import CLOSED, SEPARATOR, Wire, eventually, join, open_websocket, poll, polling_join, polling_open, post

pytestmark = pytest.mark.asyncio(loop_scope="package")

HANDSHAKE_FIELDS = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}


# Handshake


async def test_polling_handshake_opens_a_session_with_the_open_packet(target: Target) -> None:
    """"If the server accepts the connection, then it MUST respond with an open packet"
    carrying sid, upgrades, pingInterval, pingTimeout and maxPayload."""
    async with aiohttp.ClientSession() as http:
        async with http.get(target.polling_url) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("text/plain")
            body = await answer.text()
    assert body[0] == "0" and SEPARATOR not in body
    opened = json.loads(body[1:])
    assert set(opened) == HANDSHAKE_FIELDS
    assert isinstance(opened["sid"], str) and opened["sid"]
    assert opened["upgrades"] == ["websocket"]
    assert opened["maxPayload"] == MAX_PAYLOAD


async def test_websocket_handshake_opens_a_session_with_no_upgrades(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, opened = await open_websocket(http, target)
        assert set(opened) == HANDSHAKE_FIELDS and opened["upgrades"] == [] and isinstance(opened["sid"], str)
        await wire.ws.close()


async def test_open_packet_announces_the_ping_settings_in_milliseconds(target: Target) -> None:
    """pingInterval and pingTimeout are "in milliseconds": 500 ms configured, 500 announced."""
    async with aiohttp.ClientSession() as http:
        polled = await polling_open(http, target)
        wire, opened = await open_websocket(http, target)
        await wire.ws.close()
    for fields in (polled, opened):
        assert (fields["pingInterval"], fields["pingTimeout"]) == (round(PING_INTERVAL * 1000), round(PING_TIMEOUT * 1000))


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_a_missing_or_wrong_protocol_version_is_refused_with_400(target: Target, transport: str) -> None:
    before = len(target.sio.eio.sockets)
    async with aiohttp.ClientSession() as http:
        for query in ("EIO=3", "EIO=5", "EIO=x", ""):
            url = f"{target.url}/socket.io/?{query}&transport={transport}"
            if transport == "polling":
                async with http.get(url) as answer:
                    assert answer.status == 400, query
            else:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(url)
                assert refused.value.status == 400, query
        assert len(target.sio.eio.sockets) == before  # no session was opened


async def test_an_unknown_transport_is_refused_with_400(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{target.url}/socket.io/?EIO=4&transport=carrier-pigeon") as answer:
            assert answer.status == 400


async def test_a_post_without_a_session_is_refused_with_400(target: Target) -> None:
    """The session's first request is a GET; a POST naming no session is refused."""
    async with aiohttp.ClientSession() as http:
        async with http.post(target.polling_url, data=b"40") as answer:
            assert answer.status == 400


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unknown_session_is_refused_with_400(target: Target, method: str) -> None:
    """"The server MUST return an HTTP 400 response if the session ID ... is not known.\""""
    async with aiohttp.ClientSession() as http:
        async with http.request(method, f"{target.polling_url}&sid=not-a-session", data=b"40" if method == "POST" else None) as answer:
            assert answer.status == 400


# Sending and receiving over long-polling


async def test_a_post_is_answered_ok_and_a_poll_carries_several_packets_in_order(target: Target) -> None:
    """POST answers "ok"; one poll carries every packet waiting, separated by \\x1e, in
    the order the server queued them (here three acknowledgements, 1, 2, 3)."""
    async with aiohttp.ClientSession() as http:
        sid = await polling_join(http, target)
        status, body = await post(http, target, sid, '421["echo",1]', '422["echo",2]', '423["echo",3]')
        assert (status, body) == (200, "ok")
        packets: list[str] = []
        while len(packets) < 3:
            status, more = await poll(http, target, sid)
            assert status == 200
            packets += [p for p in more if p != "2"]
        assert [p[:3] for p in packets] == ["431", "432", "433"]
        assert all(isinstance(json.loads(p[3:]), list) for p in packets)
        assert (await post(http, target, sid, "1"))[0] == 200


# Heartbeat


async def test_websocket_heartbeat_pings_every_interval_and_an_answering_client_stays(target: Target) -> None:
    """"At a given interval ... the server sends a ping packet" and a client that answers
    with a pong stays connected."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await open_websocket(http, target)
        started = time.monotonic()
        for _ in range(3):
            message = await wire.ws.receive(timeout=PING_INTERVAL * 4)
            assert message.data == "2"
            await wire.send("3")
        elapsed = time.monotonic() - started
        assert PING_INTERVAL * 3 * 0.8 <= elapsed <= PING_INTERVAL * 3 + 3.0
        assert not wire.ws.closed
        await wire.ws.close()


async def test_websocket_silent_client_is_closed_with_a_close_frame(target: Target) -> None:
    """A client that does not answer a ping within pingTimeout is considered gone: the
    server closes the websocket (with a close frame: the client sees a clean close, not
    1006) and forgets the session."""
    async with aiohttp.ClientSession() as http:
        wire, opened = await open_websocket(http, target, answer_pings=False)
        message = await wire.closed(timeout=PING_INTERVAL + PING_TIMEOUT + 3.0)
        assert wire.pings >= 1
        assert message.type == aiohttp.WSMsgType.CLOSE, message
        assert wire.ws.close_code != aiohttp.WSCloseCode.ABNORMAL_CLOSURE
        await eventually(lambda: opened["sid"] not in target.sio.eio.sockets or target.sio.eio.sockets[opened["sid"]].closed)


async def test_polling_heartbeat_and_timeout(target: Target) -> None:
    """Over long-polling the ping arrives in a poll and the pong goes in a POST; a client
    that stops answering loses its session (a later request is refused with 400)."""
    async with aiohttp.ClientSession() as http:
        sid = str((await polling_open(http, target))["sid"])
        status, packets = await poll(http, target, sid)
        assert (status, packets) == (200, ["2"])
        assert (await post(http, target, sid, "3"))[0] == 200
        status, packets = await poll(http, target, sid)
        assert (status, packets) == (200, ["2"])
        await asyncio.sleep(PING_TIMEOUT + PING_INTERVAL + 0.5)  # no pong: the timeout runs out

        async def refused() -> bool:
            status, _ = await poll(http, target, sid)
            return status == 400

        for _ in range(40):
            if await refused():
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the silent long-polling session was never closed")


# Close


async def test_the_close_packet_closes_the_websocket(target: Target) -> None:
    """The close packet ("1") means the transport can be closed: the server closes the
    websocket promptly rather than waiting for the client to hang up."""
    async with aiohttp.ClientSession() as http:
        wire, opened = await join(http, target)
        await wire.send("1")
        message = await wire.closed(timeout=2.0)
        assert message.type in CLOSED
        await eventually(lambda: opened["sid"] not in target.sio.eio.sockets or target.sio.eio.sockets[opened["sid"]].closed)


async def test_a_request_after_the_close_packet_is_refused_with_400(target: Target) -> None:
    """After the client's close packet the session is over: a poll or a POST for it is
    refused with 400 like any unknown session."""
    async with aiohttp.ClientSession() as http:
        for method in ("GET", "POST"):
            sid = await polling_join(http, target)
            assert (await post(http, target, sid, "1"))[0] == 200
            if method == "GET":
                status, _ = await poll(http, target, sid)
            else:
                status, _ = await post(http, target, sid, '42["echo"]')
            assert status == 400, method


# Upgrade and noop


async def test_upgrade_from_polling_to_websocket(target: Target) -> None:
    """The probe ("2probe" answered by "3probe"), the pending poll ended with a noop, the
    upgrade packet; from then on packets travel on the websocket, and the polling
    transport (a GET or POST for the session) is refused."""
    async with aiohttp.ClientSession() as http:
        sid = await polling_join(http, target)
        pending = asyncio.ensure_future(poll(http, target, sid))
        await asyncio.sleep(0.1)  # the poll is waiting on the server
        ws = await http.ws_connect(f"{target.ws_url}&sid={sid}", headers=target.headers)
        wire = Wire(ws)
        await wire.send("2probe")
        assert await wire.text() == "3probe"
        status, packets = await pending
        assert status == 200 and packets[-1] == "6", packets
        await wire.send("5")
        await wire.send('427["echo"]')
        answer = await wire.text()
        assert answer.startswith("437["), answer
        status, _ = await poll(http, target, sid)
        assert status == 400
        status, _ = await post(http, target, sid, '42["echo"]')
        assert status == 400
        await wire.ws.close()


async def test_a_second_websocket_for_an_upgraded_session_is_refused(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        sid = await polling_join(http, target)
        first = Wire(await http.ws_connect(f"{target.ws_url}&sid={sid}", headers=target.headers))
        await first.send("2probe")
        assert await first.text() == "3probe"
        await first.send("5")
        try:
            second = Wire(await http.ws_connect(f"{target.ws_url}&sid={sid}", headers=target.headers))
        except aiohttp.WSServerHandshakeError as refused:
            assert refused.status == 400
        else:
            await second.send("2probe")
            message = await second.closed(timeout=3.0)
            assert message.type in CLOSED
        await first.send('428["echo"]')
        assert (await first.text()).startswith("438[")
        await first.ws.close()


async def test_a_noop_from_the_client_is_harmless(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        await wire.send("6")
        await wire.send('429["echo"]')
        assert (await wire.text()).startswith("439[")
        await wire.ws.close()


# Limits and bad packets


async def test_a_websocket_message_over_max_payload_closes_the_connection(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, opened = await join(http, target)
        await wire.send('42["echo","' + "x" * opened["maxPayload"] + '"]')
        message = await wire.closed(timeout=3.0)
        assert message.type in CLOSED or message.type == aiohttp.WSMsgType.ERROR
        await eventually(lambda: opened["sid"] not in target.sio.eio.sockets or target.sio.eio.sockets[opened["sid"]].closed)


async def test_a_polling_payload_over_max_payload_is_refused_and_ends_the_session(target: Target) -> None:
    """A POST over maxPayload is refused at once (400 or 413) and the session ends."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        sid = await polling_join(http, target)
        status, _ = await post(http, target, sid, body=b'42["echo","' + b"x" * MAX_PAYLOAD + b'"]')
        assert status in (400, 413)
        status, _ = await poll(http, target, sid)
        assert status == 400


async def test_a_payload_under_max_payload_is_accepted(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, opened = await join(http, target)
        await wire.send('4210["echo","' + "x" * (opened["maxPayload"] - 100) + '"]')
        assert (await wire.text(timeout=5)).startswith("4310[")
        await wire.ws.close()


async def test_an_empty_or_unknown_engineio_packet_leaves_the_server_serving(target: Target) -> None:
    """Packet types are 0-6; the specification gives no rule for others. Whatever the
    server does with the connection, it answers the next client normally."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        for bad in ("9", "x", ""):
            await wire.send(bad)
        await wire.ws.close()
        other, _ = await join(http, target)
        await other.send('4211["echo"]')
        assert (await other.text()).startswith("4311[")
        await other.ws.close()
