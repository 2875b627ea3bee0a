"""Websocket frames for Engine.IO packets, built once.

A server's websocket frames are never masked (RFC 6455 section 5.1), so the frame of one
event is the same bytes for every recipient: ``FramedPacket`` builds it once, with the
packet's text (for long-polling recipients), and ``frame_of`` gives any packet's frame.
The connection's queue (``server.realtime.transport.SocketQueue``) writes frames straight
to the transport, several at once when a backlog drains, instead of through aiohttp's
per-message send (which frames, and checks for a coroutine, every time).
"""

from __future__ import annotations

from typing import Any

from engineio import packet as eio_packet


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
        self.convene_bytes = len(payload)  # what it weighs in a backlog (``fanout``'s bounds)


def frame_of(pkt: Any) -> bytes:
    """The websocket frame for an Engine.IO packet."""
    frame = getattr(pkt, "frame", None)
    if frame is not None:
        return bytes(frame)
    encoded = pkt.encode()
    if isinstance(encoded, bytes):
        return _frame(0x82, encoded)
    return _frame(0x81, encoded.encode("utf-8"))
