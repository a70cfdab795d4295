"""ORM tables. Every tenant-owned table carries `business_id`; migrations hold the schema.

The models describe what the code reads and writes; `migrations/versions/` is the reviewed source of
truth for the database. Both must work on PostgreSQL and SQLite, hence the portable column types:
`Uuid`, `UTCDateTime` (timezone-aware UTC on both backends) and `JSONDocument` (JSONB on
PostgreSQL, JSON text on SQLite).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, NewType

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Connection,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

BusinessId = NewType("BusinessId", uuid.UUID)
"""The tenant key. Every tenant-scoped service function takes one explicitly."""

CallId = NewType("CallId", uuid.UUID)
LeadId = NewType("LeadId", uuid.UUID)
AppointmentId = NewType("AppointmentId", uuid.UUID)
UserId = NewType("UserId", uuid.UUID)

CallGoal = Literal["booking", "lead"]
CallDirection = Literal["inbound", "outbound", "browser"]
"""`browser`: a test call the owner places from the dashboard, through the same call path."""

CALL_GOALS: tuple[CallGoal, ...] = ("booking", "lead")
CALL_DIRECTIONS: tuple[CallDirection, ...] = ("inbound", "outbound", "browser")

LeadStatus = Literal["new", "contacted", "booked", "customer", "lost", "spam"]
LEAD_STATUSES: tuple[LeadStatus, ...] = ("new", "contacted", "booked", "customer", "lost", "spam")

LeadEventKind = Literal[
    "call",
    "appointment_booked",
    "appointment_moved",
    "appointment_cancelled",
    "details_updated",
    "status_changed",
]
LEAD_EVENT_KINDS: tuple[LeadEventKind, ...] = (
    "call",
    "appointment_booked",
    "appointment_moved",
    "appointment_cancelled",
    "details_updated",
    "status_changed",
)

AppointmentStatus = Literal["booked", "cancelled"]
APPOINTMENT_STATUSES: tuple[AppointmentStatus, ...] = ("booked", "cancelled")

DEFAULT_TIMEZONE = "Asia/Jerusalem"
DEFAULT_VOICE = "marin"

# Named constraints let SQLite batch migrations (table rebuilds) find and recreate them later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored as UTC and always read back as an aware UTC `datetime`.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as naive UTC
    text and UTC is attached on the way out. Naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002  part of the TypeDecorator interface
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONDocument = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""A JSON column: JSONB on PostgreSQL (comparable, indexable), JSON text on SQLite."""


class utcnow(FunctionElement[datetime]):  # lower case, as SQL functions are
    """The database's current time with sub-second precision, for server-side defaults."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(utcnow)
def _utcnow_default(_element: utcnow, _compiler: SQLCompiler, **_kw: Any) -> str:
    # Wall clock, not transaction start, so rows created in one transaction still sort in order.
    return "clock_timestamp()"


@compiles(utcnow, "sqlite")
def _utcnow_sqlite(_element: utcnow, _compiler: SQLCompiler, **_kw: Any) -> str:
    # CURRENT_TIMESTAMP has whole seconds only; this keeps milliseconds, in UTC.
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        BusinessId: Uuid(),
        CallId: Uuid(),
        LeadId: Uuid(),
        AppointmentId: Uuid(),
        UserId: Uuid(),
        datetime: UTCDateTime(),
    }
    # Every table: server-generated columns come back with the INSERT or UPDATE (RETURNING), so
    # nothing is lazily reloaded later, which async sessions cannot do.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012  read once by the mapper


class Business(Base):
    """A tenant: one business answering calls on one dialled number."""

    __tablename__ = "businesses"
    __table_args__ = (CheckConstraint("call_goal IN ('booking', 'lead')", name="call_goal"),)

    id: Mapped[BusinessId] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    """The number callers dial, E.164 (`+97235550100`)."""
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    call_goal: Mapped[str] = mapped_column(String(16))
    greeting: Mapped[str] = mapped_column(Text)
    business_type: Mapped[str] = mapped_column(String(64), default="", server_default="")
    services: Mapped[str] = mapped_column(Text, default="", server_default="")
    voice: Mapped[str] = mapped_column(String(32), default=DEFAULT_VOICE)
    barge_in: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)
    """The barge-in policy; None means the built-in defaults."""
    booking: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)
    """The booking rules document (`scheduling.BookingRules` JSON); None means not set up yet."""
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())


class Call(Base):
    """One phone call of one business, from the first webhook to the finalised record."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("direction IN ('inbound', 'outbound', 'browser')", name="direction"),
        # A call can only point at a lead of its own business.
        ForeignKeyConstraint(["business_id", "lead_id"], ["leads.business_id", "leads.id"]),
        Index(None, "business_id", "created_at"),
    )

    id: Mapped[CallId] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_id: Mapped[BusinessId] = mapped_column(ForeignKey("businesses.id"))
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    """Twilio's CallSid (`CA…`), unique across all businesses."""
    stream_sid: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(16))
    from_number: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(32))
    """The last call status Twilio reported (`ringing`, `in-progress`, `completed`, …)."""
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_secs: Mapped[float | None] = mapped_column(Float)
    """Our own measure, from stream start to call end."""
    twilio_duration_secs: Mapped[int | None] = mapped_column(Integer)
    """`CallDuration` from Twilio's status callback (whole seconds, what Twilio bills)."""
    end_reason: Mapped[str | None] = mapped_column(String(32))
    """Set exactly once, by whichever side finalised the call first."""
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    """`[{"role": "caller" | "agent", "text": str, "at_ms": int}, …]`."""
    tool_calls: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    barge_ins: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    latency: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    lead_id: Mapped[LeadId | None]
    """The caller's lead (None while the caller ID is withheld)."""
    summary: Mapped[str | None] = mapped_column(Text)
    """Written by the after-call summary job."""
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())
    updated_at: Mapped[datetime] = mapped_column(server_default=utcnow(), onupdate=utcnow())


class Lead(Base):
    """A person who called (or was called by) a business: the CRM record, one per phone number.

    `phone_e164` is None for a withheld caller who has not given a number yet; the partial unique
    index makes (business, number) unique while allowing any number of such leads.
    """

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'contacted', 'booked', 'customer', 'lost', 'spam')", name="status"
        ),
        # The target of the (business_id, lead_id) foreign keys: a row can only point at a lead
        # of its own business.
        UniqueConstraint("business_id", "id"),
        Index(
            "uq_leads_business_id_phone_e164",
            "business_id",
            "phone_e164",
            unique=True,
            postgresql_where=text("phone_e164 IS NOT NULL"),
            sqlite_where=text("phone_e164 IS NOT NULL"),
        ),
        Index(None, "business_id", "updated_at"),
    )

    id: Mapped[LeadId] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_id: Mapped[BusinessId] = mapped_column(ForeignKey("businesses.id"))
    phone_e164: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    human_edited_fields: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    """Names of the fields a person changed (`full_name`, `status`, …); the AI leaves them alone."""
    last_contact_at: Mapped[datetime | None]
    """When the lead last called or was called."""
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())
    updated_at: Mapped[datetime] = mapped_column(server_default=utcnow(), onupdate=utcnow())


class LeadEvent(Base):
    """One entry of a lead's timeline: a call, a booking, an edit, a status change.

    The integer id follows insertion order, so events written in the same millisecond still sort
    as they happened.
    """

    __tablename__ = "lead_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('call', 'appointment_booked', 'appointment_moved', "
            "'appointment_cancelled', 'details_updated', 'status_changed')",
            name="kind",
        ),
        ForeignKeyConstraint(["business_id", "lead_id"], ["leads.business_id", "leads.id"]),
        Index(None, "lead_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_id: Mapped[BusinessId] = mapped_column(ForeignKey("businesses.id"))
    lead_id: Mapped[LeadId]
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    at: Mapped[datetime] = mapped_column(server_default=utcnow())


APPOINTMENT_OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
"""PostgreSQL: the exclusion constraint that keeps a business's booked appointments apart."""

APPOINTMENT_OVERLAP_MESSAGE = "appointment_overlap"
"""SQLite: the error message of the triggers that stand in for the exclusion constraint."""

APPOINTMENT_INSTANT_FORMAT_MESSAGE = "appointment_instant_format"

# SQLite compares the stored text, which orders like the instants only in the fixed-width form
# `UTCDateTime` writes (`2026-03-27 08:00:00.000000`, UTC); the triggers refuse anything else.
_SQLITE_INSTANT = (
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
)
_SQLITE_GUARD_BODY = f"""
BEGIN
    SELECT RAISE(ABORT, '{APPOINTMENT_INSTANT_FORMAT_MESSAGE}')
    WHERE NEW.starts_at NOT GLOB {_SQLITE_INSTANT}
       OR NEW.ends_at NOT GLOB {_SQLITE_INSTANT}
       OR NEW.blocked_until NOT GLOB {_SQLITE_INSTANT};
    SELECT RAISE(ABORT, '{APPOINTMENT_OVERLAP_MESSAGE}')
    WHERE EXISTS (
        SELECT 1 FROM appointments AS other
        WHERE other.business_id = NEW.business_id
          AND other.id != NEW.id
          AND other.status = 'booked'
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    );
END"""  # noqa: S608  built from constants, no input reaches it
SQLITE_APPOINTMENT_GUARD_TRIGGERS: tuple[str, ...] = (
    "CREATE TRIGGER trg_appointments_no_overlap_insert BEFORE INSERT ON appointments "
    "WHEN NEW.status = 'booked'" + _SQLITE_GUARD_BODY,
    "CREATE TRIGGER trg_appointments_no_overlap_update "
    "BEFORE UPDATE OF business_id, starts_at, ends_at, blocked_until, status ON appointments "
    "WHEN NEW.status = 'booked'" + _SQLITE_GUARD_BODY,
)
"""The SQLite stand-in for the exclusion constraint (migration 0002 holds a frozen copy).

A batch ALTER of `appointments` on SQLite rebuilds the table and drops these triggers: such a
migration must create them again (`tests/db/test_migration_0002.py` checks they exist at head).
"""


class Appointment(Base):
    """A booked (or cancelled) appointment of one business, with the call that booked it.

    `[starts_at, blocked_until)` is what no two booked appointments of a business may share:
    `blocked_until` is `ends_at` plus the buffer in force when it was booked. The database
    enforces it, on PostgreSQL with an exclusion constraint and on SQLite with triggers.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_until >= ends_at", name="blocked_until_after_end"),
        ForeignKeyConstraint(["business_id", "lead_id"], ["leads.business_id", "leads.id"]),
        Index(None, "business_id", "starts_at"),
        Index(None, "business_id", "call_id"),
        Index(
            "uq_appointments_business_id_idempotency_key",
            "business_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
            sqlite_where=text("idempotency_key IS NOT NULL"),
        ),
        ExcludeConstraint(
            ("business_id", "="),
            (text("tstzrange(starts_at, blocked_until, '[)')"), "&&"),
            name=APPOINTMENT_OVERLAP_CONSTRAINT,
            using="gist",
            where=text("status = 'booked'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[AppointmentId] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_id: Mapped[BusinessId] = mapped_column(ForeignKey("businesses.id"))
    lead_id: Mapped[LeadId | None]
    call_id: Mapped[CallId | None] = mapped_column(ForeignKey("calls.id"))
    """The call that booked it; None for a booking made in the dashboard."""
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    blocked_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="booked", server_default="booked")
    customer_name: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    """The summary of the booking call, stored after the call ends."""
    transcript: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument, default=None)
    """The booking call's transcript, copied here after the call ends."""
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    """The tool call's id (Realtime `call_id`): a retried call returns the same appointment."""
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())
    updated_at: Mapped[datetime] = mapped_column(server_default=utcnow(), onupdate=utcnow())


class User(Base):
    """A person who logs in to the dashboard of one business; the email is unique overall."""

    __tablename__ = "users"

    id: Mapped[UserId] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_id: Mapped[BusinessId] = mapped_column(ForeignKey("businesses.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Stored lower-cased, so a login matches whatever case it is typed in."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """An argon2id PHC string (`$argon2id$v=19$...`); the password itself is never stored."""
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())


class UserSession(Base):
    """A dashboard login. The cookie holds a random token; only its SHA-256 is stored here.

    A stolen copy of this table therefore cannot be replayed as cookies. `csrf_token` is handed to
    the page (not a secret from it) and must come back in a header on every change.
    """

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())
    expires_at: Mapped[datetime]


@event.listens_for(Appointment.__table__, "after_create")
def _create_sqlite_guard(_table: Table, connection: Connection, **_kw: Any) -> None:
    """`metadata.create_all` (outside the migrations) gets the same guard on SQLite."""
    if connection.dialect.name == "sqlite":
        for trigger in SQLITE_APPOINTMENT_GUARD_TRIGGERS:
            connection.exec_driver_sql(trigger)
