"""Alembic environment: async engine, models' metadata as the target.

On SQLite, batch mode changes a table by copying it and dropping the original. With
foreign keys on, dropping ``users`` would cascade to every session and membership (or
fail on ``messages``), so a migration runs with foreign keys off, as SQLite's own
procedure for schema changes prescribes, and checks them all before committing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from server.config import load_settings
from server.store.db import make_engine
from server.store.fulltext import include_name
from server.store.models import Base

config = context.config
target_metadata = Base.metadata


class ForeignKeyViolation(RuntimeError):
    """A migration left rows pointing at nothing; it is rolled back."""


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        raise ForeignKeyViolation(f"the migration left {len(broken)} rows with broken foreign keys, first: {tuple(broken[0])}")


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table.
    # include_name: the full-text index differs by dialect and is not a model.
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True, include_name=include_name
    )
    with context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)


async def run_migrations_online() -> None:
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # Runs after make_engine's own listener, which turns them on; the pragma is a
        # no-op inside a transaction, and this runs before the first BEGIN.
        @event.listens_for(engine.sync_engine, "connect")
        def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.close()

    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:  # a failed migration must not leave a connection to its dead event loop
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
