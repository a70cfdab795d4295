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
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

BusinessId = NewType("BusinessId", uuid.UUID)
"""The tenant key. Every tenant-scoped service function takes one explicitly."""

CallId = NewType("CallId", uuid.UUID)

CallGoal = Literal["booking", "lead"]
CallDirection = Literal["inbound", "outbound"]

CALL_GOALS: tuple[CallGoal, ...] = ("booking", "lead")
CALL_DIRECTIONS: tuple[CallDirection, ...] = ("inbound", "outbound")

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
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())


class Call(Base):
    """One phone call of one business, from the first webhook to the finalised record."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
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
    created_at: Mapped[datetime] = mapped_column(server_default=utcnow())
    updated_at: Mapped[datetime] = mapped_column(server_default=utcnow(), onupdate=utcnow())
