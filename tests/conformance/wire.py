"""Raw Engine.IO / Socket.IO clients for the conformance tier: aiohttp's HTTP and
websocket clients and the packet text, nothing of python-socketio's client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from .conftest import Target

CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
SEPARATOR = "\x1e"  # between packets of one long-polling payload


class Wire:
    """One websocket: text frames in order, the server's pings answered (or not)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, answer_pings: bool = True) -> None:
        self.ws = ws
        self.answer_pings = answer_pings
        self.pings = 0

    async def text(self, timeout: float = 3.0) -> str:
        """The next text frame that is not a ping or a noop (a server may send a noop
        on the new transport after an upgrade: nothing to read in it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.ws.receive(timeout=max(0.01, deadline - loop.time()))
            assert message.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {message.type} {message.data!r}"
            if message.data == "2":
                self.pings += 1
                if self.answer_pings:
                    await self.ws.send_str("3")
                continue
            if message.data == "6":
                continue
            return str(message.data)

    async def closed(self, timeout: float = 3.0) -> aiohttp.WSMessage:
        """Wait for the server to close the websocket (answering pings meanwhile); the
        closing message. Fails if it is still open after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.ws.receive(timeout=max(0.01, deadline - loop.time()))
            if message.type in CLOSED or message.type == aiohttp.WSMsgType.ERROR:
                return message
            if message.data == "2":
                self.pings += 1
                if self.answer_pings:
                    await self.ws.send_str("3")

    async def send(self, text: str) -> None:
        await self.ws.send_str(text)


async def open_websocket(
    http: aiohttp.ClientSession, target: Target, query: str = "", answer_pings: bool = True
) -> tuple[Wire, dict[str, Any]]:
    """A websocket-only Engine.IO session: the wire and the OPEN packet's fields."""
    ws = await http.ws_connect(target.ws_url + query, headers=target.headers)
    wire = Wire(ws, answer_pings)
    opened = await wire.text()
    assert opened[0] == "0", opened
    return wire, json.loads(opened[1:])


async def join(http: aiohttp.ClientSession, target: Target, answer_pings: bool = True) -> tuple[Wire, dict[str, Any]]:
    """A websocket with the main namespace connected: the wire and the OPEN fields."""
    wire, opened = await open_websocket(http, target, answer_pings=answer_pings)
    await wire.send(target.connect)
    connected = await wire.text()
    assert connected.startswith("40{"), connected
    return wire, opened


async def polling_open(http: aiohttp.ClientSession, target: Target) -> dict[str, Any]:
    async with http.get(target.polling_url, headers=target.headers) as answer:
        assert answer.status == 200, await answer.text()
        body = await answer.text()
    assert body[0] == "0", body
    opened: dict[str, Any] = json.loads(body[1:])
    return opened


async def poll(http: aiohttp.ClientSession, target: Target, sid: str, timeout: float = 5.0) -> tuple[int, list[str]]:
    """One long-polling GET: its status and the packets of its payload."""
    async with http.get(f"{target.polling_url}&sid={sid}", headers=target.headers, timeout=aiohttp.ClientTimeout(total=timeout)) as answer:
        body = await answer.text()
        return answer.status, body.split(SEPARATOR) if answer.status == 200 else [body]


async def post(http: aiohttp.ClientSession, target: Target, sid: str, *packets: str, body: bytes | None = None) -> tuple[int, str]:
    """One long-polling POST of ``packets`` (one payload): its status and body."""
    data = body if body is not None else SEPARATOR.join(packets).encode()
    headers = {**target.headers, "Content-Type": "text/plain;charset=UTF-8"}
    async with http.post(f"{target.polling_url}&sid={sid}", data=data, headers=headers) as answer:
        return answer.status, await answer.text()


async def polling_join(http: aiohttp.ClientSession, target: Target) -> str:
    """A long-polling session with the main namespace connected: its sid."""
    sid = str((await polling_open(http, target))["sid"])
    status, _ = await post(http, target, sid, target.connect)  # the body: test_engineio checks it
    assert status == 200
    status, packets = await poll(http, target, sid)
    assert status == 200 and packets[0].startswith("40{"), packets
    return sid


async def eventually(check: Any, timeout: float = 3.0) -> None:
    """Wait until ``check()`` is true (polled every 20 ms); fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
