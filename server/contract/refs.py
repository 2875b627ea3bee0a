"""References in URL paths: ``/threads/{thread_id}`` and ``/rooms/{room}`` (an id or
a slug). A reference that cannot name anything stored (not digits, beyond ``MAX_ID``,
a 5,000-digit number, a slug with characters slugs never have) is simply not found:
the door answers 404 without asking the database, which could not bind such an id
anyway."""

from __future__ import annotations

import re
from typing import Final

from server.contract.fields import MAX_ID

_DIGITS: Final = re.compile(r"[0-9]{1,10}")
# What slugs are made of (the domain decides the exact rules when one is set).
_SLUGGISH: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def parse_id(raw: str) -> int | None:
    """The id written in ``raw`` (ASCII digits, 1 to MAX_ID), or None."""
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_room_ref(raw: str) -> int | str | None:
    """A room's id (int) or slug (str) as written in a path, or None when ``raw``
    can be neither. All-digit references are ids: slugs are never only digits."""
    if raw.isascii() and raw.isdigit():
        return parse_id(raw)
    return raw if _SLUGGISH.fullmatch(raw) else None
