"""inbound mail may be an unsubscribe request (the List-Unsubscribe mailto)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 19:45:00

A mail to ``unsubscribe@MAIL_DOMAIN`` whose subject carries a signed unsubscribe token
is recorded with the outcome ``unsubscribed``. Values are spelled out here (a revision
is a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "outcome IN ('posted', 'refused', 'duplicate')"
AFTER = "outcome IN ('posted', 'refused', 'duplicate', 'unsubscribed')"


def _replace(check: str, width: int) -> None:
    with op.batch_alter_table("inbound_mail") as batch_op:
        batch_op.drop_constraint(op.f("ck_inbound_mail_outcome"), type_="check")
        batch_op.alter_column("outcome", type_=sa.String(length=width), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_inbound_mail_outcome"), check)


def upgrade() -> None:
    _replace(AFTER, 20)


def downgrade() -> None:
    op.execute("DELETE FROM inbound_mail WHERE outcome = 'unsubscribed'")
    _replace(BEFORE, 10)
