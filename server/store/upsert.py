"""Dialect-aware upserts: the same statement on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.models import ReadMarker


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def insert_ignore(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any that already exist (by primary key). One cached
    statement run as executemany, whatever the number of rows."""
    unique = list({tuple(sorted(row.items())): row for row in rows}.values())
    if unique:
        await session.execute(_insert(session, model).on_conflict_do_nothing(), unique)


async def advance_read_marker(session: AsyncSession, thread_id: int, user_id: int, seq: int) -> None:
    """Move a read marker forward to ``seq``; it never moves back."""
    await advance_read_markers(session, [(thread_id, user_id, seq)])


async def advance_read_markers(session: AsyncSession, marks: list[tuple[int, int, int]]) -> None:
    """Move many (thread, user) markers forward in one statement; never back."""
    best: dict[tuple[int, int], int] = {}
    for thread_id, user_id, seq in marks:
        best[(thread_id, user_id)] = max(seq, best.get((thread_id, user_id), 0))
    if not best:
        return
    rows = [{"thread_id": t, "user_id": u, "last_read_seq": s} for (t, u), s in best.items()]
    await session.execute(_advance_read_markers_statement(session.bind.dialect.name if session.bind is not None else "sqlite"), rows)


@functools.cache
def _advance_read_markers_statement(dialect: str) -> Any:
    """Built once per dialect: building it (its ``excluded`` alias) costs more than
    running it from SQLAlchemy's compiled cache."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ReadMarker)
    return stmt.on_conflict_do_update(
        index_elements=[ReadMarker.thread_id, ReadMarker.user_id],
        set_={
            "last_read_seq": case(
                (ReadMarker.last_read_seq < stmt.excluded.last_read_seq, stmt.excluded.last_read_seq),
                else_=ReadMarker.last_read_seq,
            )
        },
    )


def table_of(model: Any) -> Table:
    """A model's table, for plain Core inserts of many rows: ``insert(Model)`` with a
    list of rows goes through the ORM's bulk path, several times slower per row."""
    return cast(Table, model.__table__)
