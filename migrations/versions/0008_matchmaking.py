"""matchmaking: interest in rooms looking for collaborators, and requests to join

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 20:30:00

``room_interests`` records "we have this problem too" / "we could help" (one row per
person, room and kind; withdrawing deletes it). ``join_requests`` records a person's
request to join a room, pending until an owner or steward accepts or declines it (one
row per person and room). Values are spelled out here (a revision is a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room_interests",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('same-problem', 'can-help')", name=op.f("ck_room_interests_kind")),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_room_interests_room_id_rooms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_room_interests_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("room_id", "user_id", "kind", name=op.f("pk_room_interests")),
    )
    op.create_index(op.f("ix_room_interests_user_id"), "room_interests", ["user_id"], unique=False)
    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f("ck_join_requests_status")),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_join_requests_room_id_rooms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_join_requests_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_join_requests_decided_by_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
        sa.UniqueConstraint("room_id", "user_id", name=op.f("uq_join_requests_room_id")),
    )
    op.create_index(op.f("ix_join_requests_user_id"), "join_requests", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_join_requests_user_id"), table_name="join_requests")
    op.drop_table("join_requests")
    op.drop_index(op.f("ix_room_interests_user_id"), table_name="room_interests")
    op.drop_table("room_interests")
