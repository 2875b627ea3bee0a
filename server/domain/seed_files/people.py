"""Addresses as facilitators type them into a spreadsheet cell.

A cell holds bare addresses or ``Name <email>`` items, separated by semicolons, commas
or line breaks. A name may itself contain a comma when quoted (``"Web, Content"
<content@x>``), and an unquoted ``Smith, Jane <jane@x>`` is read as one person rather
than as a broken address ``Smith``. Addresses are lower-cased whole, as accounts are,
so the same person in different case is counted once.
"""

from __future__ import annotations

import re

from server.domain.seed_files.plan import Person
from server.vocabulary import EMAIL_RE

_NAMED = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>$", re.DOTALL)
_SEPARATORS = frozenset(";,\n\r")
_SPLIT = re.compile(r"[;,\r\n]")
_TOKEN = re.compile(r'"[^"]*"?|<[^>]*>?|[;,\r\n]|[^;,\r\n"<]+')


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _fragments(cell: str) -> list[str]:
    """Split on separators outside double quotes and angle brackets (an unclosed quote
    or bracket runs to the end of the cell, and the item is then reported)."""
    if '"' not in cell and "<" not in cell:
        return [part.strip() for part in _SPLIT.split(cell) if part.strip()]
    parts: list[str] = []
    current: list[str] = []
    for token in _TOKEN.findall(cell):
        if token in _SEPARATORS:
            parts.append("".join(current))
            current = []
        else:
            current.append(token)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _joined_names(fragments: list[str]) -> list[str]:
    """Put ``Smith`` back in front of ``Jane <jane@x>`` when a comma split a name."""
    items: list[str] = []
    for fragment in fragments:
        if items and "@" not in items[-1] and "<" not in items[-1] and _NAMED.match(fragment) and "@" in fragment:
            items[-1] = f"{items[-1]}, {fragment}"
        else:
            items.append(fragment)
    return items


def person(item: str) -> Person | str:
    """One ``Name <email>`` or bare address, or the sentence saying why it is not one."""
    item = item.strip()
    name: str | None = None
    email = item
    named = _NAMED.match(item)
    if named:
        email = named.group("email").strip()
        name = " ".join(named.group("name").strip().strip('"').split()) or None
    if email.lower().startswith("mailto:"):
        email = email[len("mailto:") :]
    if len(email) > 254 or not EMAIL_RE.match(email):
        return f"{_shown(item)} is not an email address"
    return Person(email.lower(), name)


def people(cell: str) -> tuple[list[Person], list[str]]:
    """Every person in a cell, each address once (the first name given wins), and a
    sentence for each item that is not an address."""
    found: list[Person] = []
    errors: list[str] = []
    for item in _joined_names(_fragments(cell)):
        parsed = person(item)
        if isinstance(parsed, str):
            errors.append(parsed)
        else:
            found.append(parsed)
    return list(unique(found)), errors


def unique(persons: list[Person]) -> tuple[Person, ...]:
    """Persons in first-seen order, each address once, keeping a name when any had one."""
    found: dict[str, Person] = {}
    for each in persons:
        if each.email not in found or (found[each.email].name is None and each.name):
            found[each.email] = each
    return tuple(found.values())
