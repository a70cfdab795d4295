"""Voice webhook and status callback as Twilio posts them, to a small signature-checking app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from agentlocator.simulator.twilio_network import (
    PlacedCall,
    parse_twiml,
    place_inbound_call,
    post_status,
    post_stream_event,
    rebase_stream_url,
    report_call_ended,
    simulated_call_for,
)
from agentlocator.simulator.twilio_signing import tampered_signatures
from agentlocator.simulator.twilio_webhooks import inbound_call_params

TOKEN = "auth-token-under-test"
ACCOUNT_SID = "AC" + "1" * 32
PUBLIC_URL = "https://agent.example.com"
LOCAL_URL = "http://testserver"
TWIML = """<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect><Stream url="wss://agent.example.com/twilio/media" name="caller"
 statusCallback="https://agent.example.com/twilio/stream-status">
<Parameter name="tenant" value="acme"/><Parameter name="greeting" value="שלום"/>
</Stream></Connect><Say>Goodbye</Say></Response>"""


@dataclass
class FakeServer:
    """Our server's two webhooks, reduced to signature checks and a canned TwiML answer."""

    forms: list[dict[str, str]] = field(default_factory=list)
    statuses: list[dict[str, str]] = field(default_factory=list)
    stream_events: list[dict[str, str]] = field(default_factory=list)

    async def _checked_form(self, request: Request, path: str) -> dict[str, str] | None:
        form = {key: str(value) for key, value in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        ok = RequestValidator(TOKEN).validate(PUBLIC_URL + path, form, signature)
        return form if ok else None

    async def voice(self, request: Request) -> Response:
        form = await self._checked_form(request, "/twilio/voice")
        if form is None:
            return Response("forbidden", status_code=403)
        self.forms.append(form)
        return Response(TWIML, media_type="text/xml")

    async def status(self, request: Request) -> Response:
        form = await self._checked_form(request, "/twilio/status")
        if form is None:
            return Response("forbidden", status_code=403)
        self.statuses.append(form)
        return Response(status_code=204)

    async def stream_status(self, request: Request) -> Response:
        form = await self._checked_form(request, "/twilio/stream-status")
        if form is None:
            return Response("forbidden", status_code=403)
        self.stream_events.append(form)
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/twilio/voice", self.voice, methods=["POST"]),
                Route("/twilio/status", self.status, methods=["POST"]),
                Route("/twilio/stream-status", self.stream_status, methods=["POST"]),
            ]
        )


@pytest.fixture
async def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
async def http(server: FakeServer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server.app())
    async with httpx.AsyncClient(transport=transport, base_url=LOCAL_URL) as client:
        yield client


async def ring(http: httpx.AsyncClient, **options: Any) -> PlacedCall:
    return await place_inbound_call(
        http,
        LOCAL_URL,
        from_="+972501234567",
        to="+97239876543",
        auth_token=TOKEN,
        account_sid=ACCOUNT_SID,
        public_url=PUBLIC_URL,
        **options,
    )


async def test_inbound_call_posts_the_full_signed_parameter_set(
    http: httpx.AsyncClient, server: FakeServer
) -> None:
    placed = await ring(http, extra_params={"ForwardedFrom": "+97231112222"})
    assert placed.http_status == 200
    (form,) = server.forms
    assert form == placed.params
    assert form["CallSid"] == placed.call_sid and placed.call_sid.startswith("CA")
    assert form["AccountSid"] == ACCOUNT_SID
    assert form["CallStatus"] == "ringing"
    assert form["ApiVersion"] == "2010-04-01"
    assert form["Direction"] == "inbound"
    assert (form["From"], form["Caller"]) == ("+972501234567", "+972501234567")
    assert (form["To"], form["Called"]) == ("+97239876543", "+97239876543")
    assert form["CallToken"]
    assert form["FromCountry"] == "IL" and form["FromCity"] == ""
    assert form["ForwardedFrom"] == "+97231112222"


async def test_twiml_answer_is_parsed(http: httpx.AsyncClient) -> None:
    placed = await ring(http)
    assert placed.stream_url == "wss://agent.example.com/twilio/media"
    assert placed.custom_parameters == {"tenant": "acme", "greeting": "שלום"}
    assert placed.twiml.verbs == ["Connect", "Say"]
    assert placed.twiml.after_stream == ["Say"]
    assert placed.twiml.says == ["Goodbye"]
    assert not placed.twiml.has_hangup
    assert placed.twiml.stream is not None
    assert placed.twiml.stream.status_callback == "https://agent.example.com/twilio/stream-status"
    assert placed.text.startswith("<?xml")


def forgery_names() -> list[str]:
    params = inbound_call_params(call_sid="CA1", account_sid="AC1", from_="+1", to="+2")
    return sorted(v.name for v in tampered_signatures(TOKEN, PUBLIC_URL + "/twilio/voice", params))


@pytest.mark.parametrize("tamper", forgery_names())
async def test_forged_webhooks_are_refused(http: httpx.AsyncClient, tamper: str) -> None:
    placed = await ring(http, tamper=tamper)
    assert placed.http_status == 403
    assert placed.twiml.error == "HTTP 403"
    assert placed.stream_url is None


async def test_signing_the_local_url_instead_of_the_public_one_is_refused(
    http: httpx.AsyncClient,
) -> None:
    placed = await place_inbound_call(http, LOCAL_URL, from_="+1", to="+2", auth_token=TOKEN)
    assert placed.http_status == 403


async def test_unknown_tamper_is_a_usage_error(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="unknown tamper"):
        await ring(http, tamper="nonsense")


async def test_status_callback_is_signed_and_complete(
    http: httpx.AsyncClient, server: FakeServer
) -> None:
    response = await post_status(
        http,
        LOCAL_URL,
        call_sid="CA" + "2" * 32,
        status="completed",
        duration_secs=42,
        auth_token=TOKEN,
        public_url=PUBLIC_URL,
        account_sid=ACCOUNT_SID,
        sequence_number=3,
    )
    assert response.status_code == 204
    (status,) = server.statuses
    assert status["CallStatus"] == "completed"
    assert status["CallDuration"] == "42"
    assert status["CallSid"] == "CA" + "2" * 32
    assert status["AccountSid"] == ACCOUNT_SID
    assert status["CallbackSource"] == "call-progress-events"
    assert status["SequenceNumber"] == "3"
    assert status["Timestamp"].endswith("+0000")


def test_parse_twiml_reports_what_twilio_would_do() -> None:
    hangup = parse_twiml("<Response><Say>Closed</Say><Hangup/></Response>")
    assert hangup.stream is None and hangup.has_hangup and hangup.says == ["Closed"]
    assert parse_twiml("<Response><Connect><Stream/></Connect></Response>").stream is None
    assert parse_twiml("not xml").error is not None
    assert parse_twiml("<Html/>").error == "root element is <Html>, not <Response>"


def test_stream_url_is_rebased_onto_a_local_server() -> None:
    assert (
        rebase_stream_url("wss://agent.example.com/twilio/media", "http://127.0.0.1:8000")
        == "ws://127.0.0.1:8000/twilio/media"
    )
    assert rebase_stream_url("wss://a.example/m", "https://b.example") == "wss://b.example/m"


async def test_no_stream_in_the_twiml_means_no_simulated_call(http: httpx.AsyncClient) -> None:
    placed = await ring(http, tamper="wrong_token")
    with pytest.raises(ValueError, match="connects no stream"):
        simulated_call_for(placed)


async def test_a_whole_call_webhook_stream_and_status(
    http: httpx.AsyncClient, server: FakeServer
) -> None:
    starts: list[dict[str, object]] = []
    upgrade_signatures: list[bool] = []

    async def media_endpoint(connection: ServerConnection) -> None:
        assert connection.request is not None
        signature = connection.request.headers.get("X-Twilio-Signature", "")
        upgrade_signatures.append(
            RequestValidator(TOKEN).validate("wss://agent.example.com/twilio/media", {}, signature)
        )
        try:
            async for raw in connection:
                message = json.loads(raw)
                if message["event"] == "start":
                    starts.append(message["start"])
        except ConnectionClosed:
            pass

    async with serve(media_endpoint, "127.0.0.1", 0) as bridge:
        port = next(iter(bridge.sockets)).getsockname()[1]
        placed = await ring(http)
        call = simulated_call_for(placed, auth_token=TOKEN, base_url=f"http://127.0.0.1:{port}")
        async with call:
            await asyncio.sleep(0.1)
        response = await report_call_ended(
            http, LOCAL_URL, placed, call, auth_token=TOKEN, public_url=PUBLIC_URL
        )
    assert upgrade_signatures == [True]
    assert starts[0]["callSid"] == placed.call_sid
    assert starts[0]["accountSid"] == ACCOUNT_SID
    assert starts[0]["customParameters"] == {"tenant": "acme", "greeting": "שלום"}
    assert response.status_code == 204
    assert server.statuses[-1]["CallStatus"] == "completed"
    assert server.statuses[-1]["CallDuration"] == "1"
    assert server.statuses[-1]["From"] == "+972501234567"


async def test_stream_status_callback_goes_where_the_twiml_asked(
    http: httpx.AsyncClient, server: FakeServer
) -> None:
    placed = await ring(http)
    call = simulated_call_for(placed)
    response = await post_stream_event(
        http, placed, call, event="stream-stopped", auth_token=TOKEN, base_url=LOCAL_URL
    )
    assert response is not None and response.status_code == 204
    (event,) = server.stream_events
    assert event["StreamEvent"] == "stream-stopped"
    assert event["StreamSid"] == call.stream_sid
    assert event["StreamName"] == "caller"
    assert event["CallSid"] == placed.call_sid
