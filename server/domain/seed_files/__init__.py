"""Reading a workshop's output file into a typed seed plan, with every problem in it.

Pure: bytes in, a frozen ``SeedPlan`` out; no database, mail or HTTP. The seed command
and the upload page call ``read_seed`` and apply the plan only when ``plan.problems`` is
empty.

Files
    ``.csv`` / ``.tsv`` / ``.txt``: as Excel, Google Sheets and LibreOffice export them
    (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252 with a note; comma,
    semicolon or tab separated, detected from the heading row). ``.xlsx`` / ``.xlsm``:
    the first sheet. ``.yaml`` / ``.yml``: see ``docs/seed-example.yaml``. Any other name
    is read as xlsx when its bytes are a zip, else as CSV.

Spreadsheet columns (headings matched ignoring case, spaces, ``_`` and ``-``)
    ============================  ==========  =====================================================
    heading (or alias)            required    cell
    ============================  ==========  =====================================================
    Concept (Title, Room)         yes         the room's title; rows repeating a title are merged
    Stage                         yes         Discovery, Co-Design, Incubation, Live, Archived
    Participants (People)         yes         addresses or ``Name <email>``, separated by ; , or lines
    Summary (Description)         no          the room's summary
    Lead organisation (-ization,  no          the organisation leading the concept
    Lead org, Lead)
    Facilitator                   no          one address: the room's owner (blank: whoever seeds)
    Opening questions (Questions, no          one opening thread per line of the cell
    Open questions)
    Tags                          no          separated by ; or , and lower-cased
    Visibility                    no          open (blank) or invite-only (invite, private)
    User need, Cost benefit,      at          the three incubation criteria, as a move to incubation
    Rapid success                 Incubation  records them; a concept at Incubation without all three
                                              is a problem naming the missing ones
    ============================  ==========  =====================================================

Unknown headings are problems (a misspelt "Participants" must not silently drop
everyone). Rows are numbered as the spreadsheet shows them: the heading is row 1.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Final

from server.domain.seed_files import csv_reader, xlsx_reader, yaml_reader
from server.domain.seed_files.merging import merge_rooms
from server.domain.seed_files.people import unique
from server.domain.seed_files.plan import Event, Merge, OpeningThread, Person, Room, SeedPlan
from server.domain.seed_files.problems import Problem, ordered
from server.domain.seed_files.table import EMPTY, read_rows
from server.domain.seed_files.text import decode

__all__ = ["MAX_BYTES", "Event", "Merge", "OpeningThread", "Person", "Problem", "Room", "SeedPlan", "read_seed"]

MAX_BYTES: Final = 5 * 1024 * 1024
_EXTENSION = re.compile(r"\.([A-Za-z0-9]+)$")


def _stem_and_kind(filename: str, data: bytes) -> tuple[str, str]:
    base = re.split(r"[\\/]", filename)[-1]
    match = _EXTENSION.search(base)
    extension = match.group(1).lower() if match else ""
    stem = base[: match.start()] if match else base
    if extension in ("yaml", "yml"):
        return stem, "yaml"
    if extension in ("xlsx", "xlsm") or (extension not in ("csv", "tsv", "txt") and zipfile.is_zipfile(BytesIO(data))):
        return stem, "xlsx"
    if extension == "xls":
        return stem, "xls"
    return stem, "csv"


def read_seed(
    data: bytes,
    filename: str,
    *,
    stages: tuple[str, ...],
    event_name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_title_chars: int = 200,
) -> SeedPlan:
    """Read a seed file. Never raises for anything in the file: every problem is in
    ``plan.problems`` (with its row or line and column), and a plan with problems must
    not be applied. ``event_name`` overrides the YAML's event name, which overrides the
    file name without its extension. ``stages`` is ``server.vocabulary.STAGES``."""
    stem, kind = _stem_and_kind(filename, data)
    event = Event(" ".join((event_name or stem).split()))
    if len(data) > max_bytes:
        return SeedPlan(
            event, (), problems=(Problem(f"The file is {_size(len(data))}; the largest accepted is {_size(max_bytes)}. Split it."),)
        )
    if not data.strip():
        return SeedPlan(event, (), problems=(Problem(EMPTY),))
    problems: list[Problem] = []
    notes: list[str] = []
    facilitators: list[Person] = []
    drafts: list[Room] = []
    if kind == "xls":
        problems.append(Problem("Old Excel workbooks (.xls) cannot be read; save it as .xlsx or as 'CSV UTF-8'."))
    elif kind == "xlsx":
        records, problems = xlsx_reader.read_records(data, max_unpacked=max_bytes * 20)
        if not problems:
            drafts, problems = read_rows(records, stages=stages, max_title_chars=max_title_chars, delimiter=None)
    else:
        text, notes, problems = decode(data)
        if text is not None and kind == "yaml":
            read, facilitators, drafts, problems = yaml_reader.read_yaml(text, stages=stages, max_title_chars=max_title_chars)
            if read is not None:
                event = Event(" ".join((event_name or read.name or stem).split()), read.date, read.place)
        elif text is not None:
            drafts, problems = _read_csv(text, stages, max_title_chars)
    rooms, merges = merge_rooms(drafts, problems, stages=stages)
    if kind != "yaml":
        facilitators = [r.facilitator for r in rooms if r.facilitator is not None]
    return SeedPlan(
        event=event,
        rooms=tuple(rooms),
        facilitators=unique(facilitators),
        merged=tuple(merges),
        notes=tuple(notes),
        problems=ordered(problems),
    )


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _read_csv(text: str, stages: tuple[str, ...], max_title_chars: int) -> tuple[list[Room], list[Problem]]:
    if not text.strip(" \t\r\n,;\ufeff"):  # only separators: an empty sheet exported
        return [], [Problem(EMPTY)]
    try:
        delimiter, _ = csv_reader.detect_delimiter(text)
    except ValueError as error:
        return [], [Problem(str(error), row=1)]
    problems: list[Problem] = []
    drafts, found = read_rows(
        csv_reader.records(text, delimiter, problems), stages=stages, max_title_chars=max_title_chars, delimiter=delimiter
    )
    return drafts, found + problems
