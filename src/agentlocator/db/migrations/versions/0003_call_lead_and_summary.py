"""Calls point at the caller's lead and carry the after-call summary.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Hand-written; on SQLite the batch mode rebuilds `calls` (it has no triggers to recreate).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("lead_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_calls_business_id_leads"),
            "leads",
            ["business_id", "lead_id"],
            ["business_id", "id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("fk_calls_business_id_leads"), type_="foreignkey")
        batch.drop_column("summary")
        batch.drop_column("lead_id")
