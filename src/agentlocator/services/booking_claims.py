"""What the database already holds against a booking request, read in one query.

A request is either a retry of an earlier booking (the same idempotency key, or the same call
asking for the same start while that appointment is still booked), or it meets another booked
appointment over its span, or the slot is free. Asked inside the booking's write transaction
(time-block locks on PostgreSQL, the write lock on SQLite), the answer holds until commit: a request
that would lose gives up after this one read instead of inserting, failing and rolling back
while the writers behind it wait. The schema's overlap guard still decides if anyone bypasses
the locks. Racers of this process do read once before the locks, but only after the bookings
in flight over their span have landed (`booking_flights`): racers arrive together, before the
winner commits, so reading on arrival would only have slowed the winner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from agentlocator.db.models import Appointment, BusinessId, CallId
from agentlocator.services.booking_outcomes import AlreadyBooked, SlotTaken

_FRESH = {"populate_existing": True}
MAX_IDEMPOTENCY_KEY_LENGTH = 128


@dataclass(frozen=True)
class BookingRequest:
    business_id: BusinessId
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    call_id: CallId | None
    idempotency_key: str | None


@dataclass(frozen=True)
class Claims:
    """`previous`: the appointment this request already made; `is_taken`: another booked
    appointment shares part of `[starts_at, blocked_until)`."""

    previous: Appointment | None
    is_taken: bool

    def settled(self, start: datetime) -> AlreadyBooked | SlotTaken | None:
        """The answer the rows already give, if any: a retry, or the slot taken."""
        if self.previous is not None:
            return AlreadyBooked(self.previous)
        if self.is_taken:
            return SlotTaken(start)
        return None


def checked_idempotency_key(key: str | None) -> str | None:
    """A request's idempotency key (the tool call's id), or ValueError when it cannot be one."""
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(f"idempotency_key must have 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    return key


async def find_previous(session: AsyncSession, request: BookingRequest) -> Appointment | None:
    """An appointment this request already made (a key match wins over same call and start)."""
    return (await _read(session, request, with_overlap=False)).previous


async def read_claims(session: AsyncSession, request: BookingRequest) -> Claims:
    """The request's earlier booking and whether its span is taken, in one query."""
    return await _read(session, request, with_overlap=True)


async def _read(session: AsyncSession, request: BookingRequest, *, with_overlap: bool) -> Claims:
    by_key = (
        Appointment.idempotency_key == request.idempotency_key
        if request.idempotency_key is not None
        else false()
    )
    by_call: ColumnElement[bool] = (
        and_(
            Appointment.call_id == request.call_id,
            Appointment.starts_at == request.starts_at,
            Appointment.status == "booked",
        )
        if request.call_id is not None
        else false()
    )
    overlaps = (
        and_(
            Appointment.status == "booked",
            Appointment.starts_at < request.blocked_until,
            Appointment.blocked_until > request.starts_at,
        )
        if with_overlap
        else false()
    )
    if request.idempotency_key is None and request.call_id is None and not with_overlap:
        return Claims(previous=None, is_taken=False)
    rows = (
        await session.execute(
            select(Appointment, by_key.label("by_key"), by_call.label("by_call"))
            .where(Appointment.business_id == request.business_id, or_(by_key, by_call, overlaps))
            .execution_options(**_FRESH)
        )
    ).all()
    keyed = [row.Appointment for row in rows if row.by_key]
    same_call = [row.Appointment for row in rows if row.by_call]
    previous = (keyed or same_call or [None])[0]
    # Every other row the query returned overlaps the span (it matched only that condition).
    is_taken = previous is None and len(rows) > 0
    return Claims(previous=previous, is_taken=is_taken)
