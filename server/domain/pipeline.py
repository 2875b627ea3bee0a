"""The pipeline: moving a room from one stage to another (discovery, co-design,
incubation, live, archived) and the history of those moves.

Every change of a room's stage goes through ``record_move``, whether it comes from
the move endpoint or from a room's settings (``rooms.update_room``): so each one is
checked the same way, kept in ``stage_moves`` and announced as the numbered room
event stage.moved, which live clients receive and catch-up replays like a message.
Permission is decided in ``server.domain.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.contract.pipeline import CRITERION_MAX_CHARS, NOTE_MAX_CHARS
from server.domain import audit, events
from server.domain.access import readable_room, require_stage_mover
from server.domain.errors import Conflict, Invalid
from server.domain.people import Person, load_people
from server.domain.presenters import iso
from server.store.models import Room, RoomMember, StageMove, User
from server.store.transaction import Tx
from server.vocabulary import STAGES

INCUBATION: Final = "incubation"
# The programme's criteria for incubation, in the order people see them.
CRITERIA: Final = (
    ("user_need", "the user need that only central-local collaboration can meet"),
    ("cost_benefit", "the cost benefit"),
    ("rapid_success", "the prospects of rapid success"),
)


@dataclass(frozen=True)
class Criteria:
    user_need: str
    cost_benefit: str
    rapid_success: str


@dataclass(frozen=True)
class Moved:
    """What a move did: the stored move as JSON (as stage.moved carries it)."""

    room_id: int
    move: dict[str, Any]


def _clean_criteria(stage: str, criteria: Criteria | None) -> Criteria | None:
    if stage != INCUBATION:
        if criteria is not None:
            raise Invalid("the incubation criteria are recorded only when moving a room to incubation", "criteria")
        return None
    given = criteria or Criteria("", "", "")
    cleaned = {}
    for name, words in CRITERIA:
        text = getattr(given, name).strip()
        if not text:
            raise Invalid(f"moving to incubation needs {words}", f"criteria.{name}")
        if len(text) > CRITERION_MAX_CHARS:
            raise Invalid(f"{words} must be at most {CRITERION_MAX_CHARS} characters", f"criteria.{name}")
        cleaned[name] = text
    return Criteria(**cleaned)


def _clean_note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        raise Invalid(f"note must be at most {NOTE_MAX_CHARS} characters", "note")
    if "\x00" in text:
        raise Invalid("note must be text: it holds a NUL character", "note")
    return text


def move_json(move: StageMove, mover: Person | None) -> dict[str, Any]:
    criteria = None
    if move.user_need is not None:
        criteria = {"user_need": move.user_need, "cost_benefit": move.cost_benefit or "", "rapid_success": move.rapid_success or ""}
    return {
        "id": move.id,
        "room_id": move.room_id,
        "seq": move.seq,
        "from_stage": move.from_stage,
        "to_stage": move.to_stage,
        "note": move.note,
        "criteria": criteria,
        "moved_by": mover.as_dict() if mover else None,
        "moved_at": iso(move.moved_at),
    }


async def record_move(
    tx: Tx, actor: User, room: Room, member: RoomMember | None, stage: str, note: str | None, criteria: Criteria | None
) -> Moved:
    """Move ``room`` (which ``actor`` can read; ``member`` is their membership) to
    ``stage``: the one path for every stage change. Refuses people who may not move
    it, an unknown stage, the stage it is already in, and a move to incubation
    without the three criteria. Stores the move and records stage.moved (durable,
    numbered) for after commit. An archived room may be moved out again: that is how
    it stops being read-only."""
    require_stage_mover(actor, member)
    if stage not in STAGES:
        raise Invalid(f"stage must be one of {', '.join(STAGES)}", "stage")
    if stage == room.stage:
        raise Conflict(f"the room is already in {stage}; choose another stage", "stage")
    cleaned = _clean_criteria(stage, criteria)
    text = _clean_note(note)
    seq = await tx.reserve_seqs(room.id)
    move = StageMove(
        room_id=room.id,
        seq=seq,
        from_stage=room.stage,
        to_stage=stage,
        note=text,
        user_need=cleaned.user_need if cleaned else None,
        cost_benefit=cleaned.cost_benefit if cleaned else None,
        rapid_success=cleaned.rapid_success if cleaned else None,
        moved_by=actor.id,
    )
    audit.record(tx, "room-stage-changed", actor=actor, room_id=room.id, detail=f"stage: {room.stage} -> {stage}")
    room.stage = stage
    tx.session.add(move)
    await tx.session.flush()
    people = await load_people(tx.session, [actor.id])
    view = move_json(move, people.get(actor.id))
    await tx.record([events.stage_moved(view)])
    return Moved(room.id, view)


async def move_stage(
    tx: Tx, actor: User, ref: int | str, stage: str, note: str | None = None, criteria: Criteria | None = None
) -> Moved:
    """Move the room (by id or slug) to ``stage`` with an optional note; see
    ``record_move``. Announces stage.moved (durable) after commit."""
    room, member = await readable_room(tx.session, actor, ref)
    return await record_move(tx, actor, room, member, stage, note, criteria)


# ---- reads ---------------------------------------------------------------------------


async def stage_history(session: AsyncSession, viewer: User, ref: int | str) -> list[dict[str, Any]]:
    """Every move of a room the viewer can read, oldest first."""
    room, _ = await readable_room(session, viewer, ref)
    moves = (await session.scalars(select(StageMove).where(StageMove.room_id == room.id).order_by(StageMove.seq))).all()
    people = await load_people(session, [m.moved_by for m in moves if m.moved_by is not None])
    return [move_json(m, people.get(m.moved_by) if m.moved_by is not None else None) for m in moves]


async def record_seeded_criteria(tx: Tx, actor: User, seeded: list[tuple[int, Criteria]], note: str) -> None:
    """Concepts seeded straight into incubation (new rooms, created at that stage):
    their three criteria, read from the file, recorded as a stage record from
    incubation to incubation (a record, not a move: ``moves_since`` leaves it out),
    numbered and announced as stage.moved like a move, so the room and the board show
    the criteria as they do after a move."""
    moves = []
    for room_id, criteria in seeded:
        cleaned = _clean_criteria(INCUBATION, criteria)
        assert cleaned is not None  # the seed file's reader refused a concept without them
        seq = await tx.reserve_seqs(room_id)
        moves.append(
            StageMove(
                room_id=room_id,
                seq=seq,
                from_stage=INCUBATION,
                to_stage=INCUBATION,
                note=_clean_note(note),
                user_need=cleaned.user_need,
                cost_benefit=cleaned.cost_benefit,
                rapid_success=cleaned.rapid_success,
                moved_by=actor.id,
            )
        )
    if not moves:
        return
    tx.session.add_all(moves)
    await tx.session.flush()
    people = await load_people(tx.session, [actor.id])
    await tx.record([events.stage_moved(move_json(move, people.get(actor.id))) for move in moves])


async def moves_since(session: AsyncSession, room_ids: list[int], since: datetime) -> dict[int, list[dict[str, Any]]]:
    """Each room's moves made at or after ``since``, oldest first (the event page: what
    happened to the concepts since the workshop). The caller has checked the rooms are
    readable."""
    found: dict[int, list[dict[str, Any]]] = {room_id: [] for room_id in room_ids}
    if not room_ids:
        return found
    moves = (
        await session.scalars(
            select(StageMove)
            .where(StageMove.room_id.in_(room_ids), StageMove.moved_at >= since, StageMove.from_stage != StageMove.to_stage)
            .order_by(StageMove.room_id, StageMove.seq)
        )
    ).all()
    people = await load_people(session, [m.moved_by for m in moves if m.moved_by is not None])
    for move in moves:
        found[move.room_id].append(move_json(move, people.get(move.moved_by) if move.moved_by is not None else None))
    return found


async def incubation_criteria(session: AsyncSession, room_ids: list[int]) -> dict[int, dict[str, str]]:
    """The criteria of each room's latest move to incubation (rooms never moved there
    are absent): what the room and the board show."""
    if not room_ids:
        return {}
    rows = await session.scalars(
        select(StageMove)
        .where(StageMove.room_id.in_(room_ids), StageMove.to_stage == INCUBATION, StageMove.user_need.is_not(None))
        .order_by(StageMove.room_id, StageMove.seq)
    )
    found: dict[int, dict[str, str]] = {}
    for move in rows:  # later moves overwrite earlier ones
        found[move.room_id] = {
            "user_need": move.user_need or "",
            "cost_benefit": move.cost_benefit or "",
            "rapid_success": move.rapid_success or "",
        }
    return found
