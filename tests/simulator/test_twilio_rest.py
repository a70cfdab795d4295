"""FakeTwilioRest driven through the real twilio SDK, exactly as the server will call it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from agentlocator.simulator.twilio_caller import SimulatedCall, new_sid
from agentlocator.simulator.twilio_network import FakeTwilioRest

ACCOUNT_SID = "AC" + "3" * 32
TOKEN = "rest-auth-token"
STATUS_URL = "http://testserver/twilio/status"
PUBLIC_STATUS_URL = "https://agent.example.com/twilio/status"


class Bridge:
    """A media endpoint that records events and closes on request."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.connections: list[ServerConnection] = []
        self.server: Server | None = None
        self.url = ""

    async def handle(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        try:
            async for raw in connection:
                self.events.append(json.loads(raw)["event"])
        except ConnectionClosed:
            pass


@pytest.fixture
async def bridge() -> AsyncIterator[Bridge]:
    fake = Bridge()
    async with serve(fake.handle, "127.0.0.1", 0) as server:
        fake.server = server
        fake.url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}/twilio/media"
        yield fake


@pytest.fixture
def statuses() -> list[dict[str, str]]:
    return []


@pytest.fixture
async def rest(statuses: list[dict[str, str]]) -> AsyncIterator[FakeTwilioRest]:
    async def status(request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(TOKEN).validate(PUBLIC_STATUS_URL, form, signature):
            return Response(status_code=403)
        statuses.append(form)
        return Response(status_code=204)

    app = Starlette(routes=[Route("/twilio/status", status, methods=["POST"])])
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http,
        FakeTwilioRest(ACCOUNT_SID, TOKEN, http=http) as fake,
    ):
        yield fake


def sdk(rest: FakeTwilioRest, token: str = TOKEN) -> Client:
    client = Client(ACCOUNT_SID, token)
    client.api.base_url = rest.url
    return client


async def live_call(rest: FakeTwilioRest, bridge: Bridge) -> SimulatedCall:
    call = SimulatedCall(bridge.url, account_sid=ACCOUNT_SID)
    await call.start()
    rest.register(
        call.call_sid,
        call,
        from_="+972501234567",
        to="+97239876543",
        status_callback=STATUS_URL,
        status_callback_signed_url=PUBLIC_STATUS_URL,
    )
    return call


async def test_sdk_hang_up_stops_the_stream_then_posts_the_status_callback(
    rest: FakeTwilioRest, bridge: Bridge, statuses: list[dict[str, str]]
) -> None:
    call = await live_call(rest, bridge)
    await asyncio.sleep(0.05)
    client = sdk(rest)
    updated = await asyncio.to_thread(client.calls(call.call_sid).update, status="completed")
    assert updated.sid == call.call_sid
    assert updated.status == "completed"
    assert updated.account_sid == ACCOUNT_SID
    assert updated.date_created is not None
    assert await call.wait_closed(2.0)
    assert call.closed_by == "caller"
    await rest.wait_idle()
    assert bridge.events[-1] == "stop"
    (callback,) = statuses
    assert callback["CallSid"] == call.call_sid
    assert callback["CallStatus"] == "completed"
    assert callback["CallDuration"] == "1"
    assert rest.calls[call.call_sid].status == "completed"
    (request,) = rest.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call.call_sid}.json"
    assert request.form == {"Status": "completed"}
    assert request.is_authorized


async def test_a_wrong_token_gets_twilios_401(rest: FakeTwilioRest) -> None:
    client = sdk(rest, token="wrong")
    with pytest.raises(TwilioRestException) as refused:
        await asyncio.to_thread(client.calls("CA" + "0" * 32).update, status="completed")
    assert refused.value.status == 401
    assert refused.value.code == 20003
    assert rest.requests[-1].is_authorized is False


async def test_an_unknown_call_gets_twilios_404(rest: FakeTwilioRest) -> None:
    with pytest.raises(TwilioRestException) as missing:
        await asyncio.to_thread(sdk(rest).calls("CA" + "9" * 32).update, status="completed")
    assert missing.value.status == 404
    assert missing.value.code == 20404


async def test_outbound_create_then_cancel(
    rest: FakeTwilioRest, statuses: list[dict[str, str]]
) -> None:
    client = sdk(rest)
    created = await asyncio.to_thread(
        client.calls.create,
        to="+97239876543",
        from_="+97231112222",
        twiml="<Response><Say>Reminder</Say></Response>",
        status_callback=PUBLIC_STATUS_URL,
        status_callback_event=["initiated", "completed"],
    )
    assert created.sid is not None and created.sid.startswith("CA")
    assert created.status == "queued"
    assert created.direction == "outbound-api"
    resource = rest.calls[created.sid]
    assert resource.twiml == "<Response><Say>Reminder</Say></Response>"
    assert resource.status_callback_events == ["initiated", "completed"]
    # The callback goes to the public URL here, which the ASGI client cannot reach by name;
    # point it at the local app, signed over the public URL, like a proxy would.
    resource.status_callback, resource.status_callback_signed_url = STATUS_URL, PUBLIC_STATUS_URL
    canceled = await asyncio.to_thread(client.calls(created.sid).update, status="canceled")
    assert canceled.status == "canceled"
    await rest.wait_idle()
    assert statuses[-1]["CallStatus"] == "canceled"
    assert statuses[-1]["Direction"] == "outbound-api"


async def test_create_without_to_is_a_twilio_400(rest: FakeTwilioRest) -> None:
    async with httpx.AsyncClient(auth=(ACCOUNT_SID, TOKEN)) as http:
        response = await http.post(
            f"{rest.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
            data={"From": "+1", "Url": "https://example.com"},
        )
        assert response.status_code == 400
        assert response.json()["code"] == 21201
        other_account = await http.post(
            f"{rest.url}/2010-04-01/Accounts/{new_sid('AC')}/Calls.json",
            data={"To": "+1", "From": "+2", "Url": "https://example.com"},
        )
        assert other_account.status_code == 404


async def test_server_closing_the_stream_ends_the_call_with_a_callback(
    rest: FakeTwilioRest, bridge: Bridge, statuses: list[dict[str, str]]
) -> None:
    call = await live_call(rest, bridge)
    await asyncio.sleep(0.05)
    await bridge.connections[0].close()
    assert await call.wait_closed(2.0)
    await rest.wait_idle()
    assert "stop" not in bridge.events
    assert statuses[-1]["CallStatus"] == "completed"
    fetched = await asyncio.to_thread(sdk(rest).calls(call.call_sid).fetch)
    assert fetched.status == "completed"
    assert fetched.end_time is not None


async def test_new_twiml_ends_the_stream_but_not_the_call(
    rest: FakeTwilioRest, bridge: Bridge, statuses: list[dict[str, str]]
) -> None:
    call = await live_call(rest, bridge)
    await asyncio.sleep(0.05)
    twiml = "<Response><Dial>+97231112222</Dial></Response>"
    updated = await asyncio.to_thread(sdk(rest).calls(call.call_sid).update, twiml=twiml)
    assert updated.status == "in-progress"
    assert await call.wait_closed(2.0)
    await rest.wait_idle()
    assert bridge.events[-1] == "stop"
    assert statuses == []
    assert rest.calls[call.call_sid].status == "in-progress"
