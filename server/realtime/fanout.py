"""Fan-out: one encoded packet, queued on every recipient's connection, no task each.

python-socketio's ``AsyncManager.emit`` already encodes a room's packet once, but then
creates one asyncio task per recipient, each awaiting ``eio.send_packet`` (a socket
look-up, a ping check and a log call) before the packet reaches the connection's queue;
on a room of 1,000 that is 1,000 tasks per message. ``deliver`` queues the same
engine.io packet (its text encoded once and cached) straight onto each connection's
queue, which the connection's writer (websocket, ``server.realtime.websocket``) or the
next poll (long-polling) sends: the ordering and the browser protocol are unchanged. On a websocket
whose writer is idle, the frame itself (built once: server frames are unmasked) is
written straight to the transport (``_idle_websocket`` says when that keeps order).

Bounded: a connection that is not keeping up (a stalled network, a suspended laptop, a
tab that stopped reading) is dropped once more than ``MAX_BEHIND`` packets or more than
``MAX_WAITING_BYTES`` bytes of room events are waiting for it on the server: what it has
waiting is discarded and its transport aborted, so the server's memory stays bounded
and everyone else's delivery is unaffected; the client reconnects and catches up from
its last ``seq`` like after any disconnect (docs/protocol.md).

Why bytes, and where they are counted. A packet count alone does not bound memory: a
room of long posts (10,000 characters of Markdown, the HTML beside it) carries 20-40 KB
in each event, so 1,000 packets can be 40 MB held for one reader. And the queue is only
where the backlog starts: the websocket writer takes EVERYTHING queued, writes it at
once and, when the peer stops reading, waits for the transport to drain, holding that
batch where the queue's size no longer sees it. So ``WaitingQueue``, installed as every
connection's queue, keeps two running totals, updated as packets move rather than
summed on every delivery: the bytes of room events in the queue, and the bytes of the
batch the writer took last (until it asks for the next: by then they are written). A
long-polling connection has only the first: its queue grows until the client polls
again, and the same bound cuts it (what a poll took is in that poll's answer).

Not counted, on purpose:

- the transport's write buffer beyond the writer's last batch. A frame written directly
  (below) goes only to a transport below its high-water mark (``WRITER_LIMIT``), and the
  writer waits for a paused transport to drain before it takes more, so a stalled
  connection's buffer stops at the high-water mark plus one batch (itself under the
  bound). Counting all of it would count the client's own answers too (next item)
  whenever one is being read.
- the connection's answers (to ``subscribe``, a catch-up of up to ``CATCHUP_LIMIT``
  events, which can be megabytes) and engine.io's pings: the client asked for them, and a
  client that just came back over a slow link must be able to read its catch-up while new
  events arrive; holding it against the bound would drop it again at once, for ever.

Sizes are the UTF-8 bytes of the encoded text, worked out once per event (its packet is
shared by every recipient, and holds the text for long-polling and the frame for
websockets). The bound is looked at only when a packet is queued for a
connection whose writer is busy; an idle writer's frame goes straight out. The kernel's
socket buffers (up to ``net.ipv4.tcp_wmem``'s maximum, 4 MiB by default) hold more before
the server sees any backlog; that is kernel memory, not the server's.

``ConveneWebSocket`` is engine.io's aiohttp websocket without per-message deflate (a
chat event is a few hundred bytes, and compressing it again for every recipient costs
far more CPU than the bytes it saves on loopback or a LAN, and it keeps the frames of
one event identical for everyone), served by ``server.realtime.websocket``.

This reaches into python-engineio's socket (``queue``, ``closed``, the ``_async``
driver table); the pin ``python-socketio<6`` covers it and tests/test_fanout.py runs it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from typing import Any

import socketio
from aiohttp import web
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet

from server.realtime import websocket

log = logging.getLogger(__name__)

MAX_BEHIND = 1000  # packets waiting on one connection before it is dropped
MAX_WAITING_BYTES = 1 << 20  # bytes waiting on one connection before it is dropped (1 MiB)
WRITER_LIMIT = 64 * 1024  # bytes aiohttp writes to a paused transport before it waits for it to drain

# aiohttp takes ``writer_limit`` from 3.11 (3.14 raised its default to 256 KiB); before
# 3.11 the limit was 64 KiB already and cannot be passed.
_WRITER_OPTIONS: dict[str, Any] = (
    {"writer_limit": WRITER_LIMIT} if "writer_limit" in inspect.signature(web.WebSocketResponse).parameters else {}
)


class WaitingQueue(asyncio.Queue[Any]):
    """engine.io's per-connection packet queue, knowing how many bytes of room events
    it holds (``queued_bytes``) and how many its websocket writer took in its last batch
    (``taken_bytes``, held while it waits for a paused transport). A room event is a packet ``deliver`` made: it carries its
    size as ``convene_bytes``; anything else (an answer to the client, a ping) counts 0."""

    _queue: deque[Any]  # asyncio.Queue's own deque

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.queued_bytes = 0
        self.taken_bytes = 0
        self.taken: deque[int] = deque()  # the size of each packet taken, oldest first

    # asyncio.Queue's ``_put`` and ``_get`` with the counting added (inlined rather than
    # calling them: this is every packet's path)
    def _put(self, item: Any) -> None:
        self._queue.append(item)
        self.queued_bytes += getattr(item, "convene_bytes", 0)

    def _get(self) -> Any:
        item = self._queue.popleft()
        size: int = getattr(item, "convene_bytes", 0)
        self.queued_bytes -= size
        self.taken_bytes += size
        self.taken.append(size)
        return item

    async def get(self) -> Any:
        # The writer (or a poll) asks for a new batch only once the last one is all
        # handed over: nothing it took before is still in its hands.
        self.taken.clear()
        self.taken_bytes = 0
        return await super().get()

    def discard(self) -> None:
        """Throw away every packet still in the queue (its connection is being dropped)."""
        held = len(self.taken)
        while not self.empty():
            self.get_nowait()
            self.task_done()
        while len(self.taken) > held:
            self.taken_bytes -= self.taken.pop()


class ConveneWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket, uncompressed, remembered on its engine.io socket
    so a connection that falls behind can be cut at the transport, and served by
    ``server.realtime.websocket`` rather than engine.io's per-packet loop."""

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False, **_WRITER_OPTIONS)
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
    """Give this server's connections a ``WaitingQueue`` and ``ConveneWebSocket`` (a copy
    of the driver table: other servers in the process keep theirs)."""
    sio.eio._async = {**sio.eio._async, "websocket": ConveneWebSocket}
    sio.eio.create_queue = WaitingQueue  # every connection's queue (engine.io makes it)


def deliver(manager: socketio.AsyncManager, event: str, data: Any, namespace: str | None, room: Any) -> bool:
    """Queue ``[event, data]`` for every local participant of ``room``; False when the
    packet needs python-socketio's own path (binary attachments). A participant with
    too much already waiting is dropped instead (``drop``)."""
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
        elif queue.qsize() >= MAX_BEHIND or waiting_bytes(socket) > MAX_WAITING_BYTES:
            drop(socket)
        else:
            queue.put_nowait(eio_pkt)
    return True


def _idle_websocket(socket: Any) -> Any:
    """The transport of a websocket connection whose writer is idle, or None.

    Writing the frame straight to the transport skips the writer's wake-up and its
    per-connection work; it keeps the connection's order only when nothing is ahead of
    the frame: the writer is waiting on an empty queue (it says so in ``convene_idle``
    while it waits: it holds no packet taken but not yet written, and it runs only once
    the connection is on websocket, never while polling or mid-upgrade), the queue is
    still empty (a packet queued since has not been taken yet), and the transport is
    neither closing nor applying back-pressure. Otherwise the packet goes through the
    queue like any other."""
    idle = getattr(socket, "convene_idle", None)
    if idle is None or socket.queue._queue:
        return None
    ws, transport = idle
    if ws.closed or transport.is_closing() or ws._writer is None or ws._writer.protocol._paused:
        return None
    return transport


def waiting_bytes(socket: Any) -> int:
    """Bytes of room events waiting on the server for this engine.io connection: in its
    queue and, on websocket, taken by its writer but not yet sent. (What a long-polling
    poll took is in that poll's answer.)"""
    queue = socket.queue
    return int(queue.queued_bytes + queue.taken_bytes if socket.upgraded else queue.queued_bytes)


def drop(socket: Any) -> None:
    """Cut a connection that has fallen too far behind: discard what it has waiting
    and close it; the client reconnects and catches up from its last ``seq``."""
    queue = socket.queue
    if not getattr(socket, "convene_dropped", False):
        socket.convene_dropped = True
        log.info("dropping connection %s: %d packets, %d bytes waiting", socket.sid, queue.qsize(), waiting_bytes(socket))
    queue.discard()
    ws = getattr(socket, "convene_ws", None)
    if ws is not None and not ws.closed and ws._req is not None and ws._req.transport is not None:
        ws._req.transport.abort()  # the writer's pending drain fails; engine.io closes the socket
    else:
        asyncio.ensure_future(socket.close(wait=False, abort=True))
