"""Appointments: booking, moving and cancelling, with the database as the guard against overlap.

No two booked appointments of a business share any of `[starts_at, blocked_until)`, where
`blocked_until` is the end plus the buffer. The database enforces it (PostgreSQL: an exclusion
constraint; SQLite: triggers), so concurrent calls cannot both win a slot, whatever was checked
before. A lost race is an answer, `SlotTaken`, never an exception.

`book_appointment` and `move_appointment` take an `async_sessionmaker` and commit their own
transaction: the caller is told "booked" only after the commit, and a refused insert cannot leave
the caller's transaction half-done. On SQLite they begin IMMEDIATE, taking the write lock before
reading, so racing writers queue on the busy timeout instead of failing. The other functions take
an `AsyncSession`, flush, and leave the commit to the caller.

Every function takes the business id and touches only that business's rows. The reads
(`get_appointment`, `list_appointments`, `busy_intervals`, `appointment_spans`) live in
`services.calendar` and are re-exported here.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import (
    Appointment,
    AppointmentId,
    BusinessId,
    CallId,
    LeadId,
)
from agentlocator.services.booking_claims import (
    BookingRequest,
    checked_idempotency_key,
    find_previous,
    read_claims,
)
from agentlocator.services.booking_flights import flights_for
from agentlocator.services.booking_guard import is_overlap, write_transaction
from agentlocator.services.booking_outcomes import (
    AlreadyBooked,
    Booked,
    BookingResult,
    Moved,
    MoveResult,
    SlotTaken,
)
from agentlocator.services.calendar import (
    appointment_spans,
    busy_intervals,
    checked_minutes,
    get_appointment,
    list_appointments,
    utc_instant,
)
from agentlocator.services.leads import (
    Editor,
    NotInBusinessError,
    add_lead_event,
    check_call_in_business,
    locked_lead,
    name_lead_by_ai,
    promote_after_booking,
    queue_lead_event,
)

__all__ = [
    "AlreadyBooked",
    "Booked",
    "BookingResult",
    "MoveResult",
    "Moved",
    "SlotTaken",
    "appointment_spans",
    "attach_call_summary",
    "book_appointment",
    "busy_intervals",
    "cancel_appointment",
    "get_appointment",
    "list_appointments",
    "move_appointment",
]

log = logging.getLogger(__name__)

MAX_CUSTOMER_NAME_LENGTH = 200
_FRESH = {"populate_existing": True}


async def book_appointment(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    *,
    starts_at: datetime,
    duration_minutes: int,
    buffer_minutes: int = 0,
    lead_id: LeadId | None = None,
    call_id: CallId | None = None,
    customer_name: str | None = None,
    notes: str | None = None,
    idempotency_key: str | None = None,
    lead_full_name: str | None = None,
) -> BookingResult:
    """Book `[starts_at, starts_at + duration)`, keeping `buffer_minutes` free after it.

    Commits its own transaction, in a session from `sessions` (which must not expire objects
    on commit, as `db.engine.session_factory` does not), so a `Booked` result is durable.

    - `Booked`: the new appointment. The lead (if any) gets an `appointment_booked` event and
      becomes `booked`, unless a person set its status or it is a `customer`.
    - `AlreadyBooked`: a retry. The same `idempotency_key` (the tool call's id) returns its
      appointment, whatever it asked for now; so does the same `call_id` asking for the same
      start while that appointment is still booked (a model re-asking with a new tool call id).
    - `SlotTaken`: another booked appointment overlaps; nothing was written.

    With `lead_full_name` (and `lead_id`), a new booking also gives the lead that name as the
    AI would (`leads.update_lead_details`, never over a person's edit), in the same transaction.

    This checks no opening hours or notice: ask `scheduling.check_slot` first. Raises
    ValueError for a naive `starts_at` or out-of-range values, and `NotInBusinessError` when the
    lead or call belongs to another business.
    """
    start = utc_instant(starts_at, "starts_at")
    length = timedelta(minutes=checked_minutes("duration_minutes", duration_minutes, 1))
    kept_free = timedelta(minutes=checked_minutes("buffer_minutes", buffer_minutes, 0))
    request = BookingRequest(
        business_id=business_id,
        starts_at=start,
        ends_at=start + length,
        blocked_until=start + length + kept_free,
        call_id=call_id,
        idempotency_key=checked_idempotency_key(idempotency_key),
    )
    name = _customer_name(customer_name)

    span = (request.starts_at, request.blocked_until)

    async def take_slot(session: AsyncSession) -> BookingResult:
        settled = (await read_claims(session, request)).settled(start)
        if settled is not None:
            return settled  # the common refusal, without a failed insert
        return Booked(await _insert(session, request, lead_id, name, notes, lead_full_name))

    flights = flights_for(sessions.kw.get("bind"))
    if flights is not None and await flights.wait_for_overlapping(business_id, span):
        # Bookings of this span just landed: their rows most likely answer this one already,
        # read without locks, side by side with the other waiters.
        async with sessions() as session:
            settled = (await read_claims(session, request)).settled(start)
        if settled is not None:
            return _logged(business_id, settled)
    try:
        with flights.flying(business_id, span) if flights is not None else nullcontext():
            result = await write_transaction(sessions, business_id, take_slot, span)
    except IntegrityError as exc:
        error = exc
    else:
        return _logged(business_id, result)
    # Refused by the schema's guard (a writer that bypassed the locks above). A concurrent retry
    # of this same request may have won the slot: that is a success.
    async with sessions() as session:
        existing = await find_previous(session, request)
    if existing is not None:
        return AlreadyBooked(existing)
    if is_overlap(error):
        log.info("appointment.slot_taken", extra={"business_id": str(business_id)})
        return SlotTaken(start)
    raise error


async def move_appointment(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    appointment_id: AppointmentId,
    *,
    starts_at: datetime,
    duration_minutes: int | None = None,
    buffer_minutes: int | None = None,
) -> MoveResult | None:
    """Give a booked appointment a new start, freeing the old time in the same transaction.

    Duration and buffer stay as they were unless given.

    Commits its own transaction, like `book_appointment`. Returns None if the appointment is not
    in this business or is cancelled, `SlotTaken` if another appointment overlaps the new time.
    """
    start = utc_instant(starts_at, "starts_at")
    new_length = _optional_minutes("duration_minutes", duration_minutes, 1)
    new_kept_free = _optional_minutes("buffer_minutes", buffer_minutes, 0)

    async def move(session: AsyncSession) -> Moved | None:
        appointment = await session.scalar(
            select(Appointment)
            .where(Appointment.id == appointment_id, Appointment.business_id == business_id)
            .with_for_update(key_share=True),
            execution_options=_FRESH,
        )
        if appointment is None or appointment.status != "booked":
            return None
        length = new_length or appointment.ends_at - appointment.starts_at
        kept_free = appointment.blocked_until - appointment.ends_at
        if new_kept_free is not None:
            kept_free = new_kept_free
        previous = appointment.starts_at
        appointment.starts_at = start
        appointment.ends_at = start + length
        appointment.blocked_until = start + length + kept_free
        await session.flush()
        if appointment.lead_id is not None:
            await add_lead_event(
                session,
                business_id,
                appointment.lead_id,
                "appointment_moved",
                {
                    "appointment_id": str(appointment.id),
                    "from": previous.isoformat(),
                    "to": start.isoformat(),
                },
            )
        return Moved(appointment)

    try:
        result = await write_transaction(sessions, business_id, move)
    except IntegrityError as exc:
        if is_overlap(exc):
            return SlotTaken(start)
        raise
    if result is not None:
        log.info("appointment.moved", extra={"appointment_id": str(appointment_id)})
    return result


async def cancel_appointment(
    session: AsyncSession,
    business_id: BusinessId,
    appointment_id: AppointmentId,
    *,
    by: Editor,
    reason: str | None = None,
) -> Appointment | None:
    """Cancel an appointment, freeing its slot as soon as the caller commits.

    Idempotent: cancelling a cancelled appointment returns it unchanged and adds no second
    `appointment_cancelled` event. None if the appointment is not in this business.
    """
    appointment: Appointment | None = await session.scalar(
        update(Appointment)
        .where(
            Appointment.id == appointment_id,
            Appointment.business_id == business_id,
            Appointment.status == "booked",
        )
        .values(status="cancelled")
        .returning(Appointment),
        execution_options=_FRESH,
    )
    if appointment is None:
        return await get_appointment(session, business_id, appointment_id)
    if appointment.lead_id is not None:
        await add_lead_event(
            session,
            business_id,
            appointment.lead_id,
            "appointment_cancelled",
            {
                "appointment_id": str(appointment.id),
                "starts_at": appointment.starts_at.isoformat(),
                "by": by,
                "reason": reason,
            },
        )
    log.info("appointment.cancelled", extra={"appointment_id": str(appointment.id), "by": by})
    return appointment


async def attach_call_summary(
    session: AsyncSession,
    business_id: BusinessId,
    call_id: CallId,
    summary: str | None,
    transcript: list[dict[str, Any]] | None,
) -> int:
    """Store the call's summary and transcript on every appointment that call booked.

    Returns how many appointments were updated (0 for a call of another business).
    """
    ids = await session.scalars(
        update(Appointment)
        .where(Appointment.business_id == business_id, Appointment.call_id == call_id)
        .values(summary=summary, transcript=transcript)
        .returning(Appointment.id),
        execution_options={"synchronize_session": False},
    )
    return len(ids.all())


async def _insert(
    session: AsyncSession,
    request: BookingRequest,
    lead_id: LeadId | None,
    customer_name: str | None,
    notes: str | None,
    lead_full_name: str | None,
) -> Appointment:
    # The lead is locked before the insert: the insert's foreign key check then needs no
    # stronger lock later, which could deadlock two bookings for one lead.
    lead = None
    if lead_id is not None:
        lead = await locked_lead(session, request.business_id, lead_id)
        if lead is None:
            raise NotInBusinessError("lead", lead_id)
    if request.call_id is not None:
        await check_call_in_business(session, request.business_id, request.call_id)
    appointment = Appointment(
        id=AppointmentId(uuid.uuid4()),  # known before the flush, for the lead's events
        business_id=request.business_id,
        lead_id=lead_id,
        call_id=request.call_id,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        blocked_until=request.blocked_until,
        status="booked",
        customer_name=customer_name,
        notes=(notes or "").strip() or None,
        idempotency_key=request.idempotency_key,
    )
    session.add(appointment)
    if lead is not None:
        # Queued, not flushed: the insert, the events and the lead's changes go in the
        # commit's one flush (fewer round trips while this span is locked).
        data = {
            "appointment_id": str(appointment.id),
            "starts_at": request.starts_at.isoformat(),
            "call_id": None if request.call_id is None else str(request.call_id),
        }
        queue_lead_event(session, lead, "appointment_booked", data)
        promote_after_booking(session, lead, {"appointment_id": str(appointment.id)})
        if lead_full_name is not None:
            name_lead_by_ai(session, lead, lead_full_name)
    await session.flush()
    return appointment


def _logged(business_id: BusinessId, result: BookingResult) -> BookingResult:
    if isinstance(result, Booked):
        log.info(
            "appointment.booked",
            extra={"business_id": str(business_id), "appointment_id": str(result.appointment.id)},
        )
    elif isinstance(result, SlotTaken):
        log.info("appointment.slot_taken", extra={"business_id": str(business_id)})
    return result


def _optional_minutes(name: str, value: int | None, minimum: int) -> timedelta | None:
    return None if value is None else timedelta(minutes=checked_minutes(name, value, minimum))


def _customer_name(name: str | None) -> str | None:
    cleaned = (name or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_CUSTOMER_NAME_LENGTH:
        raise ValueError(f"customer_name must have at most {MAX_CUSTOMER_NAME_LENGTH} characters")
    return cleaned
