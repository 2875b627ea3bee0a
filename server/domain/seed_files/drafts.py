"""One concept as written in one place (a spreadsheet row or a YAML room) made into a Room.

Both the spreadsheet and the YAML readers hand over text per field, so every rule about
titles, stages, addresses, tags and questions is written once, here. Where a problem is
(row or line, column or key) is the reader's business: it passes ``report``.
"""

from __future__ import annotations

from typing import Callable

from server.domain.seed_files import fields
from server.domain.seed_files.people import people, unique
from server.domain.seed_files.plan import OpeningThread, Person, Room

Report = Callable[[str, str], None]  # (field, sentence)


def _facilitator(text: str, report: Report) -> Person | None:
    found, errors = people(text)
    for error in errors:
        report("facilitator", f"{error}; write the facilitator's address, like name@council.gov.uk.")
    if len(found) > 1:
        report("facilitator", f"Only one facilitator per concept, and this has {len(found)}; list the others as participants.")
    return found[0] if found and not errors else None


def _participants(text: str, report: Report) -> list[Person]:
    found, errors = people(text)
    for error in errors:
        report("participants", f"{error}; write each address like name@council.gov.uk, separated by ';'.")
    return found


def build_room(
    values: dict[str, str],
    report: Report,
    *,
    stages: tuple[str, ...],
    max_title_chars: int,
    threads: list[OpeningThread] | None = None,
    source_rows: tuple[int, ...] = (),
    source_lines: tuple[int, ...] = (),
) -> Room | None:
    """The room one place describes, or None when it has no title. Every problem found
    is reported, not only the first, so a facilitator fixes the file in one pass."""
    title = fields.one_line(values.get("title", ""))
    if not title:
        report("title", "The concept has no title; write its name here.")
    elif message := fields.too_long("title", title, max_title_chars):
        report("title", message)
    stage = ""  # blank may be filled by a repeat of the concept; merging reports it if not
    try:
        if values.get("stage", "").strip():
            stage = fields.stage(values["stage"], stages)
    except ValueError as error:
        report("stage", str(error))
        stage = stages[0]
    visibility = fields.visibility("")
    try:
        visibility = fields.visibility(values.get("visibility", ""))
    except ValueError as error:
        report("visibility", str(error))
    facilitator = _facilitator(values.get("facilitator", ""), report)
    participants = [p for p in _participants(values.get("participants", ""), report) if facilitator is None or p.email != facilitator.email]
    if threads is None:
        threads = [OpeningThread(q) for q in fields.questions(values.get("questions", ""))]
    for thread in threads:
        if len(thread.title) > max_title_chars:
            start = thread.title[:40]
            report(
                "questions", f"The question starting {start!r} is {len(thread.title)} characters; the longest allowed is {max_title_chars}."
            )
    if not title:
        return None
    return Room(
        title=title,
        summary=values.get("summary", "").strip(),
        stage=stage,
        tags=tuple(fields.unique_text(fields.tags(values.get("tags", "")))),
        lead_organisation=fields.one_line(values.get("lead_organisation", "")) or None,
        visibility=visibility,
        facilitator=facilitator,
        participants=unique(participants),
        opening_threads=tuple(unique_threads(threads)),
        source_rows=source_rows,
        source_lines=source_lines,
        user_need=values.get("user_need", "").strip(),
        cost_benefit=values.get("cost_benefit", "").strip(),
        rapid_success=values.get("rapid_success", "").strip(),
    )


def unique_threads(threads: list[OpeningThread]) -> list[OpeningThread]:
    kept: dict[str, OpeningThread] = {}
    for thread in threads:
        kept.setdefault(fields.key_of(thread.title), thread)
    return list(kept.values())
