"""`GET /slots`: what the agent would answer about a date, computed by the agent's own tool."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Query

from agentlocator.api.deps import CurrentBusiness, Now, RuntimeDep
from agentlocator.api.schemas.slots import SlotsPublic
from agentlocator.db.models import BusinessId, CallId, LeadId
from agentlocator.telephony.call_setup import booking_rules
from agentlocator.tools.runner import CallScope, CallTools

router = APIRouter(tags=["slots"])

_PREVIEW_CALL_SID = "dashboard-preview"
"""The scope's call id; `check_availability` is read-only, so it never lands anywhere."""


async def _no_lead() -> LeadId | None:
    return None


async def _no_call() -> CallId | None:
    return None


@router.get("/slots", response_model_exclude_none=True)
async def get_slots(
    business: CurrentBusiness,
    runtime: RuntimeDep,
    now: Now,
    day: Annotated[date, Query(alias="date")],
    wanted: Annotated[time | None, Query(alias="time")] = None,
) -> SlotsPublic:
    """The `check_availability` tool's answer for `date` (and `time`), run as in a call.

    The same `CallTools` a call builds runs the tool, with the business's rules and busy time,
    so the page shows exactly the times the agent offers.
    """
    tools = CallTools(
        CallScope(
            business_id=BusinessId(business.id),
            call_sid=_PREVIEW_CALL_SID,
            rules=booking_rules(business),
            db=runtime.db,
            now=lambda: now,
            lead_id=_no_lead,
            call_row_id=_no_call,
        )
    )
    arguments: dict[str, Any] = {"date": day.isoformat()}
    if wanted is not None:
        arguments["time"] = f"{wanted:%H:%M}"
    answer = await tools.run("slots", "check_availability", json.dumps(arguments))
    return SlotsPublic.model_validate(json.loads(answer))
