"""`/calls`: the call log, with each call's transcript, summary, barge-ins and latencies."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException

from agentlocator.api.deps import CurrentBusinessId, DbSession
from agentlocator.api.pages import Pagination
from agentlocator.api.schemas.calls import CallDetail, CallDirectionName, CallPublic, CallsPublic
from agentlocator.db.models import Call, CallId
from agentlocator.services import calendar, call_log

router = APIRouter(prefix="/calls", tags=["calls"])


def _public(call: Call, *, has_booking: bool) -> CallPublic:
    return CallPublic.model_validate(
        {
            "id": call.id,
            "direction": call.direction,
            "from_number": call.from_number,
            "to_number": call.to_number,
            "started_at": call.started_at,
            "duration_secs": call.duration_secs,
            "outcome": call_log.call_outcome(call, has_booking=has_booking),
            "lead_id": call.lead_id,
        }
    )


@router.get("")
async def list_calls(
    business_id: CurrentBusinessId,
    session: DbSession,
    page: Pagination,
    direction: CallDirectionName | None = None,
) -> CallsPublic:
    """Calls, newest first."""
    rows, total = await call_log.call_page(
        session, business_id, direction=direction, limit=page.size, offset=page.offset
    )
    booked = await calendar.calls_with_bookings(
        session, business_id, [CallId(row.id) for row in rows]
    )
    return CallsPublic(
        items=[_public(row, has_booking=row.id in booked) for row in rows],
        total=total,
        page=page.number,
        page_size=page.size,
    )


@router.get("/{call_id}", responses={404: {"description": "not_found"}})
async def get_call(
    call_id: uuid.UUID, business_id: CurrentBusinessId, session: DbSession
) -> CallDetail:
    call = await call_log.get_call(session, business_id, CallId(call_id))
    if call is None:
        raise HTTPException(404, "not_found")
    booked = await calendar.calls_with_bookings(session, business_id, [CallId(call.id)])
    return CallDetail(
        **_public(call, has_booking=bool(booked)).model_dump(),
        transcript=list(call.transcript),
        summary=call.summary,
        barge_ins=list(call.barge_ins),
        latency=dict(call.latency),
        tool_calls=list(call.tool_calls),
        end_reason=call.end_reason,
        ended_at=call.ended_at,
    )
