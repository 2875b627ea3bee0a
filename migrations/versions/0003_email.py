"""email: notifications, reply addresses, invitations, inbound mail record

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 18:23:35

Tables for email: per-person notification settings and per-thread mutes, how far
email has told each person about each thread, secret reply addresses, invitations of
people who may have no account yet, and the record of every inbound email. Values of
enumerations are spelled out here (a revision is a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"], name=op.f("fk_invitations_invited_by_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_invitations_room_id_rooms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("room_id", "user_id", name=op.f("uq_invitations_room_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("last_notified_seq", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_notification_marks_thread_id_threads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_marks_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "thread_id", name=op.f("pk_notification_marks")),
    )
    with op.batch_alter_table("notification_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_marks_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "reply_addresses",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_reply_addresses_thread_id_threads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reply_addresses_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_reply_addresses")),
    )
    with op.batch_alter_table("reply_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_addresses_thread_id"), ["thread_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_addresses_user_id"), ["user_id"], unique=False)

    op.create_table(
        "thread_mutes",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_thread_mutes_thread_id_threads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_thread_mutes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_mutes")),
    )
    with op.batch_alter_table("thread_mutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_mutes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("door", sa.String(length=10), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("posted_message_id", sa.Integer(), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("door IN ('smtp', 'webhook', 'pipe')", name=op.f("ck_inbound_mail_door")),
        sa.CheckConstraint("outcome IN ('posted', 'refused', 'duplicate')", name=op.f("ck_inbound_mail_outcome")),
        sa.ForeignKeyConstraint(
            ["posted_message_id"], ["messages.id"], name=op.f("fk_inbound_mail_posted_message_id_messages"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_inbound_mail_thread_id_threads"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_inbound_mail_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_inbound_mail_dedupe_key")),
    )
    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_mail_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_mail_sender"), ["sender"], unique=False)

    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notify_mode", sa.String(length=10), server_default="delay", nullable=False))
        batch_op.add_column(sa.Column("last_digest_at", sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_users_notify_mode"), "notify_mode IN ('each', 'delay', 'digest', 'never')")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_notify_mode"), type_="check")
        batch_op.drop_column("last_digest_at")
        batch_op.drop_column("notify_mode")

    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.drop_column("headers")
        batch_op.drop_column("message_id")
        batch_op.drop_column("body_html")
        batch_op.drop_column("reply_to")
        batch_op.drop_column("from_name")

    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_mail_sender"))
        batch_op.drop_index(batch_op.f("ix_inbound_mail_received_at"))

    op.drop_table("inbound_mail")
    with op.batch_alter_table("thread_mutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_mutes_user_id"))

    op.drop_table("thread_mutes")
    with op.batch_alter_table("reply_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_addresses_user_id"))
        batch_op.drop_index(batch_op.f("ix_reply_addresses_thread_id"))

    op.drop_table("reply_addresses")
    with op.batch_alter_table("notification_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_marks_thread_id"))

    op.drop_table("notification_marks")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_user_id"))

    op.drop_table("invitations")
