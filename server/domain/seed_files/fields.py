"""The meaning of one cell (or YAML value): stage, visibility, tags, questions, titles.

Each function takes the text as written and returns the value, or a sentence saying
what is wrong with it; where the problem is (row, line, column) is the caller's.
"""

from __future__ import annotations

import re

from server.vocabulary import Visibility

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_INVITE_WORDS = frozenset({"invite", "inviteonly", "invitationonly", "byinvitation", "private", "closed"})
_OPEN_WORDS = frozenset({"", "open", "public"})


def label(stage: str) -> str:
    """``co-design`` -> ``Co-Design``: how a stage is written on the day."""
    return "-".join(part.capitalize() for part in stage.split("-"))


def stage(text: str, stages: tuple[str, ...]) -> str:
    """Match ``Co-Design``, ``co design`` or ``CODESIGN`` to ``co-design``; a blank or
    unknown stage raises ValueError with the sentence to show."""
    key = _NOT_ALNUM.sub("", text.casefold())
    for known in stages:
        if _NOT_ALNUM.sub("", known.casefold()) == key:
            return known
    allowed = ", ".join(label(s) for s in stages)
    if not key:
        raise ValueError(f"The stage is blank; write one of {allowed}.")
    raise ValueError(f"{' '.join(text.split())!r} is not a stage; write one of {allowed}.")


def visibility(text: str) -> Visibility:
    """Rooms are open unless the file says invite-only (``invite``, ``private``...)."""
    key = _NOT_ALNUM.sub("", text.casefold())
    if key in _OPEN_WORDS:
        return "open"
    if key in _INVITE_WORDS:
        return "invite"
    raise ValueError(f"{' '.join(text.split())!r} is not a visibility; write open, or invite-only for a room only its members see.")


def tags(text: str) -> list[str]:
    """Tags separated by semicolons, commas or line breaks; lower-cased, without a
    leading ``#``, spaces collapsed."""
    return [t for t in (" ".join(part.strip().lstrip("#").split()).lower() for part in re.split(r"[;,\n]", text)) if t]


def unique_text(values: list[str]) -> list[str]:
    """First-seen order, each value once, case and spacing aside."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = key_of(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def questions(text: str) -> list[str]:
    """One question per line of the cell; blank lines dropped, spaces collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def one_line(text: str) -> str:
    return " ".join(text.split())


def key_of(title: str) -> str:
    """Two titles name the same concept when they differ only in case and spacing."""
    return " ".join(title.split()).casefold()


def too_long(what: str, text: str, maximum: int) -> str | None:
    if len(text) <= maximum:
        return None
    return f"The {what} is {len(text)} characters; the longest allowed is {maximum}. Shorten it."
