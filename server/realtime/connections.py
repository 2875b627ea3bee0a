"""This process's live connections: the gate at connect, subscribing to rooms,
per-connection state, presence, and carrying out directives (ending sessions, losing
rooms, re-checking access).

Per-connection state lives in ``sio.session(sid)``: the person, the session it was
opened with (re-checked on every event, so a socket never outlives its sign-out) and
when that expires, the rooms it subscribed to, and its typing throttle. Changes go through
``async with sio.session(sid)`` (python-socketio keeps those; it does not promise to
keep changes made to the dict ``get_session`` returns).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from datetime import datetime
from typing import Any, AsyncIterator, Mapping

import socketio
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import QueuePool

from server.config import Settings
from server.contract.events import Directive, EndSessions, LoseRoom, RecheckPerson, RecheckRoom
from server.contract.session import SESSION_COOKIE
from server.domain import access, accounts, events, subscriptions
from server.domain.errors import DomainError, NotFound, Unauthenticated
from server.domain.messages import CatchUp
from server.origins import origin_allowed
from server.realtime.presence import Presence
from server.realtime.publisher import Settled, room_channel, user_channel
from server.realtime.reader_cache import ReaderCache
from server.realtime.session_cache import SessionCache
from server.store.db import Database
from server.store.models import User, utcnow

READS_GRACE = 10.0  # seconds a stopping server waits for reads in flight
READ_AGAIN = 3  # reads of a subscribe's check at most, while directives keep arriving


class Connections:
    def __init__(self, sio: socketio.AsyncServer, settings: Settings, db: Database) -> None:
        self.sio = sio
        self.settings = settings
        self.db = db
        self.presence = Presence()
        self.sessions = SessionCache()
        self.readers = ReaderCache()
        self._reading: set[asyncio.Task[Any]] = set()  # events' tasks inside ``reading``
        pool_size = db.engine.pool.size() if isinstance(db.engine.pool, QueuePool) else 2
        self._readers = asyncio.Semaphore(max(1, pool_size - 1))

    # ---- per-connection state -------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def state(self, sid: str) -> AsyncIterator[dict[str, Any]]:
        """The connection's state, saved on exit. A connection that vanished while its
        event was handled (the client went away) reads as signed out."""
        try:
            async with self.sio.session(sid) as state:
                yield state
        except KeyError:
            raise Unauthenticated("this connection has closed") from None

    async def peek(self, sid: str) -> dict[str, Any]:
        try:
            state: dict[str, Any] = await self.sio.get_session(sid)
        except KeyError:
            raise Unauthenticated("this connection has closed") from None
        if state.get("ended"):
            raise Unauthenticated("this session has ended; sign in again")
        return state

    @contextlib.asynccontextmanager
    async def reading(self, sid: str | None = None) -> AsyncIterator[AsyncConnection]:
        """A read connection, for an event of the connection ``sid`` while it is open: a
        client that left (mid-subscribe, say) starts no further read. A read started runs
        to its end (nothing cancels the event's task when its client goes), and a server
        stopping waits for it (``close``): a database call cut off midway would leave
        the driver's worker thread to finish after its event loop closed.

        At most all but one of the pool's steady connections read at once: a join storm
        queues here (cheaply) instead of making the pool open overflow connections it
        closes again at once (on SQLite a thread and a file each), and the writes always
        find a connection."""
        async with self._readers:
            if sid is not None:
                await self.peek(sid)
            task = asyncio.current_task()
            if task is not None:
                self._reading.add(task)
            try:
                async with self.db.engine.connect() as conn:
                    yield conn
            finally:
                if task is not None:
                    self._reading.discard(task)

    async def user(self, sid: str) -> User:
        """The person behind the connection, if its session is still valid."""
        state = await self.peek(sid)
        async with self.db.read() as session:
            return await accounts.user_of_session(session, state["session_id"])

    # ---- connect and disconnect -------------------------------------------------------------

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        scheme, host = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST")
        if not origin_allowed(self.settings, environ.get("HTTP_ORIGIN"), scheme, host):
            raise socketio.exceptions.ConnectionRefusedError("this origin may not connect", {"code": "forbidden_origin"})
        token = _session_token(environ.get("HTTP_COOKIE", ""))
        session_id = accounts.hash_token(token) if token and len(token) <= 200 else None
        if session_id is None:
            raise socketio.exceptions.ConnectionRefusedError("sign in first", {"code": "unauthenticated"})
        generation = self.sessions.generation
        cached = self.sessions.get(session_id)
        user_id, expires_at = (cached.user_id, cached.expires_at) if cached is not None else await self._signed_in(session_id, generation)
        address = environ.get("REMOTE_ADDR")  # for the audit log (a message deleted from this connection)
        state: dict[str, Any] = {
            "user_id": user_id,
            "session_id": session_id,
            "expires_at": expires_at,
            "rooms": set(),
            "typing": {},
            "address": address,
        }
        await self.sio.save_session(sid, state)
        await self.sio.enter_room(sid, user_channel(user_id))
        # In the person's channel now: any later sign-out reaches this connection. One
        # carried out since the cache (or the database) was read makes the database
        # decide again (session_cache.py).
        if self.sessions.forgotten_since(user_id, generation):
            await self._signed_in(session_id, self.sessions.generation)

    async def _signed_in(self, session_id: str, generation: int) -> tuple[int, datetime]:
        """The person of the session and when it expires, from the database; cached
        unless some session of theirs ended since ``generation`` (the read may predate
        it)."""
        async with self.reading() as conn:
            owner = await accounts.session_owner(conn, session_id)
        if owner is None:
            raise socketio.exceptions.ConnectionRefusedError("sign in first", {"code": "unauthenticated"})
        user_id, expires_at = owner
        if not self.sessions.forgotten_since(user_id, generation):
            self.sessions.put(user_id, session_id, expires_at)
        return owner

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the connection (presence announces who went offline)."""
        try:
            state = await self.sio.get_session(sid)
        except KeyError:
            return
        for room_id in list(state.get("rooms", ())):
            self.presence.remove(room_id, state["user_id"])

    # ---- rooms ----------------------------------------------------------------------------

    def committed(self, directive: Directive) -> None:
        """A directive was committed (by this process, or carried out from another):
        forget at once what it makes stale. An ended session: connect asks the database
        for the person's sessions again; lost access: subscribe asks it whether they may
        read the rooms concerned (reader_cache.py)."""
        if isinstance(directive, EndSessions):
            self.sessions.forget_person(directive.user_id)
            self.readers.forget_person(directive.user_id)
        elif isinstance(directive, LoseRoom):
            self.readers.forget_person(directive.user_id, directive.room_id)
        elif isinstance(directive, RecheckRoom):
            self.readers.forget_room(directive.room_id)
        elif isinstance(directive, RecheckPerson):
            self.readers.forget_person(directive.user_id)

    async def close(self) -> None:
        """The server is stopping (every client was disconnected): let reads in flight
        finish before the database closes, then announce pending presence changes."""
        if self._reading:
            await asyncio.wait(set(self._reading), timeout=READS_GRACE)
        await self.presence.close()

    async def subscribe(self, sid: str, last_seen: Mapping[int, int], limit: int) -> dict[int, CatchUp | DomainError]:
        """Subscribe the connection to rooms (room id -> last sequence number seen): what
        it missed in each, or the error that room is answered with.

        Check, then join, then read. Checking first keeps anyone who may not read a room
        out of its channel even for an instant; joining before reading means an event
        committed in between arrives twice at worst (the client drops seq <= last),
        never zero times. The read checks access again, so a room closed in between is
        left at once. One read connection: one statement for the check (none for rooms
        found readable a moment ago, reader_cache.py) and one for the read, whatever
        the rooms (plus one per room with events to replay, when there are several)."""
        async with self.reading(sid) as conn:
            state = await self.peek(sid)
            session_id = state["session_id"]
            readable = await self._readable(conn, state, last_seen.keys())
            # No await from the check's answer to the join: a directive carried out
            # meanwhile cannot slip between them (_readable checked it did not).
            answers: dict[int, CatchUp | DomainError] = {}
            joining = {room_id: last for room_id, last in last_seen.items() if room_id in readable}
            for room_id in joining:
                await self.sio.enter_room(sid, room_channel(room_id))
            for room_id in last_seen.keys() - readable:
                await self.leave(sid, room_id)  # a re-subscribe to a room since lost
                answers[room_id] = NotFound("no such room", "room")
            try:
                caught = await subscriptions.catch_up(conn, session_id, joining, limit)
            except Unauthenticated:  # the session ended meanwhile: out of the channels again
                for room_id in joining:
                    await self.sio.leave_room(sid, room_channel(room_id))
                raise
        for room_id, result in caught.items():
            if isinstance(result, DomainError):
                self.readers.forget_person(state["user_id"], room_id)  # if it was known, it is no longer
                await self.leave(sid, room_id)
            else:
                await self.join(sid, room_id)
            answers[room_id] = result
        return answers

    async def _readable(self, conn: AsyncConnection, state: dict[str, Any], room_ids: Collection[int]) -> set[int]:
        """Which of ``room_ids`` the connection may read: those found readable a moment
        ago (reader_cache.py; its session not expired), the others from the database.
        When a directive was carried out during that read, whose change the read may
        have missed, it is read again."""
        user_id = state["user_id"]
        for _ in range(READ_AGAIN):
            generation = self.readers.generation
            known = self.readers.known(user_id, room_ids) if state["expires_at"] > utcnow() else set()
            if len(known) == len(room_ids):
                return known
            found = await subscriptions.readable_rooms(conn, state["session_id"], [r for r in room_ids if r not in known])
            await conn.rollback()  # the read after the join takes a snapshot of its own
            self.readers.learn(user_id, {room_id: reading.open for room_id, reading in found.items()}, generation)
            if self.readers.generation == generation:
                break
        return known | found.keys()

    async def join(self, sid: str, room_id: int) -> bool:
        """Count the connection as present in the room; True if the person just came
        online there (presence announces it), False if they already were."""
        async with self.state(sid) as state:
            if room_id in state["rooms"]:
                return False
            state["rooms"].add(room_id)
            return self.presence.add(room_id, state["user_id"])

    async def leave(self, sid: str, room_id: int) -> bool:
        """Stop the connection's subscription; True if the person went offline there."""
        await self.sio.leave_room(sid, room_channel(room_id))
        async with self.state(sid) as state:
            if room_id not in state["rooms"]:
                return False
            state["rooms"].discard(room_id)
            return self.presence.remove(room_id, state["user_id"])

    # ---- directives ---------------------------------------------------------------------

    def _local(self, channel: str) -> list[str]:
        return [sid for sid, _ in self.sio.manager.get_participants("/", channel)]

    async def settle(self, directive: Directive) -> Settled:
        """Carry out a directive for this process's connections."""
        settled = Settled()
        self.committed(directive)
        if isinstance(directive, EndSessions):
            for sid in self._local(user_channel(directive.user_id)):
                with contextlib.suppress(Unauthenticated):
                    async with self.state(sid) as state:
                        if directive.session_ids is not None and state["session_id"] not in directive.session_ids:
                            continue
                        state["ended"] = True  # refused from now on, even before the close
                    settled.tell.append((sid, events.session_revoked(directive.reason)))
                    settled.disconnect.append(sid)
        elif isinstance(directive, LoseRoom):
            for sid in self._local(user_channel(directive.user_id)):
                await self._lose(sid, directive.room_id, settled)
        elif isinstance(directive, RecheckRoom):
            for sid in self._local(room_channel(directive.room_id)):
                await self._recheck(sid, {directive.room_id}, settled)
        elif isinstance(directive, RecheckPerson):
            for sid in self._local(user_channel(directive.user_id)):
                with contextlib.suppress(Unauthenticated):
                    await self._recheck(sid, set((await self.peek(sid))["rooms"]), settled)
        return settled

    async def _recheck(self, sid: str, room_ids: set[int], settled: Settled) -> None:
        try:
            state = await self.peek(sid)
        except Unauthenticated:
            return
        async with self.db.read() as session:
            user = await session.get(User, state["user_id"])
            allowed = await access.readable_room_ids(session, user, room_ids)
        for room_id in sorted(room_ids - allowed):
            await self._lose(sid, room_id, settled)

    async def _lose(self, sid: str, room_id: int, settled: Settled) -> None:
        with contextlib.suppress(Unauthenticated):  # the connection closed meanwhile
            await self.leave(sid, room_id)
            settled.tell.append((sid, events.room_access_lost(room_id)))


def _session_token(header: str) -> str | None:
    """The session cookie's value in a Cookie header (the last if repeated, as
    ``SimpleCookie`` reads it), without building a cookie jar on every connect."""
    for pair in reversed(header.split(";")):
        name, equals, value = pair.partition("=")
        if equals and name.strip() == SESSION_COOKIE:
            value = value.strip()
            return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return None
