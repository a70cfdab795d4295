"""Twilio Media Streams JSON <-> call events. A pure codec: no sockets, no REST, no database.

Inbound frames decode to the call machine's events, to the stream's own lifecycle markers
(`StreamConnected`, `StreamStarted`, `StreamStopped`), or to `MalformedFrame` with a reason: a bad
frame is counted and dropped, and the call goes on.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from agentlocator.call import events as ev


@dataclass(frozen=True, slots=True)
class StreamConnected:
    """Twilio's first message (`connected`)."""


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """`start`: ids and the `<Parameter>`s of our TwiML."""

    stream_sid: str
    call_sid: str
    account_sid: str
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StreamStopped:
    """`stop`: the call is over; Twilio closes the socket next."""


@dataclass(frozen=True, slots=True)
class MalformedFrame:
    """A frame we could not use, with a short reason for the counters and the debug log."""

    reason: str


InboundFrame = (
    StreamConnected
    | StreamStarted
    | StreamStopped
    | MalformedFrame
    | ev.CallerAudioReceived
    | ev.MarkPlayed
    | ev.DtmfPressed
)


def _decode_media(message: dict[str, object]) -> InboundFrame:
    media = message.get("media")
    if not isinstance(media, dict) or not isinstance(media.get("payload"), str):
        return MalformedFrame("media without payload")
    try:
        audio = base64.b64decode(media["payload"], validate=True)
    except (binascii.Error, ValueError):
        return MalformedFrame("media payload is not base64")
    return ev.CallerAudioReceived(audio)


def _decode_start(message: dict[str, object]) -> InboundFrame:
    start = message.get("start")
    if not isinstance(start, dict):
        return MalformedFrame("start without start object")
    stream_sid = start.get("streamSid") or message.get("streamSid")
    call_sid = start.get("callSid")
    if not isinstance(stream_sid, str) or not isinstance(call_sid, str):
        return MalformedFrame("start without streamSid or callSid")
    raw_parameters = start.get("customParameters") or {}
    if not isinstance(raw_parameters, dict):
        return MalformedFrame("start customParameters is not an object")
    parameters = {str(key): str(value) for key, value in raw_parameters.items()}
    return StreamStarted(stream_sid, call_sid, str(start.get("accountSid", "")), parameters)


def _decode_mark(message: dict[str, object]) -> InboundFrame:
    mark = message.get("mark")
    if not isinstance(mark, dict) or not isinstance(mark.get("name"), str):
        return MalformedFrame("mark without name")
    return ev.MarkPlayed(mark["name"])


def _decode_dtmf(message: dict[str, object]) -> InboundFrame:
    dtmf = message.get("dtmf")
    if not isinstance(dtmf, dict) or not isinstance(dtmf.get("digit"), str):
        return MalformedFrame("dtmf without digit")
    return ev.DtmfPressed(dtmf["digit"])


def decode_frame(text: str) -> InboundFrame:
    """Decode one text frame from Twilio."""
    try:
        message = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return MalformedFrame("not JSON")
    if not isinstance(message, dict):
        return MalformedFrame("not a JSON object")
    match message.get("event"):
        case "media":
            return _decode_media(message)
        case "mark":
            return _decode_mark(message)
        case "start":
            return _decode_start(message)
        case "dtmf":
            return _decode_dtmf(message)
        case "connected":
            return StreamConnected()
        case "stop":
            return StreamStopped()
        case other:
            return MalformedFrame(f"unknown event {str(other)[:40]!r}")


def media_message(stream_sid: str, audio: bytes) -> str:
    """Agent audio for the caller: raw mu-law/8000 as base64, no header."""
    payload = base64.b64encode(audio).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})
