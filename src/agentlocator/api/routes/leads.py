"""`/leads`: the CRM. A person's edits here are protected from the AI's later updates."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from agentlocator.api.deps import CurrentBusinessId, DbSession, WriteSession
from agentlocator.api.errors import from_value_error
from agentlocator.api.pages import Pagination
from agentlocator.api.schemas.leads import (
    LeadAppointmentPublic,
    LeadCallPublic,
    LeadDetail,
    LeadEventPublic,
    LeadPublic,
    LeadsPublic,
    LeadStatusName,
    LeadUpdate,
)
from agentlocator.db.models import CallId, Lead, LeadId
from agentlocator.services import calendar, call_log, leads
from agentlocator.services.lead_lookup import lead_page

router = APIRouter(prefix="/leads", tags=["leads"])

MAX_LEAD_CALLS = 50


def _public(lead: Lead) -> LeadPublic:
    return LeadPublic.model_validate(lead, from_attributes=True)


@router.get("")
async def list_leads(
    business_id: CurrentBusinessId,
    session: DbSession,
    page: Pagination,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: LeadStatusName | None = None,
) -> LeadsPublic:
    """Leads, most recently active first; `q` matches name, email or number."""
    rows, total = await lead_page(
        session, business_id, search=q, status=status, limit=page.size, offset=page.offset
    )
    return LeadsPublic(
        items=[_public(row) for row in rows], total=total, page=page.number, page_size=page.size
    )


@router.get("/{lead_id}", responses={404: {"description": "not_found"}})
async def get_lead(
    lead_id: uuid.UUID, business_id: CurrentBusinessId, session: DbSession
) -> LeadDetail:
    lead = await leads.get_lead(session, business_id, LeadId(lead_id))
    if lead is None:
        raise HTTPException(404, "not_found")
    events = await leads.lead_timeline(session, business_id, LeadId(lead.id))
    calls, _total = await call_log.call_page(
        session, business_id, lead_id=LeadId(lead.id), limit=MAX_LEAD_CALLS
    )
    booked = await calendar.calls_with_bookings(
        session, business_id, [CallId(call.id) for call in calls]
    )
    booked_for_lead = await calendar.lead_appointments(session, business_id, LeadId(lead.id))
    return LeadDetail(
        **_public(lead).model_dump(),
        events=[LeadEventPublic.model_validate(e, from_attributes=True) for e in events],
        calls=[
            LeadCallPublic(
                id=call.id,
                direction=call.direction,
                started_at=call.started_at,
                duration_secs=call.duration_secs,
                outcome=call_log.call_outcome(call, has_booking=call.id in booked),
                summary=call.summary,
            )
            for call in calls
        ],
        appointments=[
            LeadAppointmentPublic.model_validate(a, from_attributes=True) for a in booked_for_lead
        ],
    )


@router.patch("/{lead_id}", responses={404: {"description": "not_found"}})
async def update_lead(
    lead_id: uuid.UUID, body: LeadUpdate, business_id: CurrentBusinessId, session: WriteSession
) -> LeadPublic:
    """A person's edit: every field given is marked human-edited, so the AI keeps off it."""
    given = body.model_dump(exclude_unset=True)
    details = {field: given[field] for field in ("full_name", "email", "notes") if field in given}
    try:
        # A null detail clears it, as an empty one does (the service clears on empty text).
        updated = await leads.update_lead_details(
            session,
            business_id,
            LeadId(lead_id),
            **{field: value if value is not None else "" for field, value in details.items()},
            by="human",
        )
    except ValueError as error:
        raise from_value_error(error, next(iter(details), "full_name")) from None
    if updated is None:
        raise HTTPException(404, "not_found")
    lead: Lead | None = updated.lead
    if given.get("status") is not None:
        lead = await leads.set_status(
            session, business_id, LeadId(lead_id), given["status"], by="human"
        )
    if lead is None:  # pragma: no cover - the lead was just locked in this transaction
        raise HTTPException(404, "not_found")
    await session.commit()
    return _public(lead)
