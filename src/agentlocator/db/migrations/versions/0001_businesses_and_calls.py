"""Businesses (tenants) and their calls.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Hand-written. Runs on PostgreSQL and SQLite: UUIDs are native on PostgreSQL and CHAR(32) on
SQLite, JSON columns are JSONB on PostgreSQL, instants are `timestamptz` on PostgreSQL and UTC
text on SQLite. Every constraint is named so later batch migrations on SQLite can rebuild tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.TextClause:
    """The current time with sub-second precision (matches `models.utcnow`)."""
    if op.get_context().dialect.name == "sqlite":
        return sa.text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
    return sa.text("clock_timestamp()")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "businesses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("call_goal", sa.String(16), nullable=False),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("business_type", sa.String(64), nullable=False, server_default=""),
        sa.Column("services", sa.Text(), nullable=False, server_default=""),
        sa.Column("voice", sa.String(32), nullable=False),
        sa.Column("barge_in", _json(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_businesses")),
        sa.UniqueConstraint("phone", name=op.f("uq_businesses_phone")),
        sa.CheckConstraint(
            "call_goal IN ('booking', 'lead')", name=op.f("ck_businesses_call_goal")
        ),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("stream_sid", sa.String(64), nullable=True),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("from_number", sa.String(64), nullable=False),
        sa.Column("to_number", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_secs", sa.Float(), nullable=True),
        sa.Column("twilio_duration_secs", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.Column("transcript", _json(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("tool_calls", _json(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("barge_ins", _json(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("latency", _json(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_calls_business_id_businesses"),
        ),
        sa.UniqueConstraint("call_sid", name=op.f("uq_calls_call_sid")),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f("ck_calls_direction")),
    )
    op.create_index(op.f("ix_calls_business_id_created_at"), "calls", ["business_id", "created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calls_business_id_created_at"), table_name="calls")
    op.drop_table("calls")
    op.drop_table("businesses")
