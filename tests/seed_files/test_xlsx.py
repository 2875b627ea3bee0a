"""Workbooks: the first sheet, the same columns and rules, rows numbered as Excel shows."""

from __future__ import annotations

import io
import zipfile

import openpyxl  # type: ignore[import-untyped]

from server.domain.seed_files import OpeningThread, Person

from .reading import problems, read
from .test_sample import EXPECTED


def _workbook(rows: list[list[object]], *, first_sheet_title: str = "Concepts", merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = first_sheet_title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    other = book.create_sheet("Notes")
    other.append(["Nothing here is read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_with_the_sample_rows_reads_like_the_csv() -> None:
    import csv

    from .reading import FILES

    text = (FILES / "discovery-day.csv").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    rows: list[list[object]] = [list(cells) for cells in csv.reader(io.StringIO(text, newline=""))]
    plan = read(_workbook(rows), "discovery-day.xlsx")
    assert plan.problems == ()
    assert plan.rooms == EXPECTED


def test_row_numbers_are_excels_and_blank_and_merged_trailing_rows_are_ignored() -> None:
    rows: list[list[object]] = [
        ["Concept", "Stage", "Participants", "Opening questions", "Tags"],
        ["Blue badges", "Co-Design", "Ada <ADA@camden.example>, ada@camden.example", "Who assesses?\n\nHow long?", "Parking; PARKING"],
        [],
        [None, "Alpha", "someone", None, None],
        ["Year", "Live", "x@y.example", 2026, 3.0],
        [],
        [None, None, None, None, None],
    ]
    plan = read(_workbook(rows, merge="A9:C10"), "day.xlsx")
    assert problems(plan) == [
        (4, "Concept", "The concept has no title; write its name here."),
        (4, "Stage", "'Alpha' is not a stage; write one of Discovery, Co-Design, Incubation, Live, Archived."),
        (4, "Participants", "'someone' is not an email address; write each address like name@council.gov.uk, separated by ';'."),
    ]
    badges, year = plan.rooms
    assert badges.participants == (Person("ada@camden.example", "Ada"),)
    assert badges.opening_threads == (OpeningThread("Who assesses?"), OpeningThread("How long?"))
    assert badges.tags == ("parking",)
    assert (year.source_rows, year.questions, year.tags) == ((5,), ("2026",), ("3",))


def test_broken_and_header_only_and_huge_workbooks() -> None:
    assert problems(read(b"PK\x03\x04 not really a zip", "day.xlsx"))[0][2].startswith("The workbook cannot be opened as .xlsx (")
    assert problems(read(_workbook([["Concept", "Stage", "Participants"]]), "day.xlsx")) == [
        (1, None, "The file has a heading row but no concepts; add one row per concept below the headings.")
    ]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 3_000_000)
    assert problems(read(packed.getvalue(), "bomb.xlsx", max_bytes=100_000)) == [
        (None, None, "The workbook unpacks to more than 2 MB; split it into smaller files.")
    ]


def test_value_under_a_column_without_heading_is_a_problem() -> None:
    plan = read(_workbook([["Concept", "Stage", None, "Participants"], ["A", "Live", "stray", "a@b.example"]]), "day.xlsx")
    assert problems(plan) == [
        (2, None, "This row has a value in column 3, which has no heading; give the column a heading or clear the value.")
    ]


def test_a_zip_that_is_not_a_workbook_is_a_problem() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("hello.txt", b"not a workbook")
    (problem,) = problems(read(packed.getvalue(), "day.xlsx"))
    assert problem[:2] == (None, None)
    assert problem[2].startswith("The workbook cannot be opened as .xlsx (")
    assert problem[2].endswith("); save it again from the spreadsheet as .xlsx or 'CSV UTF-8'.")


def test_old_xls_is_refused_and_a_workbook_under_another_name_is_read() -> None:
    assert problems(read(b"\xd0\xcf\x11\xe0 old", "day.xls")) == [
        (None, None, "Old Excel workbooks (.xls) cannot be read; save it as .xlsx or as 'CSV UTF-8'.")
    ]
    plan = read(_workbook([["Concept", "Stage", "Participants"], ["A", "Live", "a@b.example"]]), "upload")
    assert [r.title for r in plan.rooms] == ["A"]
