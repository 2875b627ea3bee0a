"""threads remember whether a seed opened them as one of an event's open questions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 20:30:00

The event page lists the opening questions still unanswered and counts the threads
people opened since the event: both need to tell a seeded question from a thread
opened later. Threads that exist already are not marked (their history is unknown).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch_op:
        batch_op.add_column(sa.Column("opening_question", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_column("opening_question")
