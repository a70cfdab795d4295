"""The Media Streams WebSocket: authenticate, wait for `start`, run the call, store its record.

The path of a call through this module: signature check on the upgrade -> `start` (business,
direction and caller from our `<Parameter>`s) -> business settings loaded once -> Realtime session
opened -> `CallSession.run()` until any end signal -> call record finalised. Database work happens
before and after the call and in a background task, never between audio frames.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, WebSocket

from agentlocator.call.barge_in import BargeInSettings, ServerVadPolicy
from agentlocator.call.conversation import Conversation, ConversationConfig
from agentlocator.call.session import CallOutcome, CallSession
from agentlocator.db.models import BusinessId
from agentlocator.prompt.instructions import CallContext, build_instructions
from agentlocator.realtime.link import RealtimeClosed
from agentlocator.realtime.protocol import SessionSettings, session_update
from agentlocator.runtime import Runtime
from agentlocator.services import businesses, call_log
from agentlocator.telephony import media_stream as twilio
from agentlocator.telephony.phone_socket import StarlettePhoneSocket
from agentlocator.tools.registry import BusinessTools, tool_schemas

log = logging.getLogger(__name__)
router = APIRouter()

START_TIMEOUT_SECS = 10.0


async def _wait_for_start(phone: StarlettePhoneSocket) -> twilio.StreamStarted | None:
    """Read up to `start`; Twilio sends `connected` first. None if the socket closes before."""
    while True:
        text = await phone.receive_text()
        if text is None:
            return None
        frame = twilio.decode_frame(text) if text else twilio.MalformedFrame("binary frame")
        if isinstance(frame, twilio.StreamStarted):
            return frame
        if isinstance(frame, twilio.StreamStopped):
            return None


def _parse_business_id(raw: str | None) -> BusinessId | None:
    try:
        return BusinessId(uuid.UUID(raw or ""))
    except ValueError:
        return None


@router.websocket("/twilio/media")
async def media_stream(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    signature = websocket.headers.get("X-Twilio-Signature")
    if not runtime.signatures.is_valid(runtime.settings.media_stream_url, {}, signature):
        log.warning("twilio.bad_signature", extra={"path": "/twilio/media"})
        await websocket.close(code=1008)  # before accept: the upgrade is refused with 403
        return
    await websocket.accept()
    phone = StarlettePhoneSocket(websocket)
    try:
        start = await asyncio.wait_for(_wait_for_start(phone), START_TIMEOUT_SECS)
    except TimeoutError:
        start = None
    if start is None:
        await phone.close()
        return
    await _run_call(runtime, phone, start)


async def _run_call(
    runtime: Runtime, phone: StarlettePhoneSocket, start: twilio.StreamStarted
) -> None:
    parameters = start.custom_parameters
    direction = "outbound" if parameters.get("direction") == "outbound" else "inbound"
    business_id = _parse_business_id(parameters.get("business_id"))
    async with runtime.db() as session:
        business = await businesses.get_business(session, business_id) if business_id else None
    if business is None:
        log.warning("call.unknown_business", extra={"call_sid": start.call_sid})
        await phone.close()
        return
    log.info("call.connected", extra={"call_sid": start.call_sid, "direction": direction})
    try:
        realtime = await asyncio.wait_for(
            runtime.open_realtime(), runtime.settings.realtime_connect_timeout_secs
        )
    except (RealtimeClosed, TimeoutError, OSError):
        log.exception("realtime.connect_failed", extra={"call_sid": start.call_sid})
        await phone.close()
        return

    settings = runtime.settings
    now_local = datetime.now(UTC).astimezone(ZoneInfo(business.timezone))
    instructions = build_instructions(
        CallContext(
            business_name=business.name,
            business_type=business.business_type or "",
            services=business.services or "",
            call_goal=business.call_goal,
            direction=direction,
            now_local=now_local,
        )
    )
    conversation = Conversation(
        ConversationConfig(
            greeting=business.greeting,
            silence_timeout_ms=settings.silence_timeout_secs * 1000,
            max_call_ms=settings.max_call_secs * 1000,
            goodbye_timeout_ms=settings.goodbye_mark_timeout_secs * 1000,
        ),
        ServerVadPolicy(BargeInSettings.from_json(business.barge_in)),
    )
    session_config = SessionSettings(
        instructions=instructions, tools=tool_schemas(business.call_goal), voice=business.voice
    )
    call = CallSession(
        conversation=conversation,
        phone=phone,
        realtime=realtime,
        session_update=session_update(session_config),
        stream_sid=start.stream_sid,
        call_sid=start.call_sid,
        tools=BusinessTools(str(business.id), start.call_sid),
        hang_up=runtime.twilio_rest,
        clock_ms=runtime.clock_ms,
        tool_timeout_secs=settings.tool_timeout_secs,
    )
    started_at = datetime.now(UTC)
    stream_started = asyncio.get_running_loop().create_task(
        _mark_started(runtime, start, started_at)
    )
    runtime.live_calls.add(start.call_sid, call)
    try:
        outcome = await call.run()
    finally:
        runtime.live_calls.remove(start.call_sid)
    await stream_started
    await _finalise(runtime, start.call_sid, started_at, outcome, conversation)


async def _mark_started(runtime: Runtime, start: twilio.StreamStarted, at: datetime) -> None:
    try:
        async with runtime.db() as session:
            await call_log.mark_stream_started(session, start.call_sid, start.stream_sid, at)
            await session.commit()
    except Exception:
        log.exception("call.record_start_failed", extra={"call_sid": start.call_sid})


def _latency(outcome: CallOutcome, conversation: Conversation) -> dict[str, Any]:
    figures = conversation.record.latency()
    values = sorted(outcome.bridge_latencies_ms)
    if values:
        figures["bridge_p50_ms"] = round(values[len(values) // 2], 3)
        figures["bridge_p99_ms"] = round(values[min(len(values) - 1, int(len(values) * 0.99))], 3)
    figures["malformed_frames"] = outcome.malformed_frames
    figures["realtime_errors"] = conversation.record.realtime_errors
    return figures


async def _finalise(
    runtime: Runtime,
    call_sid: str,
    started_at: datetime,
    outcome: CallOutcome,
    conversation: Conversation,
) -> None:
    duration_secs = (outcome.ended_at_ms - outcome.started_at_ms) / 1000
    record = conversation.record
    log.info("call.ended", extra={"call_sid": call_sid, "reason": outcome.end_reason})
    try:
        async with runtime.db() as session:
            await call_log.finalise_call(
                session,
                call_sid,
                ended_at=started_at + timedelta(seconds=duration_secs),
                end_reason=outcome.end_reason,
                duration_secs=duration_secs,
                transcript=record.transcript,
                tool_calls=record.tool_calls,
                barge_ins=record.barge_ins,
                latency=_latency(outcome, conversation),
            )
            await session.commit()
    except Exception:
        log.exception("call.record_end_failed", extra={"call_sid": call_sid})
