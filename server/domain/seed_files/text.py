"""Bytes to text, as spreadsheets and editors write them.

Decisions, in order:

1. A byte-order mark decides: UTF-8 (Excel's "CSV UTF-8"), UTF-16 LE or BE (Excel's
   "Unicode text", tab-separated).
2. Otherwise the file must be UTF-8 (Google Sheets, LibreOffice, Numbers, most editors).
3. If it is not, it is read as Windows-1252, which is what Excel on Windows writes for
   plain "CSV (Comma delimited)", so ``Zoë`` and ``£`` survive; the plan carries a note
   saying so, to check names in the preview. Bytes that are not text in either encoding
   (control characters, undefined Windows-1252 bytes, a binary file) are refused with a
   problem rather than guessed at.
"""

from __future__ import annotations

import codecs
import re

from server.domain.seed_files.problems import Problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CP1252_NOTE = (
    "The file is not UTF-8, so it was read as Windows-1252 (what Excel on Windows saves as 'CSV'); "
    "check accented names in the preview, or save it as 'CSV UTF-8' to be sure."
)
UNREADABLE = (
    "The file's text cannot be read: it is not UTF-8 or Windows-1252 text (is it a spreadsheet saved in another format?). "
    "Save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)' or as .xlsx."
)


def decode(data: bytes) -> tuple[str | None, list[str], list[Problem]]:
    """The text, notes about how it was read, and a problem when it cannot be."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                return None, [], [Problem(f"The file starts as {encoding.upper()} but byte {error.start + len(bom)} is not; {UNREADABLE}")]
            return _checked(text, [])
    try:
        return _checked(data.decode("utf-8"), [])
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1252"), [CP1252_NOTE])
    except UnicodeDecodeError:
        return None, [], [Problem(UNREADABLE)]


def _checked(text: str, notes: list[str]) -> tuple[str | None, list[str], list[Problem]]:
    if _CONTROL.search(text):
        return None, [], [Problem(UNREADABLE)]
    return text, notes, []
