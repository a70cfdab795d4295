"""Outbound calls: the agent calls a lead through Twilio REST, streaming with direction outbound."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agentlocator.db.models import BusinessId, LeadId
from agentlocator.runtime import Runtime
from agentlocator.services import businesses, call_log, leads
from agentlocator.telephony import twiml

log = logging.getLogger(__name__)


class OutboundCallError(Exception):
    """The call could not be placed; the message says why, for the owner."""


@dataclass(frozen=True)
class PlacedOutboundCall:
    call_sid: str
    business_id: str
    lead_id: str


async def call_lead(
    runtime: Runtime, business_id: BusinessId, lead_id: LeadId
) -> PlacedOutboundCall:
    """Have the agent call one lead of one business."""
    if runtime.twilio_rest is None:
        raise OutboundCallError("Twilio credentials are not configured (TWILIO_ACCOUNT_SID/TOKEN).")
    async with runtime.db() as session:
        business = await businesses.get_business(session, business_id)
        lead = await leads.get_lead(session, business_id, lead_id) if business else None
    if business is None or lead is None:
        raise OutboundCallError("No such lead for this business.")
    if not lead.phone_e164:
        raise OutboundCallError("The lead has no phone number.")
    stream = twiml.connect_stream(
        runtime.settings.media_stream_url,
        {"business_id": str(business.id), "direction": "outbound", "caller": lead.phone_e164},
    )
    status_url = runtime.settings.public_url.rstrip("/") + "/twilio/status"
    call_sid = await runtime.twilio_rest.create_call(
        to=lead.phone_e164, from_=business.phone, twiml=stream, status_callback=status_url
    )
    async with runtime.write_session() as session:
        await call_log.open_call(
            session,
            business_id=business.id,
            call_sid=call_sid,
            direction="outbound",
            from_number=business.phone,
            to_number=lead.phone_e164,
        )
        await session.commit()
    log.info("call.outbound_placed", extra={"call_sid": call_sid})
    return PlacedOutboundCall(call_sid, str(business.id), str(lead.id))
