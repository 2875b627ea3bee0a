"""Who is online in each room, announced as coalesced deltas.

A subscribing connection gets the room's list once (``presence``, to it alone); after
that every member hears only what changed (``presence.changed``: who came, who went),
and changes are gathered per room for ``DELAY`` seconds before they go out. A thousand
people joining a room then cost a few deltas to each member instead of a thousand
whole lists to each (the join storm was quadratic in the room's size).

Consistency: the list a subscriber gets is the one last ANNOUNCED for the room, not the
one of this instant, and it goes out through the publisher's queue; every delta is the
difference between two consecutive announced lists and goes out through the same queue
later. The subscriber is already in the room's channel when its list is queued, so it
hears every later delta and, applying them in order, holds the current list. (Applying
a delta to a list that already reflects it changes nothing.)

In-process: with several processes each announces its own connections.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Awaitable, Callable, Sequence

from server.contract.events import Outgoing, ToRoom
from server.domain import events

DELAY = 0.02  # seconds of changes gathered into one delta per room

Announce = Callable[[Sequence[Outgoing]], Awaitable[None]]


class Presence:
    """Who is online in each room, counted per connection so a second tab closing does
    not mark someone offline."""

    def __init__(self) -> None:
        self._rooms: dict[int, dict[int, int]] = defaultdict(dict)
        self._announced: dict[int, frozenset[int]] = {}
        self._snapshots: dict[int, list[int]] = {}  # each announced list, sorted once
        self._changed: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self.announce: Announce | None = None  # the publisher's ``publish``

    def add(self, room_id: int, user_id: int) -> bool:
        """Count one more connection of the person; True if they just came online."""
        people = self._rooms[room_id]
        people[user_id] = people.get(user_id, 0) + 1
        if people[user_id] == 1:
            self._change(room_id)
            return True
        return False

    def remove(self, room_id: int, user_id: int) -> bool:
        """Count one connection fewer; True if the person just went offline."""
        people = self._rooms.get(room_id, {})
        if user_id not in people:
            return False
        people[user_id] -= 1
        if people[user_id] <= 0:
            del people[user_id]
            if not people:
                self._rooms.pop(room_id, None)
            self._change(room_id)
            return True
        return False

    def online(self, room_id: int) -> list[int]:
        """Who is online in the room now (for REST answers)."""
        return sorted(self._rooms.get(room_id, {}))

    def snapshot(self, room_id: int) -> list[int]:
        """The list last announced for the room: what a new subscriber starts from."""
        return self._snapshots.get(room_id, [])

    def _change(self, room_id: int) -> None:
        self._changed.add(room_id)
        if self._timer is None and self.announce is not None:
            self._timer = asyncio.get_running_loop().call_later(DELAY, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.ensure_future(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Announce what changed in each room since its last announcement."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        outgoing: list[Outgoing] = []
        for room_id in sorted(self._changed):
            now = frozenset(self._rooms.get(room_id, ()))
            before = self._announced.get(room_id, frozenset())
            if now != before:
                outgoing.append(ToRoom(room_id, events.presence_changed(room_id, sorted(now - before), sorted(before - now))))
            if now:
                self._announced[room_id] = now
                if now != before:
                    self._snapshots[room_id] = sorted(now)
            else:
                self._announced.pop(room_id, None)
                self._snapshots.pop(room_id, None)
        self._changed.clear()
        if outgoing and self.announce is not None:
            await self.announce(outgoing)

    async def close(self) -> None:
        """Announce what is pending (before the publisher stops)."""
        await self.flush()
        for task in list(self._flushing):
            with contextlib.suppress(asyncio.CancelledError):
                await task
