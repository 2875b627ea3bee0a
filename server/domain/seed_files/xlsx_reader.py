"""The first sheet of an .xlsx workbook, read with openpyxl in read-only mode.

Read-only mode streams the sheet instead of building every cell object, and formulas
are read as the values Excel last computed (``data_only``). Row numbers are the ones
Excel shows; blank rows (including the many formatted-but-empty rows at the end of a
sheet, and the empty cells of merged ranges) are skipped. A workbook whose contents
would expand past ``max_unpacked`` bytes is refused before openpyxl reads it, so a small
zip cannot become a large amount of memory.
"""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile
from typing import Iterator

import openpyxl  # type: ignore[import-untyped]

from server.domain.seed_files.problems import Problem
from server.domain.seed_files.table import Record


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def read_records(data: bytes, *, max_unpacked: int) -> tuple[list[Record], list[Problem]]:
    """The sheet's rows that are not blank, as text cells, or the problem opening it."""
    try:
        if _unpacked_size(data) > max_unpacked:
            return [], [Problem(f"The workbook unpacks to more than {max_unpacked // 1_000_000} MB; split it into smaller files.")]
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; none matter here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file; every one means "cannot open"
        return [], [_unopenable(error)]
    try:
        if not book.worksheets:
            return [], [Problem("The workbook has no sheets; the first sheet should hold the concepts.")]
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # trust the rows, not the size the writer claimed
        return list(_rows(sheet)), []
    except Exception as error:  # a sheet's XML is parsed as it streams, so damage shows up here too
        return [], [_unopenable(error)]
    finally:
        book.close()


def _unopenable(error: Exception) -> Problem:
    reason = str(error) or type(error).__name__
    return Problem(f"The workbook cannot be opened as .xlsx ({reason}); save it again from the spreadsheet as .xlsx or 'CSV UTF-8'.")


def _rows(sheet: object) -> Iterator[Record]:
    """Read-only sheets yield every row from the first, empty tuples for missing ones,
    so counting from 1 gives Excel's row numbers."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        cells = [_text(v) for v in values]
        if any(c.strip() for c in cells):
            yield number, cells
