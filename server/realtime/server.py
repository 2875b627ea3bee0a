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
