"""The form parameters of Twilio's voice webhooks, and how Twilio posts them (signed forms)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import phonenumbers

from agentlocator.simulator.twilio_signing import SIGNATURE_HEADER, sign_form_post

API_VERSION = "2010-04-01"
_USER_AGENT = "TwilioProxy/1.1"
_TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


def inbound_call_params(
    *, call_sid: str, account_sid: str, from_: str, to: str, call_status: str = "ringing"
) -> dict[str, str]:
    """The parameters Twilio posts to the voice webhook of a number (protocols.md §5.1)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": call_status,
        "CallToken": secrets.token_urlsafe(48),
        "Direction": "inbound",
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
    }
    # Twilio adds a geography block per party; outside North America the fields are blank.
    for prefix, number in (("From", from_), ("Caller", from_), ("To", to), ("Called", to)):
        params.update({f"{prefix}City": "", f"{prefix}State": "", f"{prefix}Zip": ""})
        params[f"{prefix}Country"] = _country_of(number)
    return params


def _country_of(number: str) -> str:
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return ""
    return region or ""


def status_callback_params(
    *,
    call_sid: str,
    account_sid: str,
    status: str,
    duration_secs: int | None = None,
    sequence_number: int = 0,
    from_: str | None = None,
    to: str | None = None,
    direction: str = "inbound",
    timestamp: datetime | None = None,
) -> dict[str, str]:
    """The parameters of a call-progress status callback (protocols.md §5.2)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": status,
        "CallbackSource": "call-progress-events",
        "Direction": direction,
        "SequenceNumber": str(sequence_number),
        "Timestamp": format_datetime(timestamp or datetime.now(UTC)),
    }
    if status == "completed" and duration_secs is not None:
        params["CallDuration"] = str(duration_secs)
        params["Duration"] = str(-(-duration_secs // 60))  # billed minutes, rounded up
    if from_ is not None:
        params.update({"From": from_, "Caller": from_})
    if to is not None:
        params.update({"To": to, "Called": to})
    return params


def stream_event_params(
    *,
    call_sid: str,
    account_sid: str,
    stream_sid: str,
    event: str,
    stream_name: str | None = None,
    error: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, str]:
    """The parameters of a `<Stream statusCallback>`: `stream-started|stopped|error` (§4.4)."""
    params = {
        "AccountSid": account_sid,
        "CallSid": call_sid,
        "StreamSid": stream_sid,
        "StreamName": stream_name or stream_sid,
        "StreamEvent": event,
        "Timestamp": format_datetime(timestamp or datetime.now(UTC)),
    }
    if error is not None:
        params["StreamError"] = error
    return params


async def post_signed_form(
    http: httpx.AsyncClient,
    url: str,
    params: Mapping[str, str],
    *,
    auth_token: str | None = None,
    signed_url: str | None = None,
    signature: str | None = None,
) -> httpx.Response:
    """POST a form the way Twilio does, signed over `signed_url` (default: `url`).

    `signature` overrides the computed one; no header is sent without a token or an override.
    """
    headers = {"User-Agent": _USER_AGENT, "I-Twilio-Idempotency-Token": secrets.token_hex(16)}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    elif auth_token is not None:
        headers[SIGNATURE_HEADER] = sign_form_post(auth_token, signed_url or url, params)
    return await http.post(url, data=dict(params), headers=headers)


def call_duration_secs(duration_ms: float) -> int:
    """Twilio's `CallDuration`: whole seconds, rounded up (a 0.2 s call lasted 1 s)."""
    return max(1, -int(-duration_ms // 1000))


def is_terminal(status: str) -> bool:
    """True for the statuses after which a call never changes again."""
    return status in _TERMINAL_STATUSES


def join_url(base_url: str, path: str) -> str:
    """`base_url` and `path` with exactly one slash between them."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
