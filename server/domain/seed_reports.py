"""A seed's report as the page receives it (``server.contract.seeding.SeedReport``),
and the preview digest that lets "Apply" apply exactly what "Preview" showed.

The digest covers the file's bytes and everything the report says will be created,
changed and sent (rooms and their slugs, questions, each address's outcome, the
emails), not the ids a rolled-back preview made up. Apply runs the seed, makes the
same report inside its transaction and commits only when the digest is the one the
facilitator confirmed: a changed file, or rooms changed by someone else meanwhile
(another seed of the same event, an invitation accepted), refuses with 409 and
nothing written, and the page asks for a fresh preview.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from server.config import Settings
from server.domain.errors import Conflict, Invalid
from server.domain.seed_files import SeedPlan
from server.domain.seeding import Progress, RoomReport, SeedReport, apply_seed
from server.store.models import User
from server.store.transaction import Tx

_UNDIGESTED = ("applied", "preview", "event_id")


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_json(plan: SeedPlan, report: SeedReport | None, data: bytes, *, applied: bool) -> dict[str, Any]:
    """The answer for ``plan`` read from ``data``: with the report of the seed (a dry
    run unless ``applied``), or, for a file with problems (``report`` None), the
    problems with their rows and columns and nothing else."""
    answer: dict[str, Any] = {
        "applied": applied,
        "applicable": plan.applicable,
        "changed": False,
        "event": report.event if report else plan.event.name,
        "event_id": None,
        "event_created": False,
        "rooms": [],
        "not_in_file": [],
        "mails": [],
        "rooms_created": 0,
        "threads_created": 0,
        "notes": list(plan.notes),
        "merged": [str(merge) for merge in plan.merged],
        "problems": [{"text": str(p), "message": p.message, "row": p.row, "line": p.line, "column": p.column} for p in plan.problems],
        "file_sha256": file_digest(data),
        "preview": None,
        "seeder": None,
    }
    if report is None:
        return answer
    answer |= {
        "changed": report.changed,
        "event_id": report.event_id if applied or not report.event_created else None,
        "event_created": report.event_created,
        "seeder": report.seeder,
        "rooms": [
            {
                "title": room.title,
                "slug": room.slug,
                "created": room.created,
                "owner": room.owner,
                "owners": _owners(room, report.seeder),
                "similar": room.similar,
                "threads_created": room.threads_created,
                "threads_existing": room.threads_existing,
                "people": [{"email": e, "outcome": o, "owner": e == room.owner} for e, o in room.people.items()],
            }
            for room in report.rooms
        ],
        "not_in_file": report.not_in_file,
        "mails": [{"email": email, "kind": kind} for email, kind in sorted(report.mails.items())],
        "rooms_created": sum(room.created for room in report.rooms),
        "threads_created": sum(len(room.threads_created) for room in report.rooms),
    }
    answer["preview"] = preview_digest(answer)
    return answer


def _owners(room: RoomReport, seeder: str) -> list[str]:
    """Who owns the room once applied: for a new room, the person seeding (who opens
    it) and the row's facilitator; for a room found, the facilitator the file names."""
    if room.created and room.owner != seeder:
        return [room.owner, seeder]
    return [room.owner]


def preview_digest(answer: dict[str, Any]) -> str:
    """SHA-256 of the file's digest and what the report says will happen."""
    said = {key: value for key, value in answer.items() if key not in _UNDIGESTED}
    return hashlib.sha256(json.dumps(said, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def apply_previewed(
    tx: Tx, cfg: Settings, actor: User, plan: SeedPlan, data: bytes, preview: str, progress: Progress | None = None
) -> dict[str, Any]:
    """Apply ``plan`` (read from ``data``) in ``tx`` and answer its report, if it is
    exactly what the preview with digest ``preview`` showed; otherwise raise
    ``Conflict`` (the caller's transaction then rolls back: nothing is written)."""
    if plan.problems:
        listed = "; ".join(str(p) for p in plan.problems[:5])
        raise Invalid(f"the file has {len(plan.problems)} problem(s); nothing was applied: {listed}", "file")
    answer = report_json(plan, await apply_seed(tx, cfg, actor, plan, progress), data, applied=True)
    if answer["preview"] != preview:
        raise Conflict("the file, or the rooms it seeds, changed since this preview; nothing was applied: preview it again", "preview")
    return answer
