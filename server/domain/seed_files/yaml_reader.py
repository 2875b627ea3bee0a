"""YAML seeds, for events richer than a spreadsheet: opening threads with first posts,
event facilitators, the event's date and place. ``docs/seed-example.yaml`` is the
commented example.

Safety: the file is only *composed* into a node tree by PyYAML's SafeLoader (the
parser ``yaml.safe_load`` uses) and never constructed into Python objects; every node's
tag must be one of YAML's plain ones (text, number, boolean, null, date, list,
mapping), so ``!!python/object`` and any other tag is refused with its line, and
anchors and aliases (``&a``, ``*a``) are refused before they can multiply the document.
Walking nodes also keeps every value's line, so each problem names its line. Values are
read as the text written (``title: Yes`` is the title "Yes", not a boolean).
"""

from __future__ import annotations

import datetime
from typing import Final

import yaml  # type: ignore[import-untyped]

from server.domain.seed_files import columns
from server.domain.seed_files.drafts import build_room
from server.domain.seed_files.people import people
from server.domain.seed_files.plan import Event, OpeningThread, Person, Room
from server.domain.seed_files.problems import Problem

_PLAIN: Final = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_TOP_KEYS: Final = {"event": "event", "facilitators": "facilitators", "rooms": "rooms"}
_EVENT_KEYS: Final = {"name": "name", "date": "date", "place": "place"}
_THREAD_KEYS: Final = {"openingthreads": "questions", "threads": "questions"}
_POST_KEYS: Final = {"title": "title", "firstpost": "first_post", "post": "first_post", "body": "first_post"}
_ROOM_KEYS: Final = {h: c.field for c in columns.COLUMNS for h in c.headings} | _THREAD_KEYS
# The keys each mapping's problems suggest, as the example writes them.
_SHOWN: Final = {
    "the file": "event, facilitators, rooms",
    "the event": "name, date, place",
    "an opening thread": "title, first post",
    "a room": "title, summary, stage, lead organisation, facilitator, participants, opening threads, tags, visibility, "
    "user need, cost benefit, rapid success",
}


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that refuses aliases while composing."""

    def compose_node(self, parent: object, index: object) -> object:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "anchors and aliases (*name) are not allowed in a seed file", event.start_mark)
        return super().compose_node(parent, index)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _bad_tags(root: yaml.Node) -> list[Problem]:
    problems: list[Problem] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag not in _PLAIN:
            problems.append(
                Problem(f"The tag {node.tag!r} is not allowed: a seed file holds only text, lists and mappings.", line=_line(node))
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return problems


class _Walk:
    """Reads the node tree into the plan's parts, collecting problems with lines."""

    def __init__(self, stages: tuple[str, ...], max_title_chars: int) -> None:
        self.stages = stages
        self.max_title_chars = max_title_chars
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, message: str, key: str | None = None) -> None:
        self.problems.append(Problem(message, line=_line(node), column=key))

    def mapping(self, node: yaml.Node, known: dict[str, str], what: str) -> dict[str, tuple[str, yaml.Node]]:
        """field -> (key as written, value node); unknown keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what[:1].upper()}{what[1:]} should be a mapping of keys (like 'title: ...').")
            return {}
        found: dict[str, tuple[str, yaml.Node]] = {}
        for key_node, value in node.value:
            key = str(key_node.value)
            field = known.get(columns.heading_key(key))
            if field is None:
                self.fail(key_node, f"{key!r} is not a key Convene reads in {what}; use {_SHOWN[what]}.", key)
            else:
                found[field] = (key, value)
        return found

    def text(self, node: yaml.Node, key: str) -> str:
        """A scalar as written, or a list of scalars one per line."""
        if isinstance(node, yaml.ScalarNode):
            return "" if node.tag.endswith(":null") else str(node.value)
        if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in node.value):
            return "\n".join(str(n.value) for n in node.value)
        self.fail(node, f"{key!r} should be text or a list of text.", key)
        return ""

    def event(self, node: yaml.Node | None) -> tuple[str | None, datetime.date | None, str | None]:
        if node is None:
            return None, None, None
        if isinstance(node, yaml.ScalarNode):
            return self.text(node, "event").strip() or None, None, None
        found = self.mapping(node, _EVENT_KEYS, "the event")
        values = {field: self.text(value, key).strip() for field, (key, value) in found.items()}
        day = None
        if values.get("date"):
            try:
                day = datetime.date.fromisoformat(values["date"])
            except ValueError:
                self.fail(found["date"][1], f"{values['date']!r} is not a date; write it like 2026-03-12.", found["date"][0])
        return values.get("name") or None, day, values.get("place") or None

    def facilitators(self, node: yaml.Node | None) -> list[Person]:
        if node is None:
            return []
        found, errors = people(self.text(node, "facilitators"))
        for error in errors:
            self.fail(node, f"{error}; write each facilitator's address, like name@council.gov.uk.", "facilitators")
        return found

    def threads(self, node: yaml.Node, key: str) -> list[OpeningThread]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        threads: list[OpeningThread] = []
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                threads += [OpeningThread(line.strip()) for line in self.text(item, key).splitlines() if line.strip()]
                continue
            found = self.mapping(item, _POST_KEYS, "an opening thread")
            title = " ".join(self.text(found["title"][1], "title").split()) if "title" in found else ""
            if not title:
                self.fail(item, "This opening thread has no title; add 'title: ...'.", key)
                continue
            post = self.text(found["first_post"][1], found["first_post"][0]).strip() if "first_post" in found else ""
            threads.append(OpeningThread(title, post or None))
        return threads

    def room(self, node: yaml.Node, default_facilitator: Person | None) -> Room | None:
        found = self.mapping(node, _ROOM_KEYS, "a room")
        values = {field: self.text(value, key) for field, (key, value) in found.items() if field != "questions"}
        threads = self.threads(found["questions"][1], found["questions"][0]) if "questions" in found else []
        if "facilitator" not in values and default_facilitator is not None:
            named = default_facilitator
            values["facilitator"] = f'"{named.name}" <{named.email}>' if named.name else named.email

        def report(field: str, message: str) -> None:
            key, value = found.get(field, (field, node))
            self.fail(value, message, key)

        return build_room(
            values, report, stages=self.stages, max_title_chars=self.max_title_chars, threads=threads, source_lines=(_line(node),)
        )


def read_yaml(text: str, *, stages: tuple[str, ...], max_title_chars: int) -> tuple[Event | None, list[Person], list[Room], list[Problem]]:
    """The event (its name may be None: the caller falls back), the event's
    facilitators, the rooms in file order (not yet merged) and every problem."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        hint = (
            ""
            if isinstance(error, yaml.composer.ComposerError)
            else "; check the indentation and punctuation of this line and the one above"
        )
        return None, [], [], [Problem(f"The YAML cannot be read: {error.problem}{hint}.", line=int(mark.line) + 1 if mark else None)]
    except yaml.YAMLError as error:
        return None, [], [], [Problem(f"The YAML cannot be read: {error}.")]
    except RecursionError:  # PyYAML composes nested collections recursively
        return None, [], [], [Problem("The YAML is nested too deeply to be a seed file; see docs/seed-example.yaml for its shape.")]
    if root is None:
        return None, [], [], [Problem("The file is empty; see docs/seed-example.yaml for what a seed file holds.")]
    if bad := _bad_tags(root):
        return None, [], [], bad
    walk = _Walk(stages, max_title_chars)
    top = walk.mapping(root, _TOP_KEYS, "the file")
    name, day, place = walk.event(top["event"][1] if "event" in top else None)
    facilitators = walk.facilitators(top["facilitators"][1] if "facilitators" in top else None)
    rooms: list[Room] = []
    rooms_node = top["rooms"][1] if "rooms" in top else None
    if rooms_node is None or not isinstance(rooms_node, yaml.SequenceNode) or not rooms_node.value:
        walk.fail(rooms_node or root, "The file lists no rooms; add 'rooms:' with one '- title: ...' per concept.", "rooms")
    else:
        for item in rooms_node.value:
            room = walk.room(item, facilitators[0] if facilitators else None)
            if room is not None:
                rooms.append(room)
    return Event(name or "", day, place), facilitators, rooms, walk.problems
