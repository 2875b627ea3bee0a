"""A spreadsheet (CSV or the first sheet of a workbook) as rooms: headings, then one row
per concept. The CSV and xlsx readers turn their files into numbered records of text
cells; everything after that is the same for both, and lives here."""

from __future__ import annotations

from typing import Iterable

from server.domain.seed_files import columns
from server.domain.seed_files.drafts import build_room
from server.domain.seed_files.plan import Room
from server.domain.seed_files.problems import Problem

Record = tuple[int, list[str]]  # (row number as the spreadsheet shows it, cells)
EMPTY = "The file is empty; export the spreadsheet again with its heading row and one row per concept."
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tabs"}


def heading_problems(headings: list[str], row: int, delimiter: str | None) -> tuple[dict[str, int], list[Problem]]:
    """Which cell index holds each field, and every problem with the heading row."""
    where: dict[str, int] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for index, heading in enumerate(headings):
        if not heading.strip():
            continue
        column = columns.column_of(heading)
        if column is None:
            unknown.append(heading.strip())
        elif column.field in where:
            first = headings[where[column.field]].strip()
            problems.append(
                Problem(f"{first!r} and {heading.strip()!r} are the same column; keep one of them.", row=row, column=heading.strip())
            )
        else:
            where[column.field] = index
    separated = f" (separated by {_DELIMITER_NAMES[delimiter]})" if delimiter else ""
    for heading in unknown:
        problems.append(
            Problem(
                f"{heading!r} is not a column Convene reads; rename or remove it. "
                f"{columns.found(headings)}{separated}. {columns.expected()}.",
                row=row,
                column=heading,
            )
        )
    missing = [c.label for c in columns.REQUIRED_COLUMNS if c.field not in where]
    if missing:
        names = ", ".join(missing)
        problems.append(
            Problem(f"The heading row has no {names} column. {columns.found(headings)}{separated}. {columns.expected()}.", row=row)
        )
    return where, problems


def _stray_delimiter(cells: list[str], width: int, delimiter: str | None) -> str | None:
    """A row written with another separator than the heading row arrives as one cell."""
    filled = [c for c in cells if c.strip()]
    if delimiter is None or width < 3 or len(filled) != 1:
        return None
    for other in _DELIMITER_NAMES:
        if other != delimiter and filled[0].count(other) >= width - 1:
            return other
    return None


def read_rows(
    records: Iterable[Record], *, stages: tuple[str, ...], max_title_chars: int, delimiter: str | None
) -> tuple[list[Room], list[Problem]]:
    """Rooms from every row with content (blank rows are skipped), and every problem.
    ``records`` yields only rows that are not blank, the heading first."""
    rows = iter(records)
    header = next(rows, None)
    if header is None:
        return [], [Problem(EMPTY)]
    header_row, headings = header
    where, problems = heading_problems(headings, header_row, delimiter)
    width = len(headings)
    ignored = [i for i, h in enumerate(headings) if not h.strip()]
    rooms: list[Room] = []
    seen_rows = 0
    header_broken = bool(problems)
    for row, cells in rows:
        seen_rows += 1
        if header_broken:
            continue  # without known columns no row can be read; the heading problems say why
        if other := _stray_delimiter(cells, width, delimiter):
            problems.append(
                Problem(
                    f"This row is separated by {_DELIMITER_NAMES[other]} but the heading row by {_DELIMITER_NAMES[delimiter or ',']}; "
                    "save the file again with one separator.",
                    row=row,
                )
            )
            continue
        stray = [i for i in (*ignored, *range(width, len(cells))) if i < len(cells) and cells[i].strip()]
        if stray:
            problems.append(
                Problem(
                    f"This row has a value in column {stray[0] + 1}, which has no heading; "
                    + (
                        "give the column a heading or clear the value."
                        if delimiter is None
                        else f"a cell containing {_DELIMITER_NAMES[delimiter]} must be in quotes."
                    ),
                    row=row,
                )
            )

        def report(field: str, message: str, row: int = row) -> None:
            index = where.get(field)
            problems.append(Problem(message, row=row, column=headings[index].strip() if index is not None else columns.LABELS[field]))

        values = {field: (cells[i] if i < len(cells) else "") for field, i in where.items()}
        room = build_room(values, report, stages=stages, max_title_chars=max_title_chars, source_rows=(row,))
        if room is not None:
            rooms.append(room)
    if seen_rows == 0 and not problems:
        problems.append(Problem("The file has a heading row but no concepts; add one row per concept below the headings.", row=header_row))
    return rooms, problems
