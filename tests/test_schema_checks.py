"""The database itself refuses values outside each enumeration (revision 0002), on a
migrated SQLite file and on PostgreSQL, and the revision goes down and up again
without losing rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, DateTime, TextClause, bindparam, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.config import Settings
from server.store.db import make_engine
from server.store.fulltext import include_name
from server.store.models import Base
from server.store.schema import downgrade, upgrade
from server.vocabulary import (
    AUDIT_ACTIONS,
    DOORS,
    INBOUND_OUTCOMES,
    INTEREST_KINDS,
    JOIN_REQUEST_STATUSES,
    MAIL_DOORS,
    NOTIFY_MODES,
    ORGANISATION_KINDS,
    ROLES,
    ROOM_ROLES,
    STAGES,
    TOKEN_PURPOSES,
    VISIBILITIES,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

NOW = datetime(2026, 11, 28, 10, 0)  # naive UTC, as the models store it
# (table, column, the vocabulary, a value outside it), for every enumerated column.
ENUMERATIONS = (
    ("users", "role", ROLES, "superuser"),
    ("email_tokens", "purpose", TOKEN_PURPOSES, "reset"),
    ("rooms", "stage", STAGES, "Discovery"),
    ("rooms", "visibility", VISIBILITIES, "secret"),
    ("room_members", "role", ROOM_ROLES, "guest"),
    ("users", "notify_mode", NOTIFY_MODES, "hourly"),
    ("inbound_mail", "door", MAIL_DOORS, "fax"),
    ("inbound_mail", "outcome", INBOUND_OUTCOMES, "lost"),
    ("organisations", "kind", ORGANISATION_KINDS, "charity"),
    ("room_interests", "kind", INTEREST_KINDS, "curious"),
    ("join_requests", "status", JOIN_REQUEST_STATUSES, "maybe"),
    ("stage_moves", "from_stage", STAGES, "Discovery"),
    ("stage_moves", "to_stage", STAGES, "beta"),
    ("audit_entries", "action", AUDIT_ACTIONS, "hacked"),
    ("audit_entries", "door", DOORS, "fax"),
)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url)
    yield engine
    await engine.dispose()


def sql(statement: str) -> TextClause:
    """Plain SQL with ``:now`` bound as a timestamp on either database."""
    return text(statement).bindparams(bindparam("now", NOW, type_=DateTime()))


async def _seed(conn: AsyncConnection) -> None:
    """One row in each table with an enumerated column, through plain SQL."""
    await conn.execute(sql("INSERT INTO organisations (id, name, kind, created_at) VALUES (1, 'Leeds City Council', 'council', :now)"))
    await conn.execute(
        sql(
            "INSERT INTO users (id, email, display_name, declared_organisation, role, created_at)"
            " VALUES (1, 'ada@example.org', 'Ada', 'Camden Council', 'administrator', :now)"
        )
    )
    await conn.execute(
        sql("INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ('t1', 1, 'signin', :now, :now)")
    )
    await conn.execute(
        sql(
            "INSERT INTO rooms (id, slug, title, summary, summary_html, stage, visibility, looking_for_collaborators,"
            " created_by, created_at, last_activity_at, last_seq)"
            " VALUES (1, 'dvla', 'DVLA', '', '', 'discovery', 'open', false, 1, :now, :now, 0)"
        )
    )
    await conn.execute(sql("INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (1, 1, 'owner', :now)"))
    await conn.execute(sql("INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES ('s1', 1, :now, :now)"))
    await conn.execute(
        sql(
            "INSERT INTO inbound_mail (id, received_at, door, sender, recipient, subject, outcome, reason, detail)"
            " VALUES (1, :now, 'smtp', 'ada@example.org', 'reply+x@convene.example', 'Re: T', 'refused', 'loop', '')"
        )
    )
    await conn.execute(sql("INSERT INTO room_interests (room_id, user_id, kind, created_at) VALUES (1, 1, 'can-help', :now)"))
    await conn.execute(
        sql("INSERT INTO join_requests (id, room_id, user_id, message, status, created_at) VALUES (1, 1, 1, '', 'pending', :now)")
    )
    await conn.execute(
        sql(
            "INSERT INTO stage_moves (id, room_id, seq, from_stage, to_stage, note, moved_by, moved_at)"
            " VALUES (1, 1, 1, 'discovery', 'co-design', '', 1, :now)"
        )
    )
    await conn.execute(
        sql("INSERT INTO audit_entries (id, at, action, actor_id, door, detail) VALUES (1, :now, 'signed-in', 1, 'http', '')")
    )


async def _set(engine: AsyncEngine, table: str, column: str, value: str) -> None:
    """Change ``column`` on the seeded row, in its own transaction."""
    async with engine.begin() as conn:
        await conn.execute(text(f"UPDATE {table} SET {column} = :value"), {"value": value})


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        tables = ("users", "email_tokens", "rooms", "room_members", "auth_sessions")
        return {t: int((await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()) for t in tables}


async def test_every_enumerated_column_refuses_a_value_outside_its_vocabulary(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await _seed(conn)
    for table, column, vocabulary, bad in ENUMERATIONS:
        for value in vocabulary:  # the revision's hard-coded values match the code's
            await _set(engine, table, column, value)
        with pytest.raises(IntegrityError, match=f"ck_{table}_{column}"):
            await _set(engine, table, column, bad)


async def test_a_bad_value_is_refused_on_insert_too(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await _seed(conn)
    with pytest.raises(IntegrityError, match="ck_rooms_stage"):
        async with engine.begin() as conn:
            await conn.execute(
                sql(
                    "INSERT INTO rooms (id, slug, title, summary, summary_html, stage, visibility, looking_for_collaborators,"
                    " created_at, last_activity_at, last_seq) VALUES (2, 'x', 'X', '', '', 'beta', 'open', false, :now, :now, 0)"
                ),
            )


async def test_the_migrated_checks_are_the_models_checks(engine: AsyncEngine) -> None:
    """The revision creates exactly the CHECK constraints the models declare."""
    declared = {
        (table.name, constraint.name)
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }

    def reflect(sync_conn: object) -> set[tuple[str, str | None]]:
        inspector = inspect(sync_conn)
        return {(t, c["name"]) for t in inspector.get_table_names() for c in inspector.get_check_constraints(t)}

    async with engine.connect() as conn:
        migrated = await conn.run_sync(reflect)
    assert declared == {(table, f"ck_{table}_{column}") for table, column, _, _ in ENUMERATIONS}
    assert migrated == declared


async def test_the_migrations_build_exactly_the_models_schema(engine: AsyncEngine) -> None:
    """Tables, columns, types, indexes and keys: nothing for ``alembic revision
    --autogenerate`` to find (it does not compare CHECK constraints; the test above does)."""

    def differences(sync_conn: Connection) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True, "include_name": include_name})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_downgrade_drops_the_checks_and_upgrade_restores_them_keeping_every_row(engine: AsyncEngine, settings: Settings) -> None:
    async with engine.begin() as conn:
        await _seed(conn)
    before = await _counts(engine)
    await engine.dispose()  # SQLite copies tables: no connection may hold them open

    downgrade(settings.database_url, "0001")
    # Without the constraints, the old schema accepts anything (proof they are gone);
    # and no row was lost to a cascade while SQLite copied the tables.
    await _set(engine, "users", "role", "superuser")
    assert await _counts(engine) == before

    # Upgrading refuses data outside the vocabulary, and changes nothing.
    await engine.dispose()
    with pytest.raises(IntegrityError):
        upgrade(settings.database_url)
    await _set(engine, "users", "role", "administrator")
    await engine.dispose()
    upgrade(settings.database_url)

    assert await _counts(engine) == before
    with pytest.raises(IntegrityError, match="ck_users_role"):
        await _set(engine, "users", "role", "superuser")
