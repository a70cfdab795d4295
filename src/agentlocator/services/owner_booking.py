"""Booking and moving from the dashboard, under exactly the rules and guard the agent's tool uses.

The owner names a local date and time as a caller does. The start is checked with the business's
`BookingRules` (`scheduling.check_slot`, the busy time read the way the tool reads it) and then
taken through `appointments.book_appointment` / `move_appointment`, whose database guard decides
any race: a slot the agent booked a moment ago is `SlotTaken` here too, with the same nearby
alternatives the agent would offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import Appointment, AppointmentId, BusinessId, LeadId
from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.slots import Interval, check_slot, start_instant
from agentlocator.services import appointments
from agentlocator.tools.availability import alternatives
from agentlocator.tools.runner import REFUSAL_REASONS

MISSING_TIME_MESSAGE = "That time does not exist that day."


@dataclass(frozen=True)
class InvalidTime:
    """The rules refuse the start: `reason` is a `scheduling` reason code (or `missing_time`)."""

    reason: str
    message: str
    alternatives: list[str]


@dataclass(frozen=True)
class Taken:
    """Another booked appointment (maybe the agent's, just now) holds the time."""

    alternatives: list[str]


@dataclass(frozen=True)
class Done:
    """Booked or moved (committed)."""

    appointment: Appointment


OwnerBookingResult = Done | InvalidTime | Taken


async def busy_for_rules(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    rules: BookingRules,
    now: datetime,
) -> list[Interval]:
    """The business's busy time around `now`, read as the agent's availability tool reads it."""
    start = now - timedelta(days=2)
    end = now + timedelta(days=rules.window_days + 3)
    async with sessions() as session:
        spans = await appointments.appointment_spans(session, business_id, start, end)
    return [Interval(a, b) for a, b in spans]


def _refusal(
    rules: BookingRules, day: date, wanted: time, now: datetime, busy: list[Interval]
) -> tuple[datetime | None, InvalidTime | None]:
    start = start_instant(rules, day, wanted)
    if start is None:
        return None, InvalidTime("missing_time", MISSING_TIME_MESSAGE, [])
    verdict = check_slot(rules, start, now, busy)
    # "taken" is left to the database, as in the tool: the guard there is the one that counts.
    if verdict.reason not in (None, "taken"):
        reason = str(verdict.reason)
        message = REFUSAL_REASONS.get(reason, reason)
        return start, InvalidTime(reason, message, alternatives(rules, day, wanted, now, busy))
    return start, None


async def book_for_owner(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    rules: BookingRules,
    *,
    day: date,
    wanted: time,
    now: datetime,
    customer_name: str,
    notes: str | None = None,
    lead_id: LeadId | None = None,
) -> OwnerBookingResult:
    """Book a local date and time for the business, as the agent would.

    Raises `leads.NotInBusinessError` when `lead_id` is not a lead of this business.
    """
    busy = await busy_for_rules(sessions, business_id, rules, now)
    start, refused = _refusal(rules, day, wanted, now, busy)
    if refused is not None or start is None:
        return refused or InvalidTime("missing_time", MISSING_TIME_MESSAGE, [])
    result = await appointments.book_appointment(
        sessions,
        business_id,
        starts_at=start,
        duration_minutes=rules.slot_minutes,
        buffer_minutes=rules.buffer_minutes,
        lead_id=lead_id,
        customer_name=customer_name,
        notes=notes,
    )
    if isinstance(result, appointments.SlotTaken):
        busy = await busy_for_rules(sessions, business_id, rules, now)
        return Taken(alternatives(rules, day, wanted, now, busy))
    return Done(result.appointment)


async def move_for_owner(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    rules: BookingRules,
    appointment: Appointment,
    *,
    day: date,
    wanted: time,
    now: datetime,
) -> OwnerBookingResult | None:
    """Move a booked appointment to a local date and time; None if it is gone or cancelled.

    The appointment's own time does not count as busy (it is freed by the move), so moving it
    by a few minutes or within a capped day is judged like a fresh booking of that time.
    """
    own = (appointment.starts_at, appointment.ends_at)
    busy = [
        span
        for span in await busy_for_rules(sessions, business_id, rules, now)
        if (span.start, span.end) != own
    ]
    start, refused = _refusal(rules, day, wanted, now, busy)
    if refused is not None or start is None:
        return refused or InvalidTime("missing_time", MISSING_TIME_MESSAGE, [])
    result = await appointments.move_appointment(
        sessions,
        business_id,
        AppointmentId(appointment.id),
        starts_at=start,
        duration_minutes=rules.slot_minutes,
        buffer_minutes=rules.buffer_minutes,
    )
    if result is None:
        return None
    if isinstance(result, appointments.SlotTaken):
        busy = await busy_for_rules(sessions, business_id, rules, now)
        return Taken(alternatives(rules, day, wanted, now, busy))
    return Done(result.appointment)
