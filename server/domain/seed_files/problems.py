"""What is wrong with a seed file, said so that a facilitator can fix it.

A problem points at a place the facilitator can find: a spreadsheet row (the heading is
row 1, and a record whose quoted cell spans several lines is still one row, as Excel
shows it) or a YAML line, and a column or key as written in the file. A problem about
the whole file (empty, unreadable, too large) has neither.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be applied; ``message`` is a whole sentence."""

    message: str
    row: int | None = None
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(self.column)
        joined = ", ".join(where)
        return f"{joined[:1].upper()}{joined[1:]}: {self.message}" if where else self.message


def ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    """File-wide problems first, then by row or line, keeping the order found within one."""
    return tuple(sorted(problems, key=lambda p: p.row or p.line or 0))
