"""CSV as Excel, Google Sheets and LibreOffice export it.

Line endings (CRLF or LF) and quoted cells holding separators and line breaks are the
``csv`` module's job; a record spanning several lines is still one row, numbered as the
spreadsheet shows it (the heading is row 1, blank rows count but are skipped).

The separator is detected from the heading row: each of comma, semicolon and tab splits
it, and the one that yields the most known column names wins (a European Excel writes
semicolons, Excel's "Unicode text" tabs). When two separators recognise as many
columns but split the headings differently, the file is refused naming both: guessing
would read every row wrongly.
"""

from __future__ import annotations

import csv
import io
from typing import Iterator

from server.domain.seed_files import columns
from server.domain.seed_files.problems import Problem
from server.domain.seed_files.table import Record

DELIMITERS = (",", ";", "\t")


def _first_record(text: str, delimiter: str) -> list[str]:
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if any(c.strip() for c in cells):
            return cells
    return []


def detect_delimiter(text: str) -> tuple[str, list[str]]:
    """The separator and the headings it gives; raises ValueError naming the separators
    found when the heading row reads equally well two different ways."""
    options: list[tuple[int, str, list[str]]] = []
    for delimiter in DELIMITERS:
        try:
            headings = _first_record(text, delimiter)
        except csv.Error:
            continue
        options.append((columns.recognised(headings), delimiter, headings))
    if not options:
        return ",", []
    best = max(score for score, _, _ in options)
    if best == 0:
        # Nothing known: report the headings as split by the separator that splits most.
        _, delimiter, headings = max(options, key=lambda o: len(o[2]))
        return delimiter, headings
    winners = [(d, h) for score, d, h in options if score == best]
    distinct = {tuple(h) for _, h in winners}
    if len(distinct) > 1:
        names = " and ".join(repr(d) if d != "\t" else "tabs" for d, _ in winners)
        raise ValueError(f"The heading row is separated by {names}, and reads as well either way; save the file again with one separator.")
    return winners[0]


def records(text: str, delimiter: str, problems: list[Problem]) -> Iterator[Record]:
    """Rows that are not blank, numbered as the spreadsheet numbers them. Reading stops
    at a badly quoted cell, with a problem for its row: every row after it would be
    read wrongly."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                Problem(f"This row cannot be read ({error}); check for a stray '\"' or a quoted cell that is never closed.", row=row + 1)
            )
            return
        row += 1
        if any(c.strip() for c in cells):
            yield row, cells
