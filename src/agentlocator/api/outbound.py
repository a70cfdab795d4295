"""`POST /api/v1/businesses/{business_id}/leads/{lead_id}/call`: the agent calls a lead.

Until per-business users exist, the endpoint is for operators: it needs
`Authorization: Bearer <AGENTLOCATOR_API_TOKEN>`, and is off (503) when no token is configured.
"""

from __future__ import annotations

import secrets
import uuid

from fastapi import APIRouter, Header, HTTPException, Request

from agentlocator.db.models import BusinessId, LeadId
from agentlocator.runtime import Runtime
from agentlocator.telephony.outbound import OutboundCallError, call_lead

router = APIRouter(prefix="/api/v1")


def require_operator(runtime: Runtime, authorization: str | None) -> None:
    token = runtime.settings.api_token
    if token is None or not token.get_secret_value():
        raise HTTPException(503, "Set AGENTLOCATOR_API_TOKEN to enable the operator API.")
    expected = f"Bearer {token.get_secret_value()}"
    if authorization is None or not secrets.compare_digest(authorization, expected):
        raise HTTPException(401, "A valid operator bearer token is required.")


@router.post("/businesses/{business_id}/leads/{lead_id}/call", status_code=201)
async def place_call(
    business_id: uuid.UUID,
    lead_id: uuid.UUID,
    request: Request,
    authorization: str | None = Header(default=None),
) -> dict[str, str]:
    runtime: Runtime = request.app.state.runtime
    require_operator(runtime, authorization)
    try:
        placed = await call_lead(runtime, BusinessId(business_id), LeadId(lead_id))
    except OutboundCallError as error:
        raise HTTPException(409, str(error)) from error
    return {
        "call_sid": placed.call_sid,
        "business_id": placed.business_id,
        "lead_id": placed.lead_id,
    }
