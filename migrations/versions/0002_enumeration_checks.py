"""enumerations as CHECK constraints: roles, stages, visibility, token purposes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00

The database now refuses a value outside each enumeration, whatever path wrote it.
The values are spelled out here, not imported from ``server.vocabulary``: a revision
is a snapshot of the schema at one point in time, and must keep meaning the same
thing after the vocabulary changes (which then needs a revision of its own).

SQLite cannot add a constraint to an existing table, so batch mode copies each table;
``migrations/env.py`` turns foreign keys off around a SQLite migration, so dropping
the old copy of ``users`` or ``rooms`` cascades nowhere.
"""

from __future__ import annotations

from typing import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, allowed values), as of this revision.
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("users", "role", ("administrator", "facilitator", "member")),
    ("email_tokens", "purpose", ("confirm", "signin")),
    ("rooms", "stage", ("discovery", "co-design", "incubation", "live", "archived")),
    ("rooms", "visibility", ("open", "invite")),
    ("room_members", "role", ("owner", "member")),
)


def _tables() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The checks grouped by table, so each SQLite table is copied once."""
    grouped: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for table, column, values in CHECKS:
        grouped.setdefault(table, []).append((column, values))
    return grouped


def upgrade() -> None:
    for table, checks in _tables().items():
        with op.batch_alter_table(table) as batch_op:
            for column, values in checks:
                allowed = ", ".join(f"'{v}'" for v in values)
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), f"{column} IN ({allowed})")


def downgrade() -> None:
    for table, checks in reversed(_tables().items()):
        with op.batch_alter_table(table) as batch_op:
            for column, _ in reversed(checks):
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
