"""Twilio's HTTP webhooks: the voice webhook (answers TwiML) and the call status callback."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from agentlocator.db.models import CallDirection
from agentlocator.runtime import Runtime
from agentlocator.services import businesses, call_log
from agentlocator.telephony import twiml

log = logging.getLogger(__name__)
router = APIRouter()

TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


def public_url(runtime: Runtime, request: Request) -> str:
    """The URL Twilio requested, rebuilt on our public base (Twilio signs that one, not ours)."""
    url = runtime.settings.public_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def signed_form(runtime: Runtime, request: Request) -> dict[str, str] | None:
    """The form parameters, or None when the signature does not match them."""
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    signature = request.headers.get("X-Twilio-Signature")
    if not runtime.signatures.is_valid(public_url(runtime, request), params, signature):
        log.warning("twilio.bad_signature", extra={"path": request.url.path})
        return None
    return params


def xml(text: str) -> Response:
    return Response(content=text, media_type="text/xml")


@router.post("/twilio/voice")
async def voice(request: Request) -> Response:
    """A call starts: connect it to our media stream, or apologise for an unknown number."""
    runtime: Runtime = request.app.state.runtime
    params = await signed_form(runtime, request)
    if params is None:
        return Response(status_code=403)
    call_sid, caller, dialled = params.get("CallSid"), params.get("From"), params.get("To")
    if not call_sid or not dialled:
        return Response("CallSid and To are required", status_code=400)
    is_outbound = params.get("Direction", "inbound").startswith("outbound")
    business_number, customer = (caller, dialled) if is_outbound else (dialled, caller)
    async with runtime.write_session() as session:
        business = await businesses.find_business_by_phone(session, business_number or "")
        if business is None:
            log.info("call.unknown_number", extra={"call_sid": call_sid})
            return xml(twiml.apologise_and_hang_up())
        direction: CallDirection = "outbound" if is_outbound else "inbound"
        await call_log.open_call(
            session,
            business_id=business.id,
            call_sid=call_sid,
            direction=direction,
            from_number=caller or "",
            to_number=dialled,
        )
        await session.commit()
    log.info("call.answered", extra={"call_sid": call_sid, "direction": direction})
    parameters = {
        "business_id": str(business.id),
        "direction": direction,
        "caller": customer or "",
    }
    return xml(twiml.connect_stream(runtime.settings.media_stream_url, parameters))


@router.post("/twilio/status")
async def status(request: Request) -> Response:
    """Call progress: record it; a terminal status ends the live call wherever it runs."""
    runtime: Runtime = request.app.state.runtime
    params = await signed_form(runtime, request)
    if params is None:
        return Response(status_code=403)
    call_sid, call_status = params.get("CallSid"), params.get("CallStatus")
    if not call_sid or not call_status:
        # Stream status callbacks (StreamEvent) carry no CallStatus; nothing to record.
        return Response(status_code=204)
    duration = params.get("CallDuration")
    async with runtime.write_session() as session:
        await call_log.record_status(
            session,
            call_sid,
            call_status,
            int(duration) if duration and duration.isdigit() else None,
        )
        await session.commit()
    if call_status in TERMINAL_STATUSES:
        await runtime.end_bus.publish_end(call_sid, "status_callback")
    return Response(status_code=204)
