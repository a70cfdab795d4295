"""A call's record: marked started, finalised once at the end, then summarised in the background."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from agentlocator.call.conversation import Conversation
from agentlocator.call.session import CallOutcome
from agentlocator.db.models import BusinessId, CallId
from agentlocator.runtime import Runtime
from agentlocator.services import appointments, call_log

log = logging.getLogger(__name__)


def latency_figures(outcome: CallOutcome, conversation: Conversation) -> dict[str, Any]:
    figures = conversation.record.latency()
    values = sorted(outcome.bridge_latencies_ms)
    if values:
        figures["bridge_p50_ms"] = round(values[len(values) // 2], 3)
        figures["bridge_p99_ms"] = round(values[min(len(values) - 1, int(len(values) * 0.99))], 3)
    figures["malformed_frames"] = outcome.malformed_frames
    figures["realtime_errors"] = conversation.record.realtime_errors
    return figures


async def mark_started(runtime: Runtime, call_sid: str, stream_sid: str, at: datetime) -> None:
    """Record the stream's start, unless call set-up did already (with the lead, one write)."""
    if runtime.take_stream_started(call_sid):
        return
    try:
        async with runtime.write_session() as session:
            await call_log.mark_stream_started(session, call_sid, stream_sid, at)
            await session.commit()
    except Exception:
        log.exception("call.record_start_failed", extra={"call_sid": call_sid})


async def finalise(
    runtime: Runtime,
    call_sid: str,
    started_at: datetime,
    outcome: CallOutcome,
    conversation: Conversation,
) -> None:
    """Store how the call ended (exactly once), then queue the summary job."""
    duration_secs = (outcome.ended_at_ms - outcome.started_at_ms) / 1000
    record = conversation.record
    log.info("call.ended", extra={"call_sid": call_sid, "reason": outcome.end_reason})
    try:
        async with runtime.write_session() as session:
            await call_log.finalise_call(
                session,
                call_sid,
                ended_at=started_at + timedelta(seconds=duration_secs),
                end_reason=outcome.end_reason,
                duration_secs=duration_secs,
                transcript=record.transcript,
                tool_calls=record.tool_calls,
                barge_ins=record.barge_ins,
                latency=latency_figures(outcome, conversation),
            )
            await session.commit()
    except Exception:
        log.exception("call.record_end_failed", extra={"call_sid": call_sid})
        return
    runtime.start_job(summarise_call(runtime, call_sid))


async def summarise_call(runtime: Runtime, call_sid: str) -> None:
    """The after-call summary, stored on the call and on any appointment it booked."""
    async with runtime.db() as session:
        call = await call_log.find_call_by_sid(session, call_sid)
        if call is None:
            return
        business_id, call_id = BusinessId(call.business_id), CallId(call.id)
        transcript, tool_calls = list(call.transcript), list(call.tool_calls)
    text = await runtime.summaries.summarise(transcript, tool_calls)
    async with runtime.write_session() as session:
        await call_log.store_summary(session, business_id, call_id, text)
        await appointments.attach_call_summary(session, business_id, call_id, text, transcript)
        await session.commit()
    log.info("call.summarised", extra={"call_sid": call_sid})
