"""The columns of a spreadsheet seed and how their headings are recognised.

A heading matches whatever its case and spacing: ``Lead organisation``,
``LEAD_ORGANISATION`` and ``lead-organisation`` are one column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Column:
    field: str  # the name the readers use
    label: str  # how problems and documentation write it
    headings: tuple[str, ...]  # accepted headings, normalised by ``heading_key``
    required: bool = False


COLUMNS: Final[tuple[Column, ...]] = (
    Column("title", "Concept", ("concept", "title", "concepttitle", "room"), required=True),
    Column("summary", "Summary", ("summary", "description")),
    Column("stage", "Stage", ("stage",), required=True),
    Column("lead_organisation", "Lead organisation", ("leadorganisation", "leadorganization", "leadorg", "lead")),
    Column("facilitator", "Facilitator", ("facilitator",)),
    Column("participants", "Participants", ("participants", "people"), required=True),
    Column("questions", "Opening questions", ("openingquestions", "questions", "openquestions")),
    Column("tags", "Tags", ("tags",)),
    Column("visibility", "Visibility", ("visibility",)),
    # The programme's three criteria for incubation: needed on a row at stage Incubation.
    Column("user_need", "User need", ("userneed",)),
    Column("cost_benefit", "Cost benefit", ("costbenefit", "costbenefits")),
    Column("rapid_success", "Rapid success", ("rapidsuccess", "prospectsofrapidsuccess")),
)
CRITERIA_FIELDS: Final = ("user_need", "cost_benefit", "rapid_success")
REQUIRED_COLUMNS: Final = tuple(c for c in COLUMNS if c.required)
LABELS: Final = {c.field: c.label for c in COLUMNS}
_BY_HEADING: Final = {h: c for c in COLUMNS for h in c.headings}
_IGNORED = re.compile(r"[\s_\-]+")


def heading_key(text: str) -> str:
    return _IGNORED.sub("", text.casefold())


def column_of(heading: str) -> Column | None:
    return _BY_HEADING.get(heading_key(heading))


def recognised(headings: list[str]) -> int:
    """How many headings name a known column: the score that picks the delimiter."""
    return sum(1 for h in headings if column_of(h) is not None)


def expected() -> str:
    needed = ", ".join(c.label for c in REQUIRED_COLUMNS)
    optional = ", ".join(c.label for c in COLUMNS if not c.required)
    return f"Convene needs the columns {needed}, and reads {optional} when present"


def found(headings: list[str]) -> str:
    shown = [h.strip() for h in headings if h.strip()]
    return "Columns found: " + (", ".join(shown) if shown else "none")
