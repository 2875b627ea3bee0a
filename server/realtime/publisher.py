"""The publisher: the one place that emits to Socket.IO (through Redis when several
processes run), carries out directives on every process, and wakes the mail deliverer.

``publish`` only queues; one task delivers in commit order, so the writer (and the
sender waiting for its acknowledgement) never waits for fan-out to N recipients, and
one encoded packet serves every receiver of a room event (python-socketio encodes
once per emit).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol, Sequence

import socketio

from server.contract.events import (
    Directive,
    Event,
    MailQueued,
    Outgoing,
    ToConnection,
    ToPerson,
    ToRoom,
    directive_from_wire,
    directive_to_wire,
)
from server.realtime.managers import DIRECTIVE_EVENT

log = logging.getLogger(__name__)
DIRECTIVES_ROOM = "convene:directives"  # no connection ever joins it


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass
class Settled:
    """What carrying out a directive on this process asks the publisher to send."""

    tell: list[tuple[str, Event]] = field(default_factory=list)
    disconnect: list[str] = field(default_factory=list)


class Connections(Protocol):
    """This process's live connections (``server.realtime.handlers.Realtime``)."""

    async def settle(self, directive: Directive) -> Settled: ...

    async def close(self) -> None: ...

    def committed(self, directive: Directive) -> None: ...


class SocketPublisher:
    def __init__(self, sio: socketio.AsyncServer, wake_mail: Callable[[], None]) -> None:
        self.sio = sio
        self.wake_mail = wake_mail
        self.connections: Connections | None = None
        self._queue: asyncio.Queue[Sequence[Outgoing] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        on_directive: Callable[[dict[str, Any]], Awaitable[None]] = self._carry_out
        sio.manager.on_directive = on_directive

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="publisher")

    async def stop(self) -> None:
        """Deliver what is queued, then stop."""
        if self._task is not None:
            if self.connections is not None:
                await self.connections.close()
            self._queue.put_nowait(None)
            await self._task
            self._task = None

    async def publish(self, outgoing: Sequence[Outgoing]) -> None:
        if self.connections is not None:
            # A directive committed here makes what it changes stale at once (cached
            # sessions, rooms known readable), before its turn in the queue (other
            # processes: when they carry it out).
            for item in outgoing:
                if not isinstance(item, (ToRoom, ToPerson, ToConnection, MailQueued)):  # a directive
                    self.connections.committed(item)
        self._queue.put_nowait(outgoing)

    async def _run(self) -> None:
        while (outgoing := await self._queue.get()) is not None:
            for item in outgoing:
                try:
                    await self._deliver(item)
                except Exception:  # committed; clients recover through catch-up
                    log.exception("delivering %r failed", item)

    async def _deliver(self, item: Outgoing) -> None:
        if isinstance(item, ToRoom):
            await self.sio.emit("event", item.event, room=room_channel(item.room_id))
        elif isinstance(item, ToPerson):
            await self.sio.emit("event", item.event, room=user_channel(item.user_id))
        elif isinstance(item, ToConnection):
            await self.sio.emit("event", item.event, to=item.sid)
        elif isinstance(item, MailQueued):
            self.wake_mail()
        else:  # a directive: every process, this one included, carries it out
            await self.sio.emit(DIRECTIVE_EVENT, directive_to_wire(item), room=DIRECTIVES_ROOM)

    async def _carry_out(self, data: dict[str, Any]) -> None:
        """Called on every process for every directive, in order with the events."""
        if self.connections is None:
            return
        try:
            directive = directive_from_wire(data)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a malformed directive %r", data)
            return
        settled = await self.connections.settle(directive)
        for sid, event in settled.tell:
            await self.sio.emit("event", event, to=sid)
        for sid in settled.disconnect:
            await self.sio.disconnect(sid)
