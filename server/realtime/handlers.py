"""Socket.IO: the connection gate, the event handlers and presence. Events others
must hear about go out through ``publisher.SocketPublisher``.

Handlers are thin: validate the payload, call one domain function, answer through the
acknowledgement with ``{"ok": true, ...}`` or ``{"ok": false, "error": {...}}``.
Per-connection state lives in ``sio.session``: the user id and subscribed rooms.
"""

from __future__ import annotations

import functools
import logging
import time
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable

import socketio

from server.config import Settings
from server.contract.payload import req_int, req_string, require_object
from server.contract.session import SESSION_COOKIE
from server.domain import accounts, messages, rooms, threads
from server.domain.errors import DomainError, Invalid, NotFound, Unauthenticated
from server.domain.people import load_person
from server.domain.send_queue import SendQueue
from server.origins import origin_allowed
from server.realtime.presence import Presence
from server.realtime.publisher import SocketPublisher, room_channel, user_channel
from server.store.db import Database
from server.store.models import User
from server.store.transaction import RoomOut, Transactions

log = logging.getLogger(__name__)
TYPING_INTERVAL = 3.0
MAX_SUBSCRIBE = 200


Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def _answer(handler: Handler) -> Handler:
    """Turn domain errors into a failed acknowledgement; never let a bad payload crash."""

    @functools.wraps(handler)
    async def wrapped(sid: str, data: Any = None) -> dict[str, Any]:
        try:
            return {"ok": True} | await handler(sid, data)
        except DomainError as error:
            return {"ok": False, "error": error.as_dict()}
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
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
        self.presence = Presence()
        self._typing_sent: dict[tuple[str, int], float] = {}
        if isinstance(txs.publisher, SocketPublisher):
            txs.publisher.recheck_room = self.recheck_room
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        for name in ("subscribe", "unsubscribe", "send", "edit", "delete", "typing", "read"):
            sio.on(name, _answer(getattr(self, f"on_{name}")))

    # ---- connection -------------------------------------------------------------------

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if not origin_allowed(self.settings, environ.get("HTTP_ORIGIN"), environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST")):
            raise socketio.exceptions.ConnectionRefusedError({"code": "forbidden_origin", "message": "this origin may not connect"})
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
        async with self.db.read() as session:
            user = await accounts.authenticate(session, token)
        if user is None:
            raise socketio.exceptions.ConnectionRefusedError({"code": "unauthenticated", "message": "sign in first"})
        await self.sio.save_session(sid, {"user_id": user.id, "rooms": set()})
        await self.sio.enter_room(sid, user_channel(user.id))

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        state = await self.sio.get_session(sid)
        for room_id in list(state.get("rooms", ())):
            await self._leave_presence(room_id, state["user_id"])
        self._typing_sent = {k: v for k, v in self._typing_sent.items() if k[0] != sid}

    async def recheck_room(self, room_id: int) -> None:
        """Unsubscribe this process's connections that may no longer read the room
        (it became invite-only). Other processes' connections are not reached; see
        the README's notes on several processes."""
        channel = room_channel(room_id)
        for sid, _ in list(self.sio.manager.get_participants("/", channel)):
            state = await self.sio.get_session(sid)
            async with self.db.read() as session:
                user = await session.get(User, state["user_id"])
                try:
                    if user is None:
                        raise NotFound("gone")
                    await rooms.readable_room(session, user, room_id)
                    continue
                except NotFound:
                    pass
            await self.sio.leave_room(sid, channel)
            if room_id in state["rooms"]:
                state["rooms"].discard(room_id)
                await self._leave_presence(room_id, state["user_id"])
            await self.sio.emit("event", {"type": "room.access_lost", "room_id": room_id}, to=sid)

    async def _user(self, sid: str) -> User:
        state = await self.sio.get_session(sid)
        async with self.db.read() as session:
            user = await session.get(User, state["user_id"])
        if user is None or user.deactivated_at is not None:
            raise Unauthenticated("this account is no longer active; sign in again")
        return user

    async def _presence_changed(self, room_id: int) -> None:
        await self.txs.publisher.publish([RoomOut(room_id, {"type": "presence", "room_id": room_id, "online": self.presence.online(room_id)})])

    async def _leave_presence(self, room_id: int, user_id: int) -> None:
        if self.presence.remove(room_id, user_id):
            await self._presence_changed(room_id)

    # ---- events -----------------------------------------------------------------------

    async def on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        rooms = require_object(data, "payload").get("rooms")
        if not isinstance(rooms, dict) or not rooms:
            raise Invalid("rooms must be an object of room id to last seen sequence number", "rooms")
        if len(rooms) > MAX_SUBSCRIBE:
            raise Invalid(f"subscribe to at most {MAX_SUBSCRIBE} rooms at once", "rooms")
        user = await self._user(sid)
        state = await self.sio.get_session(sid)
        answers: dict[str, Any] = {}
        for key, last in rooms.items():
            if not str(key).isdigit() or isinstance(last, bool) or not isinstance(last, int) or last < 0:
                answers[str(key)] = {"error": Invalid("give a room id and a whole number of at least 0", "rooms").as_dict()}
                continue
            room_id = int(key)
            # Join first, then read: an event committed in between arrives twice at
            # worst (the client drops seq <= last), never zero times.
            await self.sio.enter_room(sid, room_channel(room_id))
            try:
                async with self.db.read() as session:
                    caught = await messages.events_after(session, user, room_id, last, self.settings.catchup_limit)
            except DomainError as error:
                await self.sio.leave_room(sid, room_channel(room_id))
                answers[str(room_id)] = {"error": error.as_dict()}
                continue
            answers[str(room_id)] = {"resync": True, "last_seq": caught.last_seq} if caught.resync else {"events": caught.events, "last_seq": caught.last_seq}
            if room_id not in state["rooms"]:
                state["rooms"].add(room_id)
                if self.presence.add(room_id, user.id):
                    await self._presence_changed(room_id)
                else:
                    await self.sio.emit("event", {"type": "presence", "room_id": room_id, "online": self.presence.online(room_id)}, to=sid)
        return {"rooms": answers}

    async def on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        room_id = req_int(require_object(data, "payload"), "room_id", minimum=1)
        state = await self.sio.get_session(sid)
        await self.sio.leave_room(sid, room_channel(room_id))
        if room_id in state["rooms"]:
            state["rooms"].discard(room_id)
            await self._leave_presence(room_id, state["user_id"])
        return {}

    async def on_send(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        thread_id = req_int(data, "thread_id", minimum=1)
        client_id = req_string(data, "client_id", max_len=64)
        body = req_string(data, "body", max_len=self.settings.max_message_chars)
        state = await self.sio.get_session(sid)
        posted = await self.send_queue.send(state["user_id"], thread_id, client_id, body)
        return {"message": posted.message, "created": posted.created}

    async def on_edit(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        message_id = req_int(data, "message_id", minimum=1)
        body = req_string(data, "body", max_len=self.settings.max_message_chars)
        user = await self._user(sid)
        async with self.txs.begin() as tx:
            view = await messages.edit_message(tx, user, message_id, body, self.settings.max_message_chars)
        return {"message": view}

    async def on_delete(self, sid: str, data: Any) -> dict[str, Any]:
        message_id = req_int(require_object(data, "payload"), "message_id", minimum=1)
        user = await self._user(sid)
        async with self.txs.begin() as tx:
            view = await messages.delete_message(tx, user, message_id)
        return {"message": view}

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        thread_id = req_int(require_object(data, "payload"), "thread_id", minimum=1)
        now = time.monotonic()
        if now - self._typing_sent.get((sid, thread_id), -TYPING_INTERVAL) < TYPING_INTERVAL:
            return {"throttled": True}
        user = await self._user(sid)
        async with self.db.read() as session:
            thread = await threads.readable_thread(session, user, thread_id)
            person = await load_person(session, user.id)
        self._typing_sent[(sid, thread_id)] = now
        await self.txs.publisher.publish(
            [RoomOut(thread.room_id, {"type": "typing", "room_id": thread.room_id, "thread_id": thread.id, "user": person.as_dict()})]
        )
        return {"throttled": False}

    async def on_read(self, sid: str, data: Any) -> dict[str, Any]:
        data = require_object(data, "payload")
        thread_id = req_int(data, "thread_id", minimum=1)
        seq = req_int(data, "seq", minimum=0)
        user = await self._user(sid)
        return {"thread": await threads.mark_read(self.txs, user, thread_id, seq)}

