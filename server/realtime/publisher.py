"""The publisher: the one place that emits committed events to Socket.IO rooms
(through Redis when several processes run), and wakes the mail deliverer."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Sequence

import socketio

from server.store.transaction import MailQueued, Outgoing, RoomOut, UserOut

log = logging.getLogger(__name__)


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"



class SocketPublisher:
    """Delivers committed events: one encoded packet per room event, whatever the
    number of receivers (python-socketio encodes once per emit).

    ``publish`` only queues; one task delivers in commit order. So the writer (and
    the sender waiting for its acknowledgement) never waits for fan-out to N
    recipients.
    """

    def __init__(self, sio: socketio.AsyncServer, wake_mail: Callable[[], None]) -> None:
        self.sio = sio
        self.wake_mail = wake_mail
        # Set by Realtime: re-checks a room's subscribers when its access narrows.
        self.recheck_room: Callable[[int], Awaitable[None]] | None = None
        self._queue: asyncio.Queue[Sequence[Outgoing] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="publisher")

    async def stop(self) -> None:
        """Deliver what is queued, then stop."""
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
            self._task = None

    async def publish(self, events: Sequence[Outgoing]) -> None:
        self._queue.put_nowait(events)

    async def _run(self) -> None:
        while (events := await self._queue.get()) is not None:
            for event in events:
                try:
                    await self._deliver(event)
                except Exception:  # committed; clients recover through catch-up
                    log.exception("delivering %r failed", event)

    async def _deliver(self, event: Outgoing) -> None:
        if isinstance(event, RoomOut):
            await self.sio.emit("event", event.payload, room=room_channel(event.room_id))
            narrowed = event.payload.get("type") == "room.updated" and event.payload["room"]["visibility"] == "invite"
            if narrowed and self.recheck_room is not None:
                await self.recheck_room(event.room_id)
        elif isinstance(event, UserOut):
            await self._to_user(event)
        elif isinstance(event, MailQueued):
            self.wake_mail()

    async def _to_user(self, event: UserOut) -> None:
        kind = event.payload.get("type")
        channel = user_channel(event.user_id)
        sids = [sid for sid, _ in self.sio.manager.get_participants("/", channel)]
        if kind == "session.revoked":
            for sid in sids:
                await self.sio.disconnect(sid)
            return
        if kind == "room.access_lost":
            for sid in sids:
                await self.sio.leave_room(sid, room_channel(event.payload["room_id"]))
        await self.sio.emit("event", event.payload, room=channel)
