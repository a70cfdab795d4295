"""Everything a call needs before its first frame: business, lead, rules, prompt, tools, machine.

Runs once per call after Twilio's `start`, before the greeting: a few small database reads and the
lead upsert. Nothing here runs between audio frames.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from agentlocator.call.barge_in import BargeInSettings, KnobPolicy
from agentlocator.call.conversation import Conversation, ConversationConfig
from agentlocator.call.speech_watch import SpeechWatch
from agentlocator.db.models import Business, BusinessId, CallId, LeadId
from agentlocator.prompt.instructions import CallContext, build_instructions
from agentlocator.realtime.protocol import SessionSettings, session_update
from agentlocator.runtime import Runtime
from agentlocator.scheduling.rules import BookingRules
from agentlocator.services import businesses, call_log, leads
from agentlocator.telephony import media_stream as twilio
from agentlocator.tools.registry import tool_schemas
from agentlocator.tools.runner import CallScope, CallTools
from agentlocator.voice.detectors import PACED_CHUNK_MS, detector_for, lead_ms_for

log = logging.getLogger(__name__)

LEAD_TIMEOUT_SECS = 3.0


@dataclass
class PreparedCall:
    """A call ready to run: its machine, its tools and its Realtime session config."""

    business: Business
    direction: str
    call_row_id: CallId | None
    lead_id: LeadId | None
    conversation: Conversation
    tools: CallTools
    session_update: dict[str, Any]


def booking_rules(business: Business) -> BookingRules | None:
    """The business's booking rules in its time zone; None when the call goal is not booking."""
    if business.call_goal != "booking":
        return None
    document = dict(business.booking or {})
    document["timezone"] = business.timezone
    return BookingRules.model_validate(document)


def _parse_business_id(raw: str | None) -> BusinessId | None:
    try:
        return BusinessId(uuid.UUID(raw or ""))
    except ValueError:
        return None


async def _call_and_lead(
    runtime: Runtime, business: Business, start: twilio.StreamStarted, caller: str
) -> tuple[CallId | None, LeadId | None, str | None]:
    """The call row's id, and the caller's lead (created or updated now; None when withheld).

    One write transaction: the stream's start is recorded on the call row in it too, so the
    call costs one turn at SQLite's single write lock here instead of two.
    """
    async with runtime.write_session() as session:
        call = await call_log.mark_stream_started(
            session, start.call_sid, start.stream_sid, datetime.now(UTC), business_id=business.id
        )
        call_id = CallId(call.id) if call is not None else None
        lead = await leads.upsert_lead_for_call(session, business.id, caller, call_id=call_id)
        if lead is not None and call_id is not None:
            await call_log.link_lead(session, business.id, call_id, lead.id)
        await session.commit()
    if call_id is not None:
        runtime.note_stream_started(start.call_sid)
    return call_id, (lead.id if lead else None), (lead.full_name if lead else None)


async def prepare_call(runtime: Runtime, start: twilio.StreamStarted) -> PreparedCall | None:
    """Load and build everything for the call; None when the stream names no known business."""
    parameters = start.custom_parameters
    direction = "outbound" if parameters.get("direction") == "outbound" else "inbound"
    business_id = _parse_business_id(parameters.get("business_id"))
    async with runtime.db() as session:
        business = await businesses.get_business(session, business_id) if business_id else None
    if business is None:
        return None
    try:
        call_id, lead_id, caller_name = await asyncio.wait_for(
            _call_and_lead(runtime, business, start, parameters.get("caller", "")),
            LEAD_TIMEOUT_SECS,
        )
    except Exception:
        # The call goes on without CRM linkage rather than leaving the caller in silence.
        log.exception("call.lead_upsert_failed", extra={"call_sid": start.call_sid})
        call_id, lead_id, caller_name = None, None, None
    rules = booking_rules(business)
    settings = runtime.settings
    instructions = build_instructions(
        CallContext(
            business_name=business.name,
            business_type=business.business_type or "",
            services=business.services or "",
            call_goal=business.call_goal,
            direction=direction,
            now_local=datetime.now(UTC).astimezone(ZoneInfo(business.timezone)),
            rules=rules,
            caller_name=caller_name,
        )
    )
    barge_in = BargeInSettings.from_json(business.barge_in)
    detector = detector_for(barge_in)
    watch = SpeechWatch(detector) if detector is not None else None
    conversation = Conversation(
        ConversationConfig(
            greeting=business.greeting,
            silence_timeout_ms=settings.silence_timeout_secs * 1000,
            max_call_ms=settings.max_call_secs * 1000,
            goodbye_timeout_ms=settings.goodbye_mark_timeout_secs * 1000,
            lead_ms=lead_ms_for(barge_in, settings.playout_lead_ms),
            chunk_ms=PACED_CHUNK_MS,
        ),
        KnobPolicy(barge_in),
        watch,
    )

    async def current_lead() -> LeadId | None:
        return lead_id

    async def current_call() -> CallId | None:
        return call_id

    tools = CallTools(
        CallScope(
            business_id=business.id,
            call_sid=start.call_sid,
            rules=rules,
            db=runtime.db,
            now=lambda: datetime.now(UTC),
            lead_id=current_lead,
            call_row_id=current_call,
        )
    )
    config = SessionSettings(
        instructions=instructions,
        tools=tool_schemas(business.call_goal),
        voice=business.voice,
        # With our own detector the machine decides which caller turns get a reply.
        is_reply_automatic=watch is None,
    )
    return PreparedCall(
        business, direction, call_id, lead_id, conversation, tools, session_update(config)
    )
