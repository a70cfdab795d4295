"""The TwiML we answer Twilio's voice webhook with."""

from __future__ import annotations

from twilio.twiml.voice_response import Connect, VoiceResponse

UNKNOWN_NUMBER_APOLOGY = "מצטערים, המספר שחייגתם אינו פעיל כרגע. להתראות."


def connect_stream(stream_url: str, parameters: dict[str, str]) -> str:
    """`<Connect><Stream>` to our media endpoint; context travels as `<Parameter>`s (no query)."""
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=stream_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    response.append(connect)
    return str(response)


def apologise_and_hang_up() -> str:
    """For a dialled number no business owns: a short apology, then hang up."""
    response = VoiceResponse()
    response.say(UNKNOWN_NUMBER_APOLOGY, language="he-IL")
    response.hangup()
    return str(response)
