"""Socket.IO event handlers: thin. Each checks the connection's session is still valid,
validates the payload, calls one domain function (opening the transaction for
writes), and answers through the acknowledgement with ``{"ok": true, ...}`` or
``{"ok": false, "error": {...}}``. Everything others must hear goes out through the
publisher.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, Awaitable, Callable

import socketio

from server.config import Settings
from server.contract.events import Outgoing, ToConnection, ToRoom
from server.contract.payload import req_int, req_string, require_object
from server.domain import access, events, messages, threads
from server.domain.errors import DomainError, Invalid
from server.domain.people import load_person
from server.domain.send_queue import SendQueue
from server.realtime.connections import Connections
from server.realtime.presence import Presence
from server.realtime.publisher import SocketPublisher, room_channel
from server.store.db import Database
from server.store.models import User
from server.store.transaction import Transactions

log = logging.getLogger(__name__)
TYPING_INTERVAL = 3.0
MAX_SUBSCRIBE = 200
EVENTS = ("subscribe", "unsubscribe", "send", "edit", "delete", "typing", "read")

Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def _answer(name: str, handler: Handler) -> Handler:
    """Turn domain errors into a failed acknowledgement; a bad payload is logged as one
    line, an unexpected failure (a defect) with its traceback."""

    @functools.wraps(handler)
    async def wrapped(sid: str, data: Any = None) -> dict[str, Any]:
        try:
            return {"ok": True} | await handler(sid, data)
        except DomainError as error:
            if error.code == "invalid":
                log.info("socket %s refused: %s (%s)", name, error.message, error.field)
            return {"ok": False, "error": error.as_dict()}
        except Exception:
            log.exception("socket handler %s failed", name)
            return {"ok": False, "error": {"code": "internal", "message": "something went wrong; try again", "field": None}}

    return wrapped


class Realtime:
    """Registers the handlers on ``sio``; holds what they need."""

    def __init__(self, sio: socketio.AsyncServer, settings: Settings, db: Database, txs: Transactions, send_queue: SendQueue) -> None:
        self.sio = sio
        self.settings = settings
        self.db = db
        self.txs = txs
        self.send_queue = send_queue
        self.connections = Connections(sio, settings, db)
        if isinstance(txs.publisher, SocketPublisher):
            txs.publisher.connections = self.connections
        sio.on("connect", self.connections.connect)
        sio.on("disconnect", self.on_disconnect)
        for name in EVENTS:
            sio.on(name, _answer(name, getattr(self, f"on_{name}")))
        sio.on("*", self.on_unknown)

    @property
    def presence(self) -> Presence:
        """Who is online in each room, on this process (the member list shows it)."""
        return self.connections.presence

    async def _publish(self, *outgoing: Outgoing) -> None:
        await self.txs.publisher.publish(outgoing)

    async def _presence(self, room_id: int) -> None:
        await self._publish(ToRoom(room_id, events.presence(room_id, self.connections.presence.online(room_id))))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        for room_id, online in (await self.connections.disconnect(sid, reason)).items():
            await self._publish(ToRoom(room_id, events.presence(room_id, online)))

    async def on_unknown(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        log.info("socket sent an unknown event %.60r", event)
        message = f"there is no event {event[:60]!r}; events are {', '.join(EVENTS)}"
        return {"ok": False, "error": {"code": "unknown_event", "message": message, "field": None}}

    async def on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        rooms = require_object(data, "payload").get("rooms")
        if not isinstance(rooms, dict) or not rooms:
            raise Invalid("rooms must be an object of room id to last seen sequence number", "rooms")
        if len(rooms) > MAX_SUBSCRIBE:
            raise Invalid(f"subscribe to at most {MAX_SUBSCRIBE} rooms at once", "rooms")
        user = await self.connections.user(sid)
        answers: dict[str, Any] = {}
        for key, last in rooms.items():
            if not str(key).isdigit() or isinstance(last, bool) or not isinstance(last, int) or not 0 <= last <= access.MAX_ID:
                answers[str(key)] = {"error": Invalid("give a room id and a whole number of at least 0", "rooms").as_dict()}
                continue
            answers[str(key)] = await self._subscribe_one(sid, user, int(key), last)
        return {"rooms": answers}

    async def _subscribe_one(self, sid: str, user: User, room_id: int, last: int) -> dict[str, Any]:
        # Check, then join, then read. Checking first keeps anyone who may not read the
        # room out of its channel even for an instant; joining before reading means an
        # event committed in between arrives twice at worst (the client drops
        # seq <= last), never zero times. The read checks access again, so a room
        # closed in between is left at once.
        try:
            async with self.db.read() as session:
                await access.readable_room(session, user, room_id)
            await self.sio.enter_room(sid, room_channel(room_id))
            async with self.db.read() as session:
                caught = await messages.events_after(session, user, room_id, last, self.settings.catchup_limit)
        except DomainError as error:
            if await self.connections.leave(sid, room_id):
                await self._presence(room_id)
            return {"error": error.as_dict()}
        if await self.connections.join(sid, room_id):
            await self._presence(room_id)
        else:
            online = self.connections.presence.online(room_id)
            await self._publish(ToConnection(sid, events.presence(room_id, online)))
        if caught.resync:
            return {"resync": True, "last_seq": caught.last_seq}
        return {"events": caught.events, "last_seq": caught.last_seq}

    async def on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        room_id = req_int(require_object(data, "payload"), "room_id", minimum=1)
        await self.connections.peek(sid)
        if await self.connections.leave(sid, room_id):
            await self._presence(room_id)
        return {}

    async def on_send(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        thread_id = req_int(data, "thread_id", minimum=1)
        client_id = req_string(data, "client_id", max_len=64)
        body = req_string(data, "body", max_len=self.settings.max_message_chars)
        state = await self.connections.peek(sid)
        # The queue re-checks the session when it writes the batch: no extra query here.
        posted = await self.send_queue.send(state["user_id"], thread_id, client_id, body, session_id=state["session_id"])
        return {"message": posted.message, "created": posted.created}

    async def on_edit(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        message_id = req_int(data, "message_id", minimum=1)
        body = req_string(data, "body", max_len=self.settings.max_message_chars)
        user = await self.connections.user(sid)
        async with self.txs.begin() as tx:
            view = await messages.edit_message(tx, user, message_id, body, self.settings.max_message_chars)
        return {"message": view}

    async def on_delete(self, sid: str, data: Any) -> dict[str, Any]:
        message_id = req_int(require_object(data, "payload"), "message_id", minimum=1)
        user = await self.connections.user(sid)
        async with self.txs.begin() as tx:
            view = await messages.delete_message(tx, user, message_id)
        return {"message": view}

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        thread_id = req_int(require_object(data, "payload"), "thread_id", minimum=1)
        now = time.monotonic()
        if now - (await self.connections.peek(sid))["typing"].get(thread_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return {"throttled": True}
        user = await self.connections.user(sid)
        async with self.db.read() as session:
            thread = await threads.readable_thread(session, user, thread_id)
            person = await load_person(session, user.id)
        async with self.connections.state(sid) as state:
            state["typing"][thread_id] = now
        await self._publish(ToRoom(thread.room_id, events.typing(thread.room_id, thread.id, person.as_dict())))
        return {"throttled": False}

    async def on_read(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        thread_id = req_int(data, "thread_id", minimum=1)
        seq = req_int(data, "seq", minimum=0)
        user = await self.connections.user(sid)
        async with self.txs.begin() as tx:
            return {"thread": await threads.mark_read(tx, user, thread_id, seq)}
