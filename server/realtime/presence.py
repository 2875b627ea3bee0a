"""Who is online in each room."""

from __future__ import annotations

from collections import defaultdict


class Presence:
    """Who is online in each room, counted per connection so a second tab closing does
    not mark someone offline. In-process: with several processes each knows its own."""

    def __init__(self) -> None:
        self._rooms: dict[int, dict[int, int]] = defaultdict(dict)

    def add(self, room_id: int, user_id: int) -> bool:
        people = self._rooms[room_id]
        people[user_id] = people.get(user_id, 0) + 1
        return people[user_id] == 1

    def remove(self, room_id: int, user_id: int) -> bool:
        people = self._rooms.get(room_id, {})
        if user_id not in people:
            return False
        people[user_id] -= 1
        if people[user_id] <= 0:
            del people[user_id]
            return True
        return False

    def online(self, room_id: int) -> list[int]:
        return sorted(self._rooms.get(room_id, {}))
