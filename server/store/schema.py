"""Schema revisions: apply Alembic migrations, and refuse to serve a database that is
behind the code."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[2]


class SchemaBehind(RuntimeError):
    """The database is not at the code's schema revision; the message names the fix."""


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (blocking)."""
    _off_the_loop(lambda: _upgrade(database_url, revision))


def downgrade(database_url: str, revision: str) -> None:
    """Undo migrations down to ``revision`` (blocking): for rolling a release back."""
    _off_the_loop(lambda: command.downgrade(alembic_config(database_url), revision))


def _off_the_loop(work: Callable[[], None]) -> None:
    """Alembic's env runs its own event loop, so when a loop is already running here
    the work moves to a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        work()
        return
    with ThreadPoolExecutor(1) as pool:
        pool.submit(work).result()


def _upgrade(database_url: str, revision: str) -> None:
    if database_url.startswith("sqlite"):
        db_path = make_url(database_url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


async def check_current(engine: AsyncEngine) -> None:
    """Raise SchemaBehind, naming the command to run, unless the database is at head."""
    async with engine.connect() as conn:
        current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    head = head_revision()
    if current != head:
        raise SchemaBehind(
            f"the database is at schema revision {current or 'none (empty)'} but this code needs {head}; "
            "run `python -m server migrate` (or `make migrate`) first"
        )
