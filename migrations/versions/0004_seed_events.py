"""seed events: the workshop a seeded room came from, and the room's concept key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 19:05:00

``seed_events`` records each event a facilitator seeded rooms from (its name is
unique: seeding a corrected file of the same event finds the rooms again). Rooms gain
``seed_event_id``, ``concept_key`` (the concept's normalised title, unique within an
event) and ``lead_organisation``. SQLite cannot add a foreign key to an existing table,
so batch mode copies ``rooms`` (keeping its named CHECK constraints).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seed_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_seed_events_created_by_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_events")),
        sa.UniqueConstraint("name", name=op.f("uq_seed_events_name")),
    )
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.add_column(sa.Column("seed_event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("concept_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lead_organisation", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_rooms_seed_event_id_seed_events"), "seed_events", ["seed_event_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_rooms_seed_concept", ["seed_event_id", "concept_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.drop_index("ix_rooms_seed_concept")
        batch_op.drop_constraint(op.f("fk_rooms_seed_event_id_seed_events"), type_="foreignkey")
        batch_op.drop_column("lead_organisation")
        batch_op.drop_column("concept_key")
        batch_op.drop_column("seed_event_id")
    op.drop_table("seed_events")
