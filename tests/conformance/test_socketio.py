"""Socket.IO v5 (github.com/socketio/socket.io-protocol, Readme): connecting to a
namespace and its errors, events, acknowledgements, disconnection, bad packets and the
order of frames. Each case runs against Convene and the stock server (conftest.py)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from .conftest import Target
from .wire import eventually, join, open_websocket

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_connecting_to_the_main_namespace_answers_connect_with_a_sid(target: Target) -> None:
    """"The server MUST respond with ... a CONNECT packet ... with the session ID in the
    payload": ``40{"sid":...}``, a Socket.IO sid distinct from the Engine.IO one."""
    async with aiohttp.ClientSession() as http:
        wire, opened = await open_websocket(http, target)
        await wire.send(target.connect)
        connected = await wire.text()
        assert connected.startswith("40{")
        sid = json.loads(connected[2:])["sid"]
        assert isinstance(sid, str) and sid and sid != opened["sid"]
        await wire.ws.close()


async def test_a_refused_connection_answers_connect_error_with_a_message(target: Target) -> None:
    """A client without credentials: ``44{"message": ...}`` on "/", and the Engine.IO
    connection stays usable (the client may try again)."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(target.ws_url)  # no cookie, no auth payload
        opened = await ws.receive_str(timeout=3)
        assert opened[0] == "0"
        await ws.send_str("40")
        refused = await ws.receive_str(timeout=3)
        assert refused.startswith("44{"), refused
        assert isinstance(json.loads(refused[2:])["message"], str)
        await ws.close()


async def test_an_unknown_namespace_answers_connect_error_on_that_namespace(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        await wire.send("40/nowhere,")
        refused = await wire.text()
        assert refused.startswith("44/nowhere,{"), refused
        assert isinstance(json.loads(refused[len("44/nowhere,") :])["message"], str)
        # The main namespace is unaffected.
        await wire.send('421["echo"]')
        assert (await wire.text()).startswith("431[")
        await wire.ws.close()


async def test_an_event_with_an_id_is_acknowledged_with_the_same_id_and_an_array(target: Target) -> None:
    """"The receiver MUST respond with an ACK packet with the same event ID"; "the
    payload is mandatory and MUST be an array"."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        for ack_id in (0, 7, 4096):
            await wire.send(f'42{ack_id}["echo",{{"n":{ack_id}}}]')
            answer = await wire.text()
            assert answer.startswith(f"43{ack_id}["), answer
            assert isinstance(json.loads(answer[2 + len(str(ack_id)) :]), list)
        await wire.ws.close()


async def test_an_event_without_an_id_is_not_acknowledged(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        await wire.send('42["echo"]')
        await wire.send('425["echo"]')
        assert (await wire.text()).startswith("435[")  # the first had nothing to answer
        await wire.ws.close()


async def test_acknowledgements_of_a_burst_arrive_in_order(target: Target) -> None:
    """Several packets the client may receive in one read: every frame whole, in the
    order the events were sent (the server may coalesce them into one TCP write)."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        for ack_id in range(1, 21):
            await wire.send(f'42{ack_id}["echo",{ack_id}]')
        answers = [await wire.text() for _ in range(20)]
        assert [int(a[2 : a.index("[")]) for a in answers] == list(range(1, 21))
        await wire.ws.close()


async def test_disconnecting_from_the_main_namespace(target: Target) -> None:
    """``41``: the server forgets the client in that namespace; no answer is expected,
    and events sent afterwards are not answered."""
    async with aiohttp.ClientSession() as http:
        before = target.participants()
        wire, _ = await join(http, target)
        await eventually(lambda: target.participants() == before + 1)
        await wire.send("41")
        await eventually(lambda: target.participants() == before)
        await wire.send('4212["echo"]')
        with pytest.raises((asyncio.TimeoutError, AssertionError)):
            await wire.text(timeout=0.5)
        await wire.ws.close()


async def test_an_event_before_connect_gets_no_answer(target: Target) -> None:
    """Before CONNECT the client is in no namespace: its events are not handled."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await open_websocket(http, target)
        await wire.send('4213["echo"]')
        with pytest.raises((asyncio.TimeoutError, AssertionError)):
            answer = await wire.text(timeout=0.5)
            assert not answer.startswith("4313")
        await wire.ws.close()


@pytest.mark.parametrize("bad", ["4abc", "42{}", '42abc["echo"]', "49", '42"echo"'], ids=["type", "object", "ack-id", "unknown", "string"])
async def test_a_malformed_socketio_packet_leaves_the_server_serving(target: Target, bad: str) -> None:
    """Malformed packets (an unknown type, a payload that is not an array, a bad ack id).
    The specification says the receiver MUST close the connection; whatever the server
    does with this one, no answer claims success and other clients are served."""
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)
        await wire.send(bad)
        try:
            answer = await wire.text(timeout=0.5)
        except (asyncio.TimeoutError, AssertionError):
            answer = ""
        assert not answer.startswith("43")
        await wire.ws.close()
        other, _ = await join(http, target)
        await other.send('4214["echo"]')
        assert (await other.text()).startswith("4314[")
        await other.ws.close()
