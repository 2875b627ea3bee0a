"""The Engine.IO websocket transport, served without a task or a timer per packet.

python-engineio's own loop (``AsyncSocket._websocket_handler``) wraps every packet it
reads in a new task under ``asyncio.wait_for``, takes every batch it writes through
another ``wait_for`` on its queue, and checks ``inspect.iscoroutinefunction`` for every
frame it sends: on a chat server those per-packet costs are a good part of what a message
costs (each send is read once, acknowledged once and delivered to every member).

``serve`` runs the same transport (Engine.IO v4 over websocket: the probe upgrade from
long-polling, PING/PONG from the server's ping task, MESSAGE packets to python-socketio)
with one read loop under ``asyncio.timeout`` and one writer that drains the connection's
queue and writes every waiting packet's frame in one ``transport.write``. Frames are built
here (server frames are never masked); an event packet from the fan-out carries its frame
already built once for every recipient (``framed``). Back-pressure: when the transport's
buffer is over its high-water mark the writer waits for it to drain, so a reader that
stops reading holds its packets in the queue, where ``server.realtime.fanout`` counts them
and drops the connection once it is too far behind.

It uses python-engineio's socket (``queue``, ``receive``, ``close``, ``upgraded``/
``upgrading``/``connected``) and aiohttp's websocket writer transport; python-socketio
is pinned below 6 (and with it python-engineio) for exactly this, and tests/test_fanout.py
and tests/test_realtime.py run both transports through it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import WSMsgType, web
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet

log = logging.getLogger(__name__)


def text_frame(payload: bytes) -> bytes:
    """One unmasked, uncompressed, final websocket text frame (RFC 6455 section 5.2)."""
    return _frame(0x81, payload)


def _frame(first: int, payload: bytes) -> bytes:
    size = len(payload)
    if size < 126:
        header = bytes((first, size))
    elif size < 1 << 16:
        header = bytes((first, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((first, 127)) + size.to_bytes(8, "big")
    return header + payload


class FramedPacket(eio_packet.Packet):  # type: ignore[misc]
    """An Engine.IO MESSAGE packet whose websocket frame is built once, for every
    recipient of one event (long-polling recipients use its text as usual)."""

    def __init__(self, text: str) -> None:
        super().__init__(eio_packet.MESSAGE, text)
        payload = self.encode().encode("utf-8")  # the text is cached on the packet (long-polling)
        self.data = None  # only the cached text is read from here on
        self.frame = text_frame(payload)
        self.convene_bytes = len(payload)  # what it weighs in a backlog (fanout.WaitingQueue)


def frame_of(pkt: Any) -> bytes:
    """The websocket frame for an Engine.IO packet."""
    frame = getattr(pkt, "frame", None)
    if frame is not None:
        return bytes(frame)
    encoded = pkt.encode()
    if isinstance(encoded, bytes):
        return _frame(0x82, encoded)
    return _frame(0x81, encoded.encode("utf-8"))


async def serve(socket: Any, ws: web.WebSocketResponse) -> None:
    """Serve one Engine.IO connection over the websocket ``ws`` until either side closes."""
    server = socket.server
    limit = server.ping_interval + server.ping_timeout
    if socket.connected:
        if not await _upgrade(socket, ws, limit):
            return
    else:
        socket.connected = True
        socket.upgraded = True
    writer = asyncio.ensure_future(_write(socket, ws))
    try:
        await _read(socket, ws, limit)
    finally:
        # Shielded: aiohttp cancels this handler when the client's connection drops, and
        # the socket must still be closed (python-socketio's disconnect, presence).
        socket.queue.put_nowait(None)  # the writer's stop
        await asyncio.shield(_finish(socket, writer))


async def _finish(socket: Any, writer: asyncio.Future[None]) -> None:
    await writer
    await socket.close(wait=False, abort=True, reason=socket.server.reason.TRANSPORT_CLOSE)


async def _receive(ws: web.WebSocketResponse, limit: float) -> str | bytes | None:
    """The next text or binary message, or None once the connection is closing."""
    try:
        async with asyncio.timeout(limit):
            message = await ws.receive()
    except (TimeoutError, OSError):
        return None
    if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
        data: str | bytes = message.data
        return data
    return None


async def _upgrade(socket: Any, ws: web.WebSocketResponse, limit: float) -> bool:
    """A long-polling connection moving to this websocket: answer the probe, end the
    pending poll, wait for UPGRADE. Packets sent meanwhile wait in the queue."""
    socket.upgrading = True
    try:
        probe = await _receive(ws, limit)
        if probe is None or eio_packet.Packet(encoded_packet=probe).packet_type != eio_packet.PING:
            return False
        await ws.send_str(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        socket.queue.put_nowait(eio_packet.Packet(eio_packet.NOOP))  # ends the poll under way
        upgrade = await _receive(ws, limit)
        if upgrade is None or eio_packet.Packet(encoded_packet=upgrade).packet_type != eio_packet.UPGRADE:
            log.info("%s: websocket upgrade failed", socket.sid)
            return False
        socket.upgraded = True
        return True
    finally:
        socket.upgrading = False


async def _read(socket: Any, ws: web.WebSocketResponse, limit: float) -> None:
    largest = socket.server.max_http_buffer_size
    while True:
        data = await _receive(ws, limit)
        if data is None or len(data) > largest:
            return
        try:
            await socket.receive(eio_packet.Packet(encoded_packet=data))
        except eio_exceptions.UnknownPacketError:
            continue
        except eio_exceptions.SocketIsClosedError:
            return
        except Exception:
            log.exception("%s: a packet could not be handled", socket.sid)


async def _write(socket: Any, ws: web.WebSocketResponse) -> None:
    """Write what the connection's queue holds, every waiting packet in one write."""
    queue: asyncio.Queue[Any] = socket.queue
    try:
        while True:
            if queue.empty() and ws._writer is not None and ws._writer.transport is not None:
                # Idle: the fan-out may write a frame straight to the transport meanwhile
                # (``fanout._idle_websocket``), which keeps the order while nothing is queued.
                socket.convene_idle = (ws, ws._writer.transport)
            try:
                first = await queue.get()
            finally:
                socket.convene_idle = None
            queue.task_done()
            if first is None:
                return
            frames = [frame_of(first)]
            while not queue.empty():
                pkt = queue.get_nowait()
                queue.task_done()
                if pkt is None:
                    queue.put_nowait(None)  # stop after writing these
                    break
                frames.append(frame_of(pkt))
            writer = ws._writer
            if writer is None or writer.transport is None or writer.transport.is_closing():
                return
            writer.transport.write(b"".join(frames) if len(frames) > 1 else frames[0])
            if writer.protocol._paused:
                await writer.protocol._drain_helper()
    except (ConnectionError, RuntimeError):  # the transport went away under the write
        return
    finally:
        if not ws.closed:
            await ws.close()
