"""The Twilio Media Streams codec: inbound frames to events, outbound messages in Twilio's shape."""

import base64
import json

import pytest

from agentlocator.call import events as ev
from agentlocator.telephony import media_stream as twilio


def test_start_carries_ids_and_our_parameters() -> None:
    frame = twilio.decode_frame(
        json.dumps(
            {
                "event": "start",
                "sequenceNumber": "1",
                "streamSid": "MZ1",
                "start": {
                    "streamSid": "MZ1",
                    "accountSid": "AC1",
                    "callSid": "CA1",
                    "tracks": ["inbound"],
                    "customParameters": {"business_id": "b", "direction": "inbound"},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                },
            }
        )
    )
    assert frame == twilio.StreamStarted(
        "MZ1", "CA1", "AC1", {"business_id": "b", "direction": "inbound"}
    )


def test_media_mark_dtmf_stop_decode_to_events() -> None:
    payload = base64.b64encode(b"\xff" * 160).decode()
    media = {
        "event": "media",
        "streamSid": "MZ1",
        "media": {"track": "inbound", "chunk": "2", "timestamp": "40", "payload": payload},
    }
    assert twilio.decode_frame(json.dumps(media)) == ev.CallerAudioReceived(b"\xff" * 160)
    mark = {
        "event": "mark",
        "streamSid": "MZ1",
        "sequenceNumber": "4",
        "mark": {"name": "item_1:800:1"},
    }
    assert twilio.decode_frame(json.dumps(mark)) == ev.MarkPlayed("item_1:800:1")
    dtmf = {"event": "dtmf", "streamSid": "MZ1", "dtmf": {"track": "inbound_track", "digit": "5"}}
    assert twilio.decode_frame(json.dumps(dtmf)) == ev.DtmfPressed("5")
    stop = {
        "event": "stop",
        "sequenceNumber": "9",
        "streamSid": "MZ1",
        "stop": {"accountSid": "AC1", "callSid": "CA1"},
    }
    assert twilio.decode_frame(json.dumps(stop)) == twilio.StreamStopped()
    assert (
        twilio.decode_frame(
            json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        )
        == twilio.StreamConnected()
    )


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        json.dumps({"event": "media", "media": {"payload": "%%% not base64"}}),
        json.dumps({"event": "media", "media": {}}),
        json.dumps({"event": "mark", "mark": {}}),
        json.dumps({"event": "start", "start": {"streamSid": "MZ1"}}),
        json.dumps({"event": "dtmf"}),
        json.dumps({"event": "wat"}),
        json.dumps({"no": "event"}),
    ],
)
def test_malformed_frames_are_reported_not_raised(text: str) -> None:
    assert isinstance(twilio.decode_frame(text), twilio.MalformedFrame)


def test_outbound_messages_have_exactly_twilios_shape() -> None:
    assert json.loads(twilio.media_message("MZ1", b"\x01\x02")) == {
        "event": "media",
        "streamSid": "MZ1",
        "media": {"payload": base64.b64encode(b"\x01\x02").decode()},
    }
    assert json.loads(twilio.mark_message("MZ1", "m")) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "m"},
    }
    assert json.loads(twilio.clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}
