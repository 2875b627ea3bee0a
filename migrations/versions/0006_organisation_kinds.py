"""organisations have a kind: council, central government, supplier, sector body, other

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 20:25:00

Matchmaking and the pipeline board count and filter the organisations involved in a
room by kind. Existing organisations become ``other`` until an administrator says
otherwise. Values are spelled out here (a revision is a snapshot).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('council', 'central-government', 'supplier', 'sector-body', 'other')"


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="other"))
        batch_op.create_check_constraint(op.f("ck_organisations_kind"), KINDS)


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.drop_column("kind")
