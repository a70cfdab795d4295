"""`/appointments`: the calendar. Booking and moving go through the agent's rules and guard."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException

from agentlocator.api.deps import (
    CurrentBusiness,
    DbSession,
    Now,
    RuntimeDep,
    WriteSession,
)
from agentlocator.api.errors import invalid
from agentlocator.api.schemas.appointments import (
    AppointmentCancel,
    AppointmentCreate,
    AppointmentDetail,
    AppointmentPublic,
    AppointmentsPublic,
    AppointmentUpdate,
)
from agentlocator.api.schemas.leads import LeadPublic
from agentlocator.db.models import Appointment, AppointmentId, Business, BusinessId, CallId, LeadId
from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.wallclock import boundary_to_utc
from agentlocator.services import appointments, call_log, leads, owner_booking
from agentlocator.telephony.call_setup import booking_rules

router = APIRouter(prefix="/appointments", tags=["appointments"])

MAX_RANGE_DAYS = 62
_REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {"description": "slot_taken, with alternatives"},
    422: {"description": "invalid_time, or a body field is invalid"},
}


def appointment_public(appointment: Appointment, zone: ZoneInfo) -> AppointmentPublic:
    local = appointment.starts_at.astimezone(zone)
    return AppointmentPublic(
        id=appointment.id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        local_date=local.date(),
        local_time=f"{local:%H:%M}",
        status="cancelled" if appointment.status == "cancelled" else "booked",
        customer_name=appointment.customer_name,
        notes=appointment.notes,
        lead_id=appointment.lead_id,
        call_id=appointment.call_id,
    )


def _zone(business: Business) -> ZoneInfo:
    return ZoneInfo(business.timezone)


def _not_found() -> HTTPException:
    return HTTPException(404, "not_found")


def _refused(result: owner_booking.InvalidTime | owner_booking.Taken) -> HTTPException:
    if isinstance(result, owner_booking.Taken):
        return HTTPException(
            409,
            {
                "status": "slot_taken",
                "message": "That time was just booked; pick another.",
                "alternatives": result.alternatives,
            },
        )
    return HTTPException(
        422,
        {
            "status": "invalid_time",
            "reason": result.reason,
            "message": result.message,
            "alternatives": result.alternatives,
        },
    )


def _rules_of(business: Business) -> BookingRules:
    rules = booking_rules(business)
    if rules is None:
        raise HTTPException(
            409,
            {"status": "booking_unavailable", "message": "The business does not take bookings."},
        )
    return rules


@router.get("")
async def list_appointments(
    business: CurrentBusiness,
    session: DbSession,
    start: date,
    end: date,
    include_cancelled: bool = False,
) -> AppointmentsPublic:
    """Appointments overlapping local dates `[start, end)` in the business's time zone."""
    if end <= start:
        raise HTTPException(422, [_query_error("end", "must be after start")])
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        too_long = f"at most {MAX_RANGE_DAYS} days after start"
        raise HTTPException(422, [_query_error("end", too_long)])
    zone = _zone(business)
    rows = await appointments.list_appointments(
        session,
        BusinessId(business.id),
        boundary_to_utc(zone, start, 0),
        boundary_to_utc(zone, end, 0),
        include_cancelled=include_cancelled,
    )
    return AppointmentsPublic(items=[appointment_public(row, zone) for row in rows])


@router.get("/{appointment_id}", responses={404: {"description": "not_found"}})
async def get_appointment(
    appointment_id: uuid.UUID, business: CurrentBusiness, session: DbSession
) -> AppointmentDetail:
    business_id = BusinessId(business.id)
    appointment = await appointments.get_appointment(
        session, business_id, AppointmentId(appointment_id)
    )
    if appointment is None:
        raise _not_found()
    lead = None
    if appointment.lead_id is not None:
        lead = await leads.get_lead(session, business_id, LeadId(appointment.lead_id))
    transcript, summary = appointment.transcript, appointment.summary
    if appointment.call_id is not None and (transcript is None or summary is None):
        # The summary job copies these onto the appointment after the call; until then the
        # call's own record is the source.
        call = await call_log.get_call(session, business_id, CallId(appointment.call_id))
        if call is not None:
            transcript = transcript if transcript is not None else list(call.transcript)
            summary = summary if summary is not None else call.summary
    return AppointmentDetail(
        **appointment_public(appointment, _zone(business)).model_dump(),
        lead=None if lead is None else LeadPublic.model_validate(lead, from_attributes=True),
        transcript=transcript,
        summary=summary,
    )


@router.post("", status_code=201, responses=_REFUSALS)
async def create_appointment(
    body: AppointmentCreate, business: CurrentBusiness, runtime: RuntimeDep, now: Now
) -> AppointmentPublic:
    try:
        result = await owner_booking.book_for_owner(
            runtime.db,
            BusinessId(business.id),
            _rules_of(business),
            day=body.date,
            wanted=body.time,
            now=now,
            customer_name=body.customer_name,
            notes=body.notes,
            lead_id=None if body.lead_id is None else LeadId(body.lead_id),
        )
    except leads.NotInBusinessError:
        raise _not_found() from None
    except ValueError as error:
        raise invalid("customer_name", str(error)) from None
    if not isinstance(result, owner_booking.Done):
        raise _refused(result)
    return appointment_public(result.appointment, _zone(business))


@router.patch("/{appointment_id}", responses={**_REFUSALS, 404: {"description": "not_found"}})
async def move_appointment(
    appointment_id: uuid.UUID,
    body: AppointmentUpdate,
    business: CurrentBusiness,
    session: DbSession,
    runtime: RuntimeDep,
    now: Now,
) -> AppointmentPublic:
    business_id = BusinessId(business.id)
    appointment = await appointments.get_appointment(
        session, business_id, AppointmentId(appointment_id)
    )
    if appointment is None or appointment.status != "booked":
        raise _not_found()
    await session.close()  # the move runs in its own transaction; hold no read snapshot
    result = await owner_booking.move_for_owner(
        runtime.db,
        business_id,
        _rules_of(business),
        appointment,
        day=body.date,
        wanted=body.time,
        now=now,
    )
    if result is None:
        raise _not_found()
    if not isinstance(result, owner_booking.Done):
        raise _refused(result)
    return appointment_public(result.appointment, _zone(business))


@router.post("/{appointment_id}/cancel", responses={404: {"description": "not_found"}})
async def cancel_appointment(
    appointment_id: uuid.UUID,
    business: CurrentBusiness,
    session: WriteSession,
    body: AppointmentCancel | None = None,
) -> AppointmentPublic:
    cancelled = await appointments.cancel_appointment(
        session,
        BusinessId(business.id),
        AppointmentId(appointment_id),
        by="human",
        reason=None if body is None else body.reason,
    )
    if cancelled is None:
        raise _not_found()
    await session.commit()
    return appointment_public(cancelled, _zone(business))


def _query_error(name: str, message: str) -> dict[str, object]:
    return {"loc": ["query", name], "field": name, "msg": message, "type": "value_error"}
