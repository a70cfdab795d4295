"""Reading the calendar: a business's appointments in a time window, and its busy time.

Every function takes the business id and reads only that business's rows; all instants in and
out are aware UTC datetimes, and windows are half-open, `[from_utc, to_utc)`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import Appointment, AppointmentId, BusinessId, CallId, LeadId

MAX_DURATION_MINUTES = 24 * 60
"""Longest appointment, and largest buffer, in minutes."""

_FRESH = {"populate_existing": True}


async def busy_intervals(
    session: AsyncSession, business_id: BusinessId, from_utc: datetime, to_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """Booked appointments reaching into the window, as `(starts_at, blocked_until)`.

    Earliest first; exactly the spans the database guard keeps apart (buffers included).
    """
    return [
        (starts_at, blocked_until)
        for starts_at, _ends_at, blocked_until in await _booked_rows(
            session, business_id, from_utc, to_utc
        )
    ]


async def appointment_spans(
    session: AsyncSession,
    business_id: BusinessId,
    from_utc: datetime,
    to_utc: datetime,
    *,
    buffer_minutes: int | None = None,
) -> list[tuple[datetime, datetime]]:
    """Busy time for `scheduling.free_slots` / `check_slot`, earliest first.

    The slot engine takes each appointment's own `[start, end)` and widens it by the rules'
    buffer itself, so these spans leave the buffer out: `(starts_at, ends_at)`. Pass the rules'
    `buffer_minutes` to make the engine's widening land exactly on each stored `blocked_until`
    (the buffer in force when it was booked), so what is offered is what the database accepts
    even after the owner changed the buffer; the end is then `blocked_until - buffer_minutes`,
    kept just after the start if it would not be after it.
    """
    if buffer_minutes is None:
        rows = await _booked_rows(session, business_id, from_utc, to_utc)
        return [(starts_at, ends_at) for starts_at, ends_at, _blocked_until in rows]
    shift = timedelta(minutes=checked_minutes("buffer_minutes", buffer_minutes, 0))
    tick = timedelta(microseconds=1)
    return [
        (starts_at, max(blocked_until - shift, starts_at + tick))
        for starts_at, _ends_at, blocked_until in await _booked_rows(
            session, business_id, from_utc, to_utc
        )
    ]


async def get_appointment(
    session: AsyncSession, business_id: BusinessId, appointment_id: AppointmentId
) -> Appointment | None:
    """The appointment with this id if it belongs to `business_id`, else None."""
    return await session.scalar(
        select(Appointment).where(
            Appointment.id == appointment_id, Appointment.business_id == business_id
        ),
        execution_options=_FRESH,
    )


async def list_appointments(
    session: AsyncSession,
    business_id: BusinessId,
    from_utc: datetime,
    to_utc: datetime,
    *,
    include_cancelled: bool = False,
) -> list[Appointment]:
    """The business's appointments overlapping `[from_utc, to_utc)`, earliest first."""
    start, end = _window(from_utc, to_utc)
    statement = select(Appointment).where(
        Appointment.business_id == business_id,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if not include_cancelled:
        statement = statement.where(Appointment.status == "booked")
    rows = await session.scalars(
        statement.order_by(Appointment.starts_at, Appointment.id), execution_options=_FRESH
    )
    return list(rows)


async def lead_appointments(
    session: AsyncSession, business_id: BusinessId, lead_id: LeadId
) -> list[Appointment]:
    """Every appointment of the lead (cancelled ones too), newest first."""
    rows = await session.scalars(
        select(Appointment)
        .where(Appointment.business_id == business_id, Appointment.lead_id == lead_id)
        .order_by(Appointment.starts_at.desc(), Appointment.id),
        execution_options=_FRESH,
    )
    return list(rows)


async def calls_with_bookings(
    session: AsyncSession, business_id: BusinessId, call_ids: list[CallId]
) -> set[CallId]:
    """Which of these calls booked an appointment that is still booked."""
    if not call_ids:
        return set()
    rows = await session.scalars(
        select(Appointment.call_id).where(
            Appointment.business_id == business_id,
            Appointment.call_id.in_(call_ids),
            Appointment.status == "booked",
        )
    )
    return {CallId(call_id) for call_id in rows if call_id is not None}


async def _booked_rows(
    session: AsyncSession, business_id: BusinessId, from_utc: datetime, to_utc: datetime
) -> list[tuple[datetime, datetime, datetime]]:
    start, end = _window(from_utc, to_utc)
    rows = await session.execute(
        select(Appointment.starts_at, Appointment.ends_at, Appointment.blocked_until)
        .where(
            Appointment.business_id == business_id,
            Appointment.status == "booked",
            Appointment.starts_at < end,
            Appointment.blocked_until > start,
        )
        .order_by(Appointment.starts_at)
    )
    return [(starts_at, ends_at, blocked_until) for starts_at, ends_at, blocked_until in rows]


def utc_instant(moment: datetime, name: str) -> datetime:
    """`moment` in UTC; raises ValueError naming the argument if it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime given; attach a time zone")
    return moment.astimezone(UTC)


def checked_minutes(name: str, value: int, minimum: int) -> int:
    """`value` if it is within `minimum`..`MAX_DURATION_MINUTES`, else ValueError naming it."""
    if not minimum <= value <= MAX_DURATION_MINUTES:
        raise ValueError(f"{name} must be between {minimum} and {MAX_DURATION_MINUTES}")
    return value


def _window(from_utc: datetime, to_utc: datetime) -> tuple[datetime, datetime]:
    start, end = utc_instant(from_utc, "from_utc"), utc_instant(to_utc, "to_utc")
    if end <= start:
        raise ValueError("to_utc must be after from_utc")
    return start, end
