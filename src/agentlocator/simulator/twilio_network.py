"""The webhook side of a simulated call: Twilio's signed form POSTs to our server, and its TwiML.

`place_inbound_call` rings the server the way Twilio does (the full §5.1 parameter set, signed
over the server's *public* URL) and parses the TwiML it answers with; `post_status` sends the
status callback; `simulated_call_for` turns the answer into a `SimulatedCall` ready to dial.
The fake REST API that the server calls back into lives in `twilio_rest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from agentlocator.simulator.twilio_call_resource import CallResource, RestRequest
from agentlocator.simulator.twilio_caller import DEFAULT_ACCOUNT_SID, SimulatedCall, new_sid
from agentlocator.simulator.twilio_rest import FakeTwilioRest
from agentlocator.simulator.twilio_signing import tampered_signatures
from agentlocator.simulator.twilio_twiml import Twiml, TwimlStream, parse_twiml
from agentlocator.simulator.twilio_webhooks import (
    call_duration_secs,
    inbound_call_params,
    join_url,
    post_signed_form,
    status_callback_params,
    stream_event_params,
)

__all__ = [
    "CallResource",
    "FakeTwilioRest",
    "PlacedCall",
    "RestRequest",
    "Twiml",
    "TwimlStream",
    "parse_twiml",
    "place_inbound_call",
    "post_status",
    "post_stream_event",
    "rebase_stream_url",
    "report_call_ended",
    "simulated_call_for",
]

VOICE_PATH = "/twilio/voice"
STATUS_PATH = "/twilio/status"


@dataclass(frozen=True)
class PlacedCall:
    """One inbound call as far as the voice webhook: what was sent and what came back."""

    call_sid: str
    account_sid: str
    from_: str
    to: str
    params: dict[str, str]
    http_status: int
    text: str
    twiml: Twiml

    @property
    def stream_url(self) -> str | None:
        """The `<Stream url>`, or `None` when the TwiML does not connect a stream."""
        return self.twiml.stream.url if self.twiml.stream else None

    @property
    def custom_parameters(self) -> dict[str, str]:
        """The `<Parameter>`s of the stream, as they arrive in `start.customParameters`."""
        return dict(self.twiml.stream.custom_parameters) if self.twiml.stream else {}


async def place_inbound_call(
    http: httpx.AsyncClient,
    base_url: str,
    *,
    from_: str,
    to: str,
    auth_token: str | None = None,
    call_sid: str | None = None,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    public_url: str | None = None,
    extra_params: Mapping[str, str] | None = None,
    tamper: str | None = None,
    path: str = VOICE_PATH,
) -> PlacedCall:
    """Ring the server: POST the signed voice webhook and read the TwiML answer.

    The request goes to `base_url` but is signed over `public_url` (default `base_url`), the
    address the server believes Twilio used. `extra_params` adds or overrides fields
    (`ForwardedFrom`, `CallerName`, `StirVerstat`…). `tamper` names one of the forged variants
    of `twilio_signing.tampered_signatures` to send instead of the honest signature.
    """
    sid = call_sid or new_sid("CA")
    params = inbound_call_params(call_sid=sid, account_sid=account_sid, from_=from_, to=to)
    params.update(extra_params or {})
    url = join_url(base_url, path)
    signed_url = join_url(public_url or base_url, path)
    signature: str | None = None
    if tamper is not None:
        if auth_token is None:
            raise ValueError("tampering needs the auth token the honest signature would use")
        variants = {v.name: v for v in tampered_signatures(auth_token, signed_url, params)}
        if tamper not in variants:
            raise ValueError(f"unknown tamper {tamper!r}; one of {sorted(variants)}")
        signature = variants[tamper].signature
        params = variants[tamper].params or params
    response = await post_signed_form(
        http, url, params, auth_token=auth_token, signed_url=signed_url, signature=signature
    )
    text = response.text
    twiml = (
        parse_twiml(text) if response.is_success else Twiml(error=f"HTTP {response.status_code}")
    )
    return PlacedCall(sid, account_sid, from_, to, params, response.status_code, text, twiml)


async def post_status(
    http: httpx.AsyncClient,
    base_url: str,
    *,
    call_sid: str,
    status: str,
    duration_secs: int | None = None,
    auth_token: str | None = None,
    public_url: str | None = None,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    sequence_number: int = 0,
    from_: str | None = None,
    to: str | None = None,
    path: str = STATUS_PATH,
) -> httpx.Response:
    """POST the signed status callback to `{base_url}/twilio/status` (signed over `public_url`)."""
    params = status_callback_params(
        call_sid=call_sid,
        account_sid=account_sid,
        status=status,
        duration_secs=duration_secs,
        sequence_number=sequence_number,
        from_=from_,
        to=to,
    )
    return await post_signed_form(
        http,
        join_url(base_url, path),
        params,
        auth_token=auth_token,
        signed_url=join_url(public_url or base_url, path),
    )


async def report_call_ended(
    http: httpx.AsyncClient,
    base_url: str,
    placed: PlacedCall,
    call: SimulatedCall,
    *,
    auth_token: str | None = None,
    public_url: str | None = None,
) -> httpx.Response:
    """After the stream closed, send the terminal `completed` callback with its `CallDuration`."""
    duration_ms = call.closed_at_ms if call.closed_at_ms is not None else call.now_ms()
    return await post_status(
        http,
        base_url,
        call_sid=placed.call_sid,
        status="completed",
        duration_secs=call_duration_secs(duration_ms),
        auth_token=auth_token,
        public_url=public_url,
        account_sid=placed.account_sid,
        from_=placed.from_,
        to=placed.to,
    )


async def post_stream_event(
    http: httpx.AsyncClient,
    placed: PlacedCall,
    call: SimulatedCall,
    *,
    event: str = "stream-stopped",
    auth_token: str | None = None,
    base_url: str | None = None,
    error: str | None = None,
) -> httpx.Response | None:
    """POST the stream status callback the TwiML asked for (`None` when it asked for none).

    The callback is signed over the `statusCallback` URL of the `<Stream>`; pass `base_url` to
    deliver it to the same path on a local server.
    """
    stream = placed.twiml.stream
    if stream is None or stream.status_callback is None:
        return None
    params = stream_event_params(
        call_sid=placed.call_sid,
        account_sid=placed.account_sid,
        stream_sid=call.stream_sid,
        event=event,
        stream_name=stream.name,
        error=error,
    )
    signed_url = stream.status_callback
    url = signed_url if base_url is None else _rebase(signed_url, base_url, {})
    return await post_signed_form(http, url, params, auth_token=auth_token, signed_url=signed_url)


def simulated_call_for(
    placed: PlacedCall,
    *,
    auth_token: str | None = None,
    base_url: str | None = None,
    **options: Any,
) -> SimulatedCall:
    """A `SimulatedCall` for the stream the TwiML asked for (not started yet).

    The upgrade is signed over the TwiML's `<Stream url>`; pass `base_url` to dial the same path
    on a local server instead of the public host. `options` go to `SimulatedCall`.
    """
    if placed.twiml.stream is None:
        raise ValueError(
            f"the TwiML connects no stream: {placed.twiml.error or placed.twiml.verbs}"
        )
    stream_url = placed.twiml.stream.url
    return SimulatedCall(
        stream_url,
        call_sid=placed.call_sid,
        account_sid=placed.account_sid,
        custom_parameters=placed.twiml.stream.custom_parameters,
        auth_token=auth_token,
        connect_url=rebase_stream_url(stream_url, base_url) if base_url else None,
        **options,
    )


def rebase_stream_url(stream_url: str, base_url: str) -> str:
    """`stream_url`'s path on the host of `base_url` (`http`→`ws`, `https`→`wss`)."""
    return _rebase(stream_url, base_url, {"http": "ws", "https": "wss"})


def _rebase(url: str, base_url: str, schemes: Mapping[str, str]) -> str:
    base = urlsplit(base_url)
    target = urlsplit(url)
    scheme = schemes.get(base.scheme, base.scheme)
    return urlunsplit((scheme, base.netloc, target.path, target.query, ""))
