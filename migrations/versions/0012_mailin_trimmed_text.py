"""what was trimmed off a reply by email is kept for its author

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:30:00

Quoted history and signatures cut from a reply by email are kept beside the message in
``message_trims`` (one row for a message that had something cut), so the author can see
them and put any of them back by editing. A side table rather than a column: most
messages have none, and message reads never load the text.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_trims",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_trims_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_trims")),
    )


def downgrade() -> None:
    op.drop_table("message_trims")
