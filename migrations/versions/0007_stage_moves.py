"""stage moves: each room's pipeline history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:20:00

``stage_moves`` keeps every move of a room from one stage to the next: who moved it,
when, the optional note, the room event number that announced it, and (for a move to
incubation) the programme's three criteria. Values are spelled out here (a revision is
a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = "('discovery', 'co-design', 'incubation', 'live', 'archived')"


def upgrade() -> None:
    op.create_table(
        "stage_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=False),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_need", sa.Text(), nullable=True),
        sa.Column("cost_benefit", sa.Text(), nullable=True),
        sa.Column("rapid_success", sa.Text(), nullable=True),
        sa.Column("moved_by", sa.Integer(), nullable=True),
        sa.Column("moved_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"from_stage IN {STAGES}", name=op.f("ck_stage_moves_from_stage")),
        sa.CheckConstraint(f"to_stage IN {STAGES}", name=op.f("ck_stage_moves_to_stage")),
        sa.ForeignKeyConstraint(["moved_by"], ["users.id"], name=op.f("fk_stage_moves_moved_by_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_stage_moves_room_id_rooms"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_moves")),
    )
    op.create_index("ix_stage_moves_room_seq", "stage_moves", ["room_id", "seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_stage_moves_room_seq", table_name="stage_moves")
    op.drop_table("stage_moves")
