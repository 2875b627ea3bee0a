"""The same concept written twice becomes one room.

Workshops often produce two rows for one concept (two tables discussed it). Rows whose
titles match, case and spacing aside, make ONE room with every row's questions,
participants and tags, each once, and the plan says which rows were merged. A field
that can hold only one value (stage, lead organisation, facilitator, visibility,
summary) may be blank on all but one row; two different values are a problem, because
guessing which one the facilitator meant would be wrong half the time.
"""

from __future__ import annotations

from dataclasses import replace

from server.domain.seed_files import fields
from server.domain.seed_files.columns import CRITERIA_FIELDS, LABELS
from server.domain.seed_files.drafts import unique_threads
from server.domain.seed_files.people import unique
from server.domain.seed_files.plan import Merge, Room
from server.domain.seed_files.problems import Problem


def _where(room: Room) -> str:
    return f"row {room.source_rows[0]}" if room.source_rows else f"line {room.source_lines[0]}"


def _single(first: Room, later: Room, problems: list[Problem]) -> Room:
    """Fill ``first``'s blanks from ``later`` and report the fields where they disagree."""
    merged = first
    for field in ("summary", "stage", "lead_organisation", "facilitator", "visibility", *CRITERIA_FIELDS):
        mine, theirs = getattr(first, field), getattr(later, field)
        if mine == theirs or theirs in (None, ""):
            continue
        if mine in (None, ""):
            merged = replace(merged, **{field: theirs})
            continue
        shown = theirs.email if field == "facilitator" else theirs
        was = mine.email if field == "facilitator" else mine
        problems.append(
            Problem(
                f"This concept is also on {_where(first)} with {LABELS[field].lower()} {was!r}, here {shown!r}; "
                "make them the same, or leave one blank.",
                row=later.source_rows[0] if later.source_rows else None,
                line=later.source_lines[0] if later.source_lines else None,
                column=LABELS[field] if later.source_rows else field,
            )
        )
    return merged


INCUBATION = "incubation"


def _check_criteria(room: Room, problems: list[Problem]) -> None:
    """A concept seeded at stage Incubation records the programme's three criteria, as
    a move to incubation on the pipeline does: each one missing is a problem."""
    missing = [LABELS[f] for f in CRITERIA_FIELDS if not getattr(room, f)]
    if not missing:
        return
    listed = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    problems.append(
        Problem(
            f"A concept at stage Incubation needs the three incubation criteria (User need, Cost benefit, Rapid success); "
            f"{listed} {'is' if len(missing) == 1 else 'are'} missing. Write {'it' if len(missing) == 1 else 'them'} "
            "in the columns of that name, or choose an earlier stage.",
            row=room.source_rows[0] if room.source_rows else None,
            line=room.source_lines[0] if room.source_lines else None,
            column=missing[0] if room.source_rows else missing[0].lower().replace(" ", "_"),
        )
    )


def merge_rooms(
    drafts: list[Room], problems: list[Problem], *, stages: tuple[str, ...], stage_column: str = "Stage"
) -> tuple[list[Room], list[Merge]]:
    """Rooms in the order their concept first appears, and a Merge for each repeat. A
    room whose stage is blank on every row is a problem (``stage_column`` is the heading
    as written) and gets the first stage, so the plan stays well typed."""
    by_key: dict[str, Room] = {}
    for draft in drafts:
        key = fields.key_of(draft.title)
        first = by_key.get(key)
        if first is None:
            by_key[key] = draft
            continue
        room = _single(first, draft, problems)
        facilitator = room.facilitator
        by_key[key] = replace(
            room,
            tags=tuple(fields.unique_text([*first.tags, *draft.tags])),
            participants=unique(
                [p for p in (*first.participants, *draft.participants) if facilitator is None or p.email != facilitator.email]
            ),
            opening_threads=tuple(unique_threads([*first.opening_threads, *draft.opening_threads])),
            source_rows=first.source_rows + draft.source_rows,
            source_lines=first.source_lines + draft.source_lines,
        )
    for key, room in by_key.items():
        if not room.stage:
            problems.append(
                Problem(
                    f"The stage is blank; write one of {', '.join(fields.label(s) for s in stages)}.",
                    row=room.source_rows[0] if room.source_rows else None,
                    line=room.source_lines[0] if room.source_lines else None,
                    column=stage_column if room.source_rows else "stage",
                )
            )
            by_key[key] = replace(room, stage=stages[0])
        elif room.stage == INCUBATION:
            _check_criteria(room, problems)
    merges = [Merge(r.title, r.source_rows, r.source_lines) for r in by_key.values() if len(r.source_rows) + len(r.source_lines) > 1]
    return list(by_key.values()), merges
