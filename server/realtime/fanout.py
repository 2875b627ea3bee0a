"""Fan-out: one encoded packet, queued on every recipient's connection, no task each.

python-socketio's ``AsyncManager.emit`` already encodes a room's packet once, but then
creates one asyncio task per recipient, each awaiting ``eio.send_packet`` (a socket
look-up, a ping check and a log call) before the packet reaches the connection's queue;
on a room of 1,000 that is 1,000 tasks per message. ``deliver`` queues the same
engine.io packet (its text encoded once and cached) straight onto each connection's
queue, which engine.io's writer (websocket) or the next poll (long-polling) sends:
the transports, the ordering and the browser protocol are unchanged. On a websocket
whose writer is idle, the frame itself (built once: server frames are unmasked) is
written straight to the transport (``_idle_websocket`` says when that keeps order).

Bounded: a connection with more than ``MAX_BEHIND`` packets waiting is not keeping up
(a stalled network, a suspended laptop). It is dropped, its waiting packets discarded,
so the server's memory stays bounded and everyone else's delivery is unaffected; the
client reconnects and catches up from its last ``seq`` like after any disconnect.

``ConveneWebSocket`` is engine.io's aiohttp websocket without per-message deflate: a
chat event is a few hundred bytes, and compressing it again for every recipient costs
far more CPU than the bytes it saves on loopback or a LAN (and it keeps the frames of
one event identical for everyone).

This reaches into python-engineio's socket (``queue``, ``closed``, the ``_async``
driver table); the pin ``python-socketio<6`` covers it and tests/test_fanout.py runs it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio
from aiohttp import web
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet

from server.realtime import websocket

log = logging.getLogger(__name__)

MAX_BEHIND = 1000  # packets waiting on one connection before it is dropped


class ConveneWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket, uncompressed, remembered on its engine.io socket
    so a connection that falls behind can be cut at the transport."""

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        owner = getattr(self.handler, "__self__", None)  # the engine.io socket
        if owner is None:
            await self.handler(self)
            return self._sock
        owner.convene_ws = self._sock
        await websocket.serve(owner, self._sock)  # engine.io's transport loop, lighter
        return self._sock


def install(sio: socketio.AsyncServer) -> None:
    """Use ``ConveneWebSocket`` for this server's websocket connections (a copy of the
    driver table: other servers in the process keep theirs)."""
    sio.eio._async = {**sio.eio._async, "websocket": ConveneWebSocket}


def deliver(manager: socketio.AsyncManager, event: str, data: Any, namespace: str | None, room: Any) -> bool:
    """Queue ``[event, data]`` for every local participant of ``room``; False when the
    packet needs python-socketio's own path (binary attachments)."""
    namespace = namespace or "/"
    if namespace not in manager.rooms:
        return True
    args = list(data) if isinstance(data, tuple) else [] if data is None else [data]  # as python-socketio reads them
    encoded = manager.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *args]).encode()
    if isinstance(encoded, list):  # binary attachments: not used by Convene's events
        return False
    eio_pkt = websocket.FramedPacket(encoded)  # text and frame built once for everyone
    frame = eio_pkt.frame
    sockets = manager.server.eio.sockets
    for _sid, eio_sid in manager.get_participants(namespace, room):
        socket = sockets.get(eio_sid)
        if socket is None or socket.closed or socket.closing:
            continue
        queue = socket.queue
        transport = _idle_websocket(socket)
        if transport is not None:
            transport.write(frame)
        elif queue.qsize() >= MAX_BEHIND:
            drop(socket)
        else:
            queue.put_nowait(eio_pkt)
    return True


def _idle_websocket(socket: Any) -> Any:
    """The transport of a websocket connection whose engine.io writer is idle, or None.

    Writing the frame straight to the transport skips the writer's wake-up, its poll and
    its per-connection encoding; it keeps the connection's order only when nothing is
    ahead of the frame: the connection is on websocket (not polling, not mid-upgrade),
    its queue is empty AND its writer is waiting on that queue (a pending getter: it
    holds no packet taken but not yet written), and the transport is not applying
    back-pressure. Otherwise the packet goes through the queue like any other."""
    ws = getattr(socket, "convene_ws", None)
    if ws is None or not socket.upgraded or socket.upgrading or ws.closed:
        return None
    queue = socket.queue
    if not queue.empty() or not any(not getter.done() for getter in queue._getters):
        return None
    writer = ws._writer
    if writer is None or writer.protocol._paused:
        return None
    transport = writer.transport
    if transport is None or transport.is_closing():
        return None
    return transport


def drop(socket: Any) -> None:
    """Cut a connection that has fallen too far behind: discard what it has waiting
    and close it; the client reconnects and catches up from its last ``seq``."""
    log.info("dropping connection %s: more than %d packets behind", socket.sid, MAX_BEHIND)
    queue = socket.queue
    while not queue.empty():
        queue.get_nowait()
        queue.task_done()
    ws = getattr(socket, "convene_ws", None)
    if ws is not None and not ws.closed and ws._req is not None and ws._req.transport is not None:
        ws._req.transport.abort()  # the writer's pending drain fails; engine.io closes the socket
    else:
        asyncio.ensure_future(socket.close(wait=False, abort=True))
