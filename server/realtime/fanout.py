"""Fan-out: one encoded packet, queued on every recipient's connection, no task each.

python-socketio's ``AsyncManager.emit`` already encodes a room's packet once, but then
creates one asyncio task per recipient, each awaiting ``eio.send_packet`` (a socket
look-up, a ping check and a log call) before the packet reaches the connection's queue;
on a room of 1,000 that is 1,000 tasks per message. ``deliver`` builds the event's
Socket.IO text, its Engine.IO packet and its websocket frame once
(``websocket.FramedPacket``: server frames are unmasked, so the bytes are the same for
everyone) and puts that one packet on each recipient's queue
(``transport.SocketQueue``), which writes it to an idle websocket at once, or keeps it
in order behind what is waiting (a client behind, a long-polling client between polls).
The ordering and the browser protocol are unchanged.

Bounded: a connection that is not keeping up (a stalled network, a suspended laptop, a
tab that stopped reading) is dropped once more than ``MAX_BEHIND`` packets or more than
``MAX_WAITING_BYTES`` bytes of room events are waiting for it on the server: what it has
waiting is discarded and its transport aborted, so the server's memory stays bounded
and everyone else's delivery is unaffected; the client reconnects and catches up from
its last ``seq`` like after any disconnect (docs/protocol.md).

Why bytes, and where they are counted. A packet count alone does not bound memory: a
room of long posts (10,000 characters of Markdown, the HTML beside it) carries 20-40 KB
in each event, so 1,000 packets can be 40 MB held for one reader. And the queue is only
where the backlog starts: when the peer stops reading, the connection's drain takes
everything queued, writes it and waits for the transport to drain, holding that batch
where the queue's size no longer sees it. So the queue keeps two running totals,
updated as packets move rather than summed on every delivery: the bytes of room events
in the queue, and the bytes of the batch taken last (until the next is taken: by then
they are written). A long-polling connection has only the first: its queue grows until
the client polls again, and the same bound cuts it (what a poll took is in that poll's
answer).

Not counted, on purpose:

- the transport's write buffer beyond the last batch. A packet is written at once only
  to a transport below its high-water mark, and the drain waits for a paused transport
  before it takes more, so a stalled connection's buffer stops at the high-water mark
  plus one batch (itself under the bound). Counting all of it would count the client's
  own answers too (next item) whenever one is being read.
- the connection's answers (to ``subscribe``, a catch-up of up to ``CATCHUP_LIMIT``
  events, which can be megabytes) and engine.io's pings: the client asked for them, and a
  client that just came back over a slow link must be able to read its catch-up while new
  events arrive; holding it against the bound would drop it again at once, for ever.

Sizes are the UTF-8 bytes of the encoded text, worked out once per event (its packet is
shared by every recipient, and holds the text for long-polling and the frame for
websockets). The kernel's socket buffers (up to ``net.ipv4.tcp_wmem``'s maximum, 4 MiB by
default) hold more before the server sees any backlog; that is kernel memory, not the
server's.

This reaches into python-engineio's socket (``queue``, ``closed``, ``upgraded``); the
pins ``python-socketio<6`` and ``python-engineio<5`` cover it and tests/test_fanout.py
runs it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import socketio
from aiohttp import web
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
    sockets = manager.server.eio.sockets
    for _sid, eio_sid in manager.get_participants(namespace, room):
        socket = sockets.get(eio_sid)
        if socket is None or socket.closed or socket.closing:
            continue
        queue = socket.queue
        if queue.qsize() >= MAX_BEHIND or waiting_bytes(socket) > MAX_WAITING_BYTES:
            drop(socket)
        else:
            queue.put_nowait(eio_pkt)
    return True


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
    ws = getattr(socket, "convene_ws", None)  # transport.LeanWebSocket
    if ws is not None and not ws.response.closed:
        ws.abort()  # the writer's pending drain fails; engine.io closes the socket
    else:
        asyncio.ensure_future(socket.close(wait=False, abort=True))
