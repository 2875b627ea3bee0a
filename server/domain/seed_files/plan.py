"""The typed result of reading a seed file: what a seed would create, and what is wrong.

Everything here is frozen and plain, so the door that shows a preview and the domain
function that applies it see exactly the same thing. A plan with any ``problems`` must
not be applied; its rooms are still filled in as far as they could be read, so a
preview can show them beside the problems.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from server.domain.seed_files.problems import Problem
from server.vocabulary import Visibility


@dataclass(frozen=True)
class Person:
    """An address, lower-cased (``PARKING.LEAD@`` and ``parking.lead@`` are one person),
    and the display name written beside it as ``Name <email>``, if any."""

    email: str
    name: str | None = None


@dataclass(frozen=True)
class OpeningThread:
    """A question left open at the event; YAML seeds may give it a first post."""

    title: str
    first_post: str | None = None


@dataclass(frozen=True)
class Room:
    """One concept. ``facilitator`` becomes the room's owner (None: the person applying
    the seed); ``participants`` never repeat an address and never include the
    facilitator. ``source_rows`` are spreadsheet rows, ``source_lines`` YAML lines: more
    than one when the concept was written twice and merged."""

    title: str
    summary: str
    stage: str
    tags: tuple[str, ...]
    lead_organisation: str | None
    visibility: Visibility
    facilitator: Person | None
    participants: tuple[Person, ...]
    opening_threads: tuple[OpeningThread, ...]
    source_rows: tuple[int, ...] = ()
    source_lines: tuple[int, ...] = ()
    # The incubation criteria (recorded for a concept seeded at stage incubation).
    user_need: str = ""
    cost_benefit: str = ""
    rapid_success: str = ""

    @property
    def criteria(self) -> tuple[str, str, str] | None:
        """(user need, cost benefit, rapid success) when all three are written."""
        given = (self.user_need, self.cost_benefit, self.rapid_success)
        return given if all(given) else None

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(thread.title for thread in self.opening_threads)


@dataclass(frozen=True)
class Merge:
    """The same concept (same title, case and spacing aside) written more than once."""

    title: str
    rows: tuple[int, ...] = ()
    lines: tuple[int, ...] = ()

    def __str__(self) -> str:
        places = "rows" if self.rows else "lines"
        numbers = [str(n) for n in (self.rows or self.lines)]
        listed = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
        return (
            f"{places.capitalize()} {listed} are the same concept, {self.title!r}: they make one room with all their questions and people."
        )


@dataclass(frozen=True)
class Event:
    """The workshop the rooms came out of; its name identifies it when seeding again."""

    name: str
    date: datetime.date | None = None
    place: str | None = None


@dataclass(frozen=True)
class SeedPlan:
    """Everything read from one file. ``facilitators`` are the event's (YAML) or, for a
    spreadsheet, each room's facilitator once; ``notes`` are things worth knowing that do
    not stop the seed (such as the text encoding the file was read with)."""

    event: Event
    rooms: tuple[Room, ...]
    facilitators: tuple[Person, ...] = ()
    merged: tuple[Merge, ...] = ()
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def applicable(self) -> bool:
        return not self.problems
