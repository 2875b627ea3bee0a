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
from server.contract.origin import Origin
from server.contract.socket_payloads import Delete, Edit, Read, Send, Subscribe, Typing, Unsubscribe, parse
from server.domain import access, events, messages, threads
from server.domain.errors import DomainError, Invalid
from server.domain.people import load_person
from server.domain.send_queue import SendQueue
from server.realtime.connections import Connections
from server.realtime.limits import Limits, TooManyConnections
from server.realtime.publisher import SocketPublisher
from server.realtime.server import REFUSED_PACKET
from server.store.db import Database
from server.store.faults import storage_fault
from server.store.transaction import Transactions

log = logging.getLogger(__name__)
TYPING_INTERVAL = 3.0
EVENTS = ("subscribe", "unsubscribe", "send", "edit", "delete", "typing", "read")

Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def _answer(name: str, handler: Handler, connected: Callable[[str], bool], limits: Limits) -> Handler:
    """Turn domain errors into a failed acknowledgement; a bad payload is logged as one
    line, an unexpected failure (a defect) with its traceback. A connection that went
    away while its event was handled has nobody to answer: that is not a failure. An
    event over a limit (``limits.py``) is answered ``rate_limited`` before any work."""

    @functools.wraps(handler)
    async def wrapped(sid: str, data: Any = None) -> dict[str, Any]:
        refusal = limits.admit(sid, name)
        if refusal is not None:
            return {"ok": False, "error": refusal}
        try:
            return {"ok": True} | await handler(sid, data)
        except DomainError as error:
            if error.code == "invalid":
                log.info("socket %s refused: %s (%s)", name, error.message, error.field)
            return {"ok": False, "error": error.as_dict()}
        except Exception as error:
            reason = storage_fault(error)
            if reason is not None:  # locked, read-only, full: nothing written; the client retries
                log.warning("socket %s refused: %s (%s)", name, reason, error)
                return {"ok": False, "error": {"code": "unavailable", "message": f"{reason}; nothing was saved: try again", "field": None}}
            if not connected(sid):
                log.debug("socket %s: the connection closed while its event was handled", name)
                return {"ok": False, "error": {"code": "unauthenticated", "message": "this connection has closed", "field": None}}
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
        self.limits = Limits(settings)
        self.connections.presence.announce = self.txs.publisher.publish
        if isinstance(txs.publisher, SocketPublisher):
            txs.publisher.connections = self.connections
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        for name in EVENTS:
            sio.on(name, _answer(name, getattr(self, f"on_{name}"), self._connected, self.limits))
        sio.on(REFUSED_PACKET, _answer("packet", self.on_refused_packet, self._connected, self.limits))
        sio.on("*", self.on_unknown)

    def _connected(self, sid: str) -> bool:
        return bool(self.sio.manager.is_connected(sid, "/"))

    async def _publish(self, *outgoing: Outgoing) -> None:
        await self.txs.publisher.publish(outgoing)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """The connect gate: the address's connection limit first (no work for a flood),
        then origin and session (``Connections.connect``)."""
        try:
            self.limits.connecting(sid, environ.get("REMOTE_ADDR"))
        except TooManyConnections as refused:
            raise socketio.exceptions.ConnectionRefusedError(str(refused), {"code": "too_many_connections"}) from None
        try:
            await self.connections.connect(sid, environ, auth)
        except BaseException:
            self.limits.gone(sid)  # refused: never counted as live
            raise

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.limits.gone(sid)
        await self.connections.disconnect(sid, reason)

    async def on_unknown(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        refusal = self.limits.admit(sid, "*")
        if refusal is not None:
            return {"ok": False, "error": refusal}
        log.info("socket sent an unknown event %.60r", event)
        message = f"there is no event {event[:60]!r}; events are {', '.join(EVENTS)}"
        return {"ok": False, "error": {"code": "unknown_event", "message": message, "field": None}}

    async def on_refused_packet(self, sid: str, refusal: Any = None) -> dict[str, Any]:
        """A packet whose JSON the door refused (see ``server.realtime.server.DoorPacket``)."""
        refusal = refusal if isinstance(refusal, dict) else {}
        raise Invalid(f"the packet was refused: {refusal.get('reason')}", refusal.get("field"))

    async def on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        wanted = parse(Subscribe, data, self.settings).split()
        answers: dict[str, Any] = {key: {"error": error.as_dict()} for key, error in wanted.refused.items()}
        caught = await self.connections.subscribe(sid, wanted.last_seen, self.settings.catchup_limit) if wanted.last_seen else {}
        lists: list[Outgoing] = []
        for room_id, result in caught.items():
            if isinstance(result, DomainError):
                answers[str(room_id)] = {"error": result.as_dict()}
                continue
            # The list last announced, to this connection; what changed since (its own
            # arrival included) follows to the whole room as a delta (presence.py).
            lists.append(ToConnection(sid, events.presence(room_id, self.connections.presence.snapshot(room_id))))
            if result.resync:
                answers[str(room_id)] = {"resync": True, "last_seq": result.last_seq}
            else:
                answers[str(room_id)] = {"events": result.events, "last_seq": result.last_seq}
        if lists:
            await self._publish(*lists)
        return {"rooms": answers}

    async def on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        room_id = parse(Unsubscribe, data, self.settings).room_id
        await self.connections.peek(sid)
        await self.connections.leave(sid, room_id)
        return {}

    async def on_send(self, sid: str, data: Any) -> dict[str, Any]:
        send = parse(Send, data, self.settings)
        state = await self.connections.peek(sid)
        # The queue re-checks the session when it writes the batch: no extra query here.
        posted = await self.send_queue.send(state["user_id"], send.thread_id, send.client_id, send.body, session_id=state["session_id"])
        return {"message": posted.message, "created": posted.created}

    async def on_edit(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.connections.user(sid)
        named = data.get("message_id") if isinstance(data, dict) else None
        if isinstance(named, int) and not isinstance(named, bool):  # authorisation before validation
            async with self.db.read() as session:
                await access.require_message_author(session, user, named)
        edit = parse(Edit, data, self.settings)
        async with self.txs.begin() as tx:
            view = await messages.edit_message(tx, user, edit.message_id, edit.body, self.settings.max_message_chars)
        return {"message": view}

    async def on_delete(self, sid: str, data: Any) -> dict[str, Any]:
        message_id = parse(Delete, data, self.settings).message_id
        user = await self.connections.user(sid)
        origin = Origin("socket", (await self.connections.peek(sid)).get("address"))
        async with self.txs.begin(origin) as tx:
            view = await messages.delete_message(tx, user, message_id)
        return {"message": view}

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        thread_id = parse(Typing, data, self.settings).thread_id
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
        read = parse(Read, data, self.settings)
        user = await self.connections.user(sid)
        async with self.txs.begin() as tx:
            return {"thread": await threads.mark_read(tx, user, read.thread_id, read.seq)}
