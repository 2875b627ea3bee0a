"""people and records: the audit log, where sessions signed in from, email changes,
deleted accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 20:40:00

The audit log (who did what, when, from which address) and what the profile page
needs: each session's device and address, a pending new email address on its
confirmation token, and when an account was deleted (its row stays so its messages
keep an author). Values are spelled out here (a revision is a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = (
    "signed-in",
    "sign-in-failed",
    "signed-out-everywhere",
    "session-ended",
    "password-changed",
    "email-change-requested",
    "email-changed",
    "profile-changed",
    "role-changed",
    "deactivated",
    "reactivated",
    "account-deleted",
    "organisation-created",
    "organisation-changed",
    "room-visibility-changed",
    "room-stage-changed",
    "room-ownership-transferred",
    "invited",
    "message-deleted",
    "room-exported",
    "thread-exported",
    "personal-data-exported",
    "seeded",
    "inbound-mail",
)
DOORS = ("http", "socket", "mail", "command", "internal")
PURPOSES_BEFORE = "purpose IN ('confirm', 'signin')"
PURPOSES_AFTER = "purpose IN ('confirm', 'signin', 'change-email')"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("door", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.CheckConstraint(_in("action", ACTIONS), name=op.f("ck_audit_entries_action")),
        sa.CheckConstraint(_in("door", DOORS), name=op.f("ck_audit_entries_door")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_entries_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_audit_entries_room_id_rooms"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_audit_entries_organisation_id_organisations"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_room_id"), ["room_id"], unique=False)
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.add_column(sa.Column("user_agent", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
    with op.batch_alter_table("email_tokens") as batch_op:
        batch_op.add_column(sa.Column("new_email", sa.String(length=254), nullable=True))
        batch_op.drop_constraint(op.f("ck_email_tokens_purpose"), type_="check")
        batch_op.create_check_constraint(op.f("ck_email_tokens_purpose"), PURPOSES_AFTER)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("deleted_at")
    op.execute("DELETE FROM email_tokens WHERE purpose = 'change-email'")
    with op.batch_alter_table("email_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_email_tokens_purpose"), type_="check")
        batch_op.create_check_constraint(op.f("ck_email_tokens_purpose"), PURPOSES_BEFORE)
        batch_op.drop_column("new_email")
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("user_agent")
    op.drop_table("audit_entries")
