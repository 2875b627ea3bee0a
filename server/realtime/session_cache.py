"""Sessions recently found valid at connect, so a reconnect storm (a restart, a
network blip: every client of a programme reconnecting at once) does not cost one
database round trip per connection.

Safe because revocation does not depend on it: signing out, signing out everywhere
and deactivation each commit an ``EndSessions`` directive, which every process carries
out in order with the events (``server.realtime.managers``); carrying it out forgets
the person's cached sessions here and ends their open connections. A connection that
used the cache joins its person's channel before anything else can run, then checks
that nothing was forgotten for that person meanwhile (``forgotten_since``): if it was,
the database decides. Every event after connect re-checks the session as before.
An entry lives at most ``TTL`` seconds, and never past its session's own expiry (kept
with it, and in the connection's state: see ``reader_cache.py``), so a session that
merely expires is refused at connect at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

TTL = 30.0
MAX_ENTRIES = 20_000


@dataclass(frozen=True, slots=True)
class CachedSession:
    user_id: int
    session_id: str
    expires_at: datetime  # the session's own expiry
    until: float  # time.monotonic() after which the database is asked again


class SessionCache:
    def __init__(self) -> None:
        self._by_id: dict[str, CachedSession] = {}
        self._forgotten: dict[int, int] = {}  # user id -> the generation it was last forgotten at
        self.generation = 0

    def get(self, session_id: str) -> CachedSession | None:
        entry = self._by_id.get(session_id)
        if entry is None:
            return None
        if entry.until < time.monotonic() or entry.expires_at <= datetime.now(timezone.utc):
            del self._by_id[session_id]
            return None
        return entry

    def put(self, user_id: int, session_id: str, expires_at: datetime) -> None:
        if len(self._by_id) >= MAX_ENTRIES:
            self._by_id.clear()  # rare; the next connects ask the database again
        self._by_id[session_id] = CachedSession(user_id, session_id, expires_at, time.monotonic() + TTL)

    def forget_person(self, user_id: int) -> None:
        """Some session of the person ended: ask the database for each of theirs again."""
        self.generation += 1
        self._forgotten[user_id] = self.generation
        for session_id in [k for k, v in self._by_id.items() if v.user_id == user_id]:
            del self._by_id[session_id]

    def forgotten_since(self, user_id: int, generation: int) -> bool:
        return self._forgotten.get(user_id, 0) > generation
