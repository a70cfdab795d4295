"""`WS /test-call`: the owner talks to the agent from the browser, through the phone's call path.

The browser speaks Twilio Media Streams (`connected`, `start`, `media`, `mark`, `stop`) and gets
Twilio's messages back. Only the edges differ from `WS /twilio/media`: the session cookie
authenticates instead of Twilio's signature, the business is the logged-in user's (whatever the
`start` message claims), and the call record is opened here, as the voice webhook does for a
phone call, with direction `browser`. From `start` on it is the same `run_call`.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import APIRouter, WebSocket

from agentlocator.api.deps import Now, RuntimeDep, is_same_origin, login_of
from agentlocator.db.models import BusinessId
from agentlocator.services import call_log
from agentlocator.telephony import media_stream as twilio
from agentlocator.telephony.media_route import run_call, wait_for_start
from agentlocator.telephony.phone_socket import StarlettePhoneSocket

log = logging.getLogger(__name__)
router = APIRouter(tags=["test-call"])

BROWSER_CALLER = "browser"
POLICY_VIOLATION = 1008


def browser_call_sid() -> str:
    """A CallSid of our own: the browser's made-up one could collide with a real call's."""
    return "BR" + uuid.uuid4().hex


@router.websocket("/test-call")
async def browser_test_call(websocket: WebSocket, runtime: RuntimeDep, now: Now) -> None:
    login = await login_of(websocket, runtime, now)
    if login is None or not is_same_origin(websocket, runtime.settings.public_url):
        log.info("test_call.refused", extra={"is_logged_in": login is not None})
        await websocket.close(code=POLICY_VIOLATION)  # before accept: the upgrade gets a 403
        return
    await websocket.accept()
    phone = StarlettePhoneSocket(websocket)
    start = await wait_for_start(phone)
    if start is None:
        await phone.close()
        return
    business = login.business
    call_sid = browser_call_sid()
    async with runtime.write_session() as session:
        await call_log.open_call(
            session,
            business_id=BusinessId(business.id),
            call_sid=call_sid,
            direction="browser",
            from_number=BROWSER_CALLER,
            to_number=business.phone,
        )
        await session.commit()
    log.info("test_call.started", extra={"call_sid": call_sid, "user_id": str(login.user.id)})
    scoped = twilio.StreamStarted(
        stream_sid=start.stream_sid,
        call_sid=call_sid,
        account_sid="",
        # No caller number: the test call makes no lead. The agent treats it as an inbound call.
        custom_parameters={"business_id": str(business.id), "caller": ""},
    )
    await run_call(runtime, phone, scoped, hang_up=None)
