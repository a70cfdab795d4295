"""Dashboard users and their login sessions; calls may come from the dashboard's browser.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09

Hand-written. On SQLite the batch mode rebuilds `calls` to change its direction check (the table
has no triggers to recreate).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DIRECTIONS_BEFORE = "direction IN ('inbound', 'outbound')"
_DIRECTIONS_AFTER = "direction IN ('inbound', 'outbound', 'browser')"


def _now() -> sa.TextClause:
    """The current time with sub-second precision (matches `models.utcnow`)."""
    if op.get_context().dialect.name == "sqlite":
        return sa.text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
    return sa.text("clock_timestamp()")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_users_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_business_id"), "users", ["business_id"])
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_direction"), type_="check")
        batch.create_check_constraint(op.f("ck_calls_direction"), _DIRECTIONS_AFTER)


def downgrade() -> None:
    # Test calls cannot be expressed before this revision; appointments they booked stay,
    # unlinked from them.
    op.execute(
        "UPDATE appointments SET call_id = NULL "
        "WHERE call_id IN (SELECT id FROM calls WHERE direction = 'browser')"
    )
    op.execute("DELETE FROM calls WHERE direction = 'browser'")
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_direction"), type_="check")
        batch.create_check_constraint(op.f("ck_calls_direction"), _DIRECTIONS_BEFORE)
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(op.f("ix_users_business_id"), table_name="users")
    op.drop_table("users")
