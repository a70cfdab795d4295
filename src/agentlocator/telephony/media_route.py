"""The Media Streams WebSocket: authenticate, wait for `start`, run the call, store its record.

The path of a call through this module: signature check on the upgrade -> `start` (business,
direction and caller from our `<Parameter>`s) -> `call_setup.prepare_call` (business, lead, rules,
prompt, tools) -> Realtime session opened -> `CallSession.run()` until any end signal ->
`call_record.finalise` and the summary job. Database work happens before and after the call and
in background tasks, never between audio frames.

`wait_for_start` and `run_call` are shared with the dashboard's browser test call
(`api/routes/test_call.py`), which speaks the same protocol over its own authenticated socket.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from fastapi import APIRouter, WebSocket

from agentlocator.call.ports import CallHangUp
from agentlocator.call.session import CallSession
from agentlocator.realtime.link import RealtimeClosed
from agentlocator.runtime import Runtime
from agentlocator.telephony import call_record
from agentlocator.telephony import media_stream as twilio
from agentlocator.telephony.call_setup import prepare_call
from agentlocator.telephony.phone_socket import StarlettePhoneSocket
from agentlocator.tools.registry import READ_ONLY_TOOLS

log = logging.getLogger(__name__)
router = APIRouter()

START_TIMEOUT_SECS = 10.0


async def wait_for_start(phone: StarlettePhoneSocket) -> twilio.StreamStarted | None:
    """Read up to `start`; None if the socket closes, or stays silent, before it."""
    try:
        return await asyncio.wait_for(_read_until_start(phone), START_TIMEOUT_SECS)
    except TimeoutError:
        return None


async def _read_until_start(phone: StarlettePhoneSocket) -> twilio.StreamStarted | None:
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
    start = await wait_for_start(phone)
    if start is None:
        await phone.close()
        return
    await run_call(runtime, phone, start, hang_up=runtime.twilio_rest)


async def run_call(
    runtime: Runtime,
    phone: StarlettePhoneSocket,
    start: twilio.StreamStarted,
    *,
    hang_up: CallHangUp | None,
) -> None:
    """Run one call after `start` to its end and store its record.

    `hang_up` ends the call at the phone network when the agent says goodbye (Twilio REST for a
    phone call; None where closing the socket is the whole hang-up, as for a browser).
    """
    prepared = await prepare_call(runtime, start)
    if prepared is None:
        log.warning("call.unknown_business", extra={"call_sid": start.call_sid})
        await phone.close()
        return
    log.info("call.connected", extra={"call_sid": start.call_sid, "direction": prepared.direction})
    try:
        realtime = await asyncio.wait_for(
            runtime.open_realtime(), runtime.settings.realtime_connect_timeout_secs
        )
    except (RealtimeClosed, TimeoutError, OSError):
        log.exception("realtime.connect_failed", extra={"call_sid": start.call_sid})
        await phone.close()
        return
    call = CallSession(
        conversation=prepared.conversation,
        phone=phone,
        realtime=realtime,
        session_update=prepared.session_update,
        stream_sid=start.stream_sid,
        call_sid=start.call_sid,
        tools=prepared.tools,
        hang_up=hang_up,
        clock_ms=runtime.clock_ms,
        tool_timeout_secs=runtime.settings.tool_timeout_secs,
        read_only_tools=READ_ONLY_TOOLS,
    )
    started_at = datetime.now(UTC)
    runtime.start_job(
        call_record.mark_started(runtime, start.call_sid, start.stream_sid, started_at)
    )
    runtime.live_calls.add(start.call_sid, call)
    try:
        outcome = await call.run()
    finally:
        runtime.live_calls.remove(start.call_sid)
    await call_record.finalise(runtime, start.call_sid, started_at, outcome, prepared.conversation)
