"""Booking rules, leads with their timeline, and appointments guarded against overlap.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Hand-written; runs on PostgreSQL and SQLite. The overlap guard lives in the database so every
write path (AI booking, dashboard, moves) meets it, also under concurrent calls:

- PostgreSQL: `btree_gist` and an exclusion constraint over `[starts_at, blocked_until)` of the
  booked appointments of one business.
- SQLite: BEFORE INSERT / BEFORE UPDATE triggers that abort with `appointment_overlap`. Instants
  are stored as fixed-width UTC text (`2026-03-27 08:00:00.000000`), which sorts like the
  instants; the triggers refuse any other spelling rather than compare it wrongly.

A later batch ALTER of `appointments` on SQLite rebuilds the table, which drops the triggers;
that revision must create them again. The downgrade leaves the `btree_gist` extension
installed: other schemas may use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSTANT = (
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
)
_SQLITE_GUARD_BODY = f"""
BEGIN
    SELECT RAISE(ABORT, 'appointment_instant_format')
    WHERE NEW.starts_at NOT GLOB {_INSTANT}
       OR NEW.ends_at NOT GLOB {_INSTANT}
       OR NEW.blocked_until NOT GLOB {_INSTANT};
    SELECT RAISE(ABORT, 'appointment_overlap')
    WHERE EXISTS (
        SELECT 1 FROM appointments AS other
        WHERE other.business_id = NEW.business_id
          AND other.id != NEW.id
          AND other.status = 'booked'
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    );
END"""  # noqa: S608  built from constants, no input reaches it
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER trg_appointments_no_overlap_insert BEFORE INSERT ON appointments "
    "WHEN NEW.status = 'booked'" + _SQLITE_GUARD_BODY,
    "CREATE TRIGGER trg_appointments_no_overlap_update "
    "BEFORE UPDATE OF business_id, starts_at, ends_at, blocked_until, status ON appointments "
    "WHEN NEW.status = 'booked'" + _SQLITE_GUARD_BODY,
)
_PG_EXCLUSION = (
    "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap "
    "EXCLUDE USING gist (business_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
    "WHERE (status = 'booked')"
)


def _dialect() -> str:
    return op.get_context().dialect.name


def _now() -> sa.TextClause:
    """The current time with sub-second precision (matches `models.utcnow`)."""
    if _dialect() == "sqlite":
        return sa.text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
    return sa.text("clock_timestamp()")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _instant(name: str, *, nullable: bool = False, default: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=_now() if default else None,
    )


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(sa.Column("booking", _json(), nullable=True))

    op.create_table(
        "leads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("phone_e164", sa.String(32), nullable=True),
        sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("human_edited_fields", _json(), nullable=False, server_default=sa.text("'[]'")),
        _instant("last_contact_at", nullable=True),
        _instant("created_at", default=True),
        _instant("updated_at", default=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_leads_business_id_businesses")
        ),
        sa.UniqueConstraint("business_id", "id", name=op.f("uq_leads_business_id_id")),
        sa.CheckConstraint(
            "status IN ('new', 'contacted', 'booked', 'customer', 'lost', 'spam')",
            name=op.f("ck_leads_status"),
        ),
    )
    op.create_index(
        op.f("uq_leads_business_id_phone_e164"),
        "leads",
        ["business_id", "phone_e164"],
        unique=True,
        postgresql_where=sa.text("phone_e164 IS NOT NULL"),
        sqlite_where=sa.text("phone_e164 IS NOT NULL"),
    )
    op.create_index(op.f("ix_leads_business_id_updated_at"), "leads", ["business_id", "updated_at"])

    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("data", _json(), nullable=False, server_default=sa.text("'{}'")),
        _instant("at", default=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_events")),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_lead_events_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["business_id", "lead_id"],
            ["leads.business_id", "leads.id"],
            name=op.f("fk_lead_events_business_id_leads"),
        ),
        sa.CheckConstraint(
            "kind IN ('call', 'appointment_booked', 'appointment_moved', "
            "'appointment_cancelled', 'details_updated', 'status_changed')",
            name=op.f("ck_lead_events_kind"),
        ),
    )
    op.create_index(op.f("ix_lead_events_lead_id_at"), "lead_events", ["lead_id", "at"])

    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("call_id", sa.Uuid(), nullable=True),
        _instant("starts_at"),
        _instant("ends_at"),
        _instant("blocked_until"),
        sa.Column("status", sa.String(16), nullable=False, server_default="booked"),
        sa.Column("customer_name", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("transcript", _json(), nullable=True),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        _instant("created_at", default=True),
        _instant("updated_at", default=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_appointments_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["business_id", "lead_id"],
            ["leads.business_id", "leads.id"],
            name=op.f("fk_appointments_business_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_appointments_call_id_calls")
        ),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled')", name=op.f("ck_appointments_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_ends_after_start")),
        sa.CheckConstraint(
            "blocked_until >= ends_at", name=op.f("ck_appointments_blocked_until_after_end")
        ),
    )
    op.create_index(
        op.f("ix_appointments_business_id_starts_at"),
        "appointments",
        ["business_id", "starts_at"],
    )
    op.create_index(
        op.f("ix_appointments_business_id_call_id"), "appointments", ["business_id", "call_id"]
    )
    op.create_index(
        op.f("uq_appointments_business_id_idempotency_key"),
        "appointments",
        ["business_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        sqlite_where=sa.text("idempotency_key IS NOT NULL"),
    )

    if _dialect() == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(_PG_EXCLUSION)
    elif _dialect() == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        raise NotImplementedError(f"no overlap guard for {_dialect()}")


def downgrade() -> None:
    # Dropping the table drops its SQLite triggers and its PostgreSQL exclusion constraint.
    op.drop_index(op.f("uq_appointments_business_id_idempotency_key"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_business_id_call_id"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_business_id_starts_at"), table_name="appointments")
    op.drop_table("appointments")
    op.drop_index(op.f("ix_lead_events_lead_id_at"), table_name="lead_events")
    op.drop_table("lead_events")
    op.drop_index(op.f("ix_leads_business_id_updated_at"), table_name="leads")
    op.drop_index(op.f("uq_leads_business_id_phone_e164"), table_name="leads")
    op.drop_table("leads")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_column("booking")
