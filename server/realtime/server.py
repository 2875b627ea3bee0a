"""The Socket.IO server: made by ``create_sio`` (one per app), started eagerly and
closed cleanly. Through Redis when ``REDIS_URL`` is set, so every process's clients hear
every event."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import socketio

from server.config import Settings
from server.contract.jsontext import SocketJson
from server.origins import origin_allowed
from server.realtime import transport
from server.realtime.managers import LocalManager, RedisManager

# A packet whose JSON the door refuses (too deep, a lone surrogate, not JSON) is handed
# to the handler of this reserved event, so a client that asked for an acknowledgement
# gets a clear refusal instead of silence.
REFUSED_PACKET = "convene:refused-packet"
_FIELD = re.compile(r"\$\[1\]\.([A-Za-z_]\w*)")
# Names python-socketio dispatches to its own handlers (connect, disconnect, the
# catch-all): an event a client sends under one of them would call that handler with the
# client's arguments (found by tests/test_fuzz_packets.py: "connect" reached
# Connections.connect, "disconnect" would forget a live connection's presence).
RESERVED_NAMES = frozenset({"connect", "disconnect", "connect_error", "*", REFUSED_PACKET})


def event_problem(data: Any) -> str | None:
    """What is wrong with a decoded event packet's payload, by Socket.IO v5 (a non-empty
    array, the event's name first) and this server's events (one argument at most), or
    None. python-socketio indexes the payload without looking: an empty array, an
    object or a number raised inside it and the client never got its answer."""
    if not isinstance(data, list) or not data:
        return "an event packet's payload must be a non-empty array: [name, argument]"
    name = data[0]
    if not isinstance(name, str):
        return "an event's name must be a string"
    if name in RESERVED_NAMES:
        return f"{name[:60]!r} is reserved; it is not an event a client may send"
    if len(data) > 2:
        return f"events take one argument; this one has {len(data) - 1}"
    return None


class DoorPacket(socketio.packet.Packet):  # type: ignore[misc]
    """Socket.IO packets decoded with the contract's guarded JSON (``SocketJson``).

    Convene sends JSON only, never binary attachments, so outgoing packets skip
    python-socketio's walk of every payload looking for bytes (``data_is_binary``, a
    recursive reduce over each acknowledgement and event: several per cent of the CPU a
    send costs). Incoming packets are unaffected: their kind comes from the wire."""

    uses_binary_events = False
    data: Any  # python-socketio's, set in its __init__

    def encode(self) -> Any:
        if self.packet_type == socketio.packet.CONNECT_ERROR and isinstance(self.data, str):
            # Socket.IO v5: a CONNECT_ERROR's payload is {"message": ...}; python-socketio
            # sends a bare string when the namespace is unknown ("Unable to connect").
            self.data = {"message": self.data}
        return super().encode()

    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)
        if encoded_packet is not None and not encoded_packet:
            # An empty Engine.IO message: python-socketio skips decoding it and keeps
            # the defaults, an EVENT with no payload, which then failed inside it.
            self.packet_type = socketio.packet.EVENT
            self.data = [REFUSED_PACKET, {"reason": "an empty packet", "field": None}]

    def decode(self, encoded_packet: Any) -> int:
        try:
            count: int = super().decode(encoded_packet)
        except (ValueError, RecursionError) as error:
            if self.packet_type != socketio.packet.EVENT:
                raise
            reason = str(error)[:200]
            # "... at $[1].body ..." names the payload's field (the event is $[0]).
            field = _FIELD.search(reason)
            self.data = [REFUSED_PACKET, {"reason": reason, "field": field.group(1) if field else None}]
            return 0
        if self.packet_type in (socketio.packet.EVENT, socketio.packet.BINARY_EVENT):
            problem = event_problem(self.data)
            if problem is not None:  # answered like bad JSON: a refusal through the acknowledgement
                self.data = [REFUSED_PACKET, {"reason": problem, "field": None}]
        return count


def create_sio(settings: Settings) -> socketio.AsyncServer:
    # With REDIS_URL, emits (and directives) travel through Redis pub/sub so every
    # process's clients receive them; without it, one process serves everyone.
    manager: socketio.AsyncManager = (
        RedisManager(settings.redis_url, channel=settings.redis_channel) if settings.redis_url else LocalManager()
    )

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        return origin_allowed(settings, origin, environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"))

    sio = transport.ConveneServer(
        async_mode="aiohttp",
        client_manager=manager,
        serializer=DoorPacket,
        json=SocketJson,
        cors_allowed_origins=allowed,
        cors_credentials=True,
        max_http_buffer_size=settings.max_request_bytes,
        ping_interval=20,
        ping_timeout=20,
    )
    transport.install(sio)
    return sio


async def start_sio(sio: socketio.AsyncServer) -> None:
    """Start the client manager now rather than at the first connection: with Redis,
    an emit before then would open a second connection that the listener later
    orphans (python-socketio's lazy start)."""
    if not sio.manager_initialized:
        sio.manager_initialized = True
        sio.manager.initialize()
        await asyncio.sleep(0)  # let the listener connect before anything publishes


async def close_sio(sio: socketio.AsyncServer) -> None:
    """Disconnect every client, then stop background work, including the Redis
    listener, which python-socketio never stops by itself (its task and connections
    would otherwise outlive the app)."""
    for sid, _ in list(sio.manager.get_participants("/", None)):
        await sio.disconnect(sid)
    await sio.shutdown()
    manager = sio.manager
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        try:
            await listener
        except (asyncio.CancelledError, Exception):
            pass
    for name in ("pubsub", "redis"):
        connection = getattr(manager, name, None)
        if connection is not None and hasattr(connection, "aclose"):
            await connection.aclose()
