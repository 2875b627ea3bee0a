"""Rooms recently found readable, so a subscribe that the database allowed a moment ago
(a reconnect after a network blip, a client re-subscribing, a tab opening a room
others just opened) joins the room's channel without a read of its own first.

Only the check before the join is skipped: the read after it (the catch-up) checks
access and the session again in the database, and a room found unreadable there is
left at once, so a decision from here is never the last word. What it must not do is
let a connection into a room it lost before that read: every narrowing of access
commits a directive (``LoseRoom``, ``RecheckRoom``, ``RecheckPerson``, ``EndSessions``)
that every process carries out in order with the events, which forgets the entries it
touches here (the process that commits it forgets them as soon as it publishes). A
decision read before such a forgetting is not kept (``generation``), and an entry
lives at most ``TTL`` seconds, the bound for a change made outside the domain (a script
on the database).

Two kinds of entry: an open room is readable by anyone signed in; otherwise the pair
(person, room) was found readable (a member, a facilitator, an administrator).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

TTL = 30.0
MAX_ENTRIES = 50_000


class ReaderCache:
    def __init__(self) -> None:
        self._open: dict[int, float] = {}  # room id -> time.monotonic() the entry ends
        self._pairs: dict[tuple[int, int], float] = {}  # (person, room) -> the same
        self.generation = 0  # bumped by every forgetting

    def known(self, user_id: int, room_ids: Collection[int]) -> set[int]:
        """Those of ``room_ids`` recently found readable by the person."""
        now = time.monotonic()
        return {
            room_id
            for room_id in room_ids
            if self._open.get(room_id, 0.0) > now or self._pairs.get((user_id, room_id), 0.0) > now
        }

    def learn(self, user_id: int, readable: Mapping[int, bool], generation: int) -> None:
        """Keep what a read begun at ``generation`` found (room id -> whether it is open),
        unless something was forgotten since: the read may predate that change."""
        if generation != self.generation:
            return
        if len(self._open) + len(self._pairs) + len(readable) > MAX_ENTRIES:
            self._open.clear()  # rare; the next subscribes read the database again
            self._pairs.clear()
        until = time.monotonic() + TTL
        for room_id, is_open in readable.items():
            if is_open:
                self._open[room_id] = until
            else:
                self._pairs[(user_id, room_id)] = until

    def forget_room(self, room_id: int) -> None:
        """Who may read the room changed (it was narrowed): ask the database again."""
        self.generation += 1
        self._open.pop(room_id, None)
        for pair in [p for p in self._pairs if p[1] == room_id]:
            del self._pairs[pair]

    def forget_person(self, user_id: int, room_id: int | None = None) -> None:
        """The person lost the room ``room_id`` (they left it), or perhaps any room (a
        narrower role, ended sessions): ask the database again. A room they lost that
        was known open (it cannot be, since anyone may read an open room) is forgotten
        for everyone."""
        self.generation += 1
        if room_id is not None:
            self._pairs.pop((user_id, room_id), None)
            self._open.pop(room_id, None)
            return
        for pair in [p for p in self._pairs if p[0] == user_id]:
            del self._pairs[pair]
