"""Client-frame validation of the fake Realtime API: SDK types, strict, unknown keys refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentlocator.simulator.realtime_validation import (
    ClientEventRejected,
    find_unknown_keys,
    validate_client_frame,
)


def rejection(event: dict[str, Any] | str) -> ClientEventRejected:
    frame = event if isinstance(event, str) else json.dumps(event)
    with pytest.raises(ClientEventRejected) as caught:
        validate_client_frame(frame)
    return caught.value


def test_a_valid_ga_session_update_passes() -> None:
    event = {
        "type": "session.update",
        "event_id": "evt_1",
        "session": {
            "type": "realtime",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                },
                "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"},
            },
            "tools": [{"type": "function", "name": "end_call", "parameters": {"type": "object"}}],
        },
    }
    validated = validate_client_frame(json.dumps(event))
    assert validated.raw == event
    assert validated.event_id == "evt_1"
    assert type(validated.model).__name__ == "SessionUpdateEvent"


def test_unknown_event_type_is_invalid_value_on_type_and_echoes_event_id() -> None:
    error = rejection({"type": "response.audio.delta", "event_id": "evt_9"})
    assert error.error.code == "invalid_value"
    assert error.error.param == "type"
    assert error.error.message.startswith("Invalid value: 'response.audio.delta'. Supported values")
    assert "'input_audio_buffer.append'" in error.error.message
    assert error.error.to_wire(error.event_id)["event_id"] == "evt_9"


def test_temperature_is_an_unknown_parameter() -> None:
    error = rejection(
        {"type": "session.update", "session": {"type": "realtime", "temperature": 0.8}}
    ).error
    assert (error.code, error.param) == ("unknown_parameter", "session.temperature")
    assert error.message == "Unknown parameter: 'session.temperature'."


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"type": "realtime", "modalities": ["audio"]}, "session.modalities"),
        ({"type": "realtime", "input_audio_format": "g711_ulaw"}, "session.input_audio_format"),
        (
            {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "x": 1}}},
            },
            "session.audio.input.turn_detection.x",
        ),
        (
            {"type": "realtime", "tools": [{"type": "function", "function": {"name": "end_call"}}]},
            "session.tools[0].function",
        ),
    ],
)
def test_beta_and_unknown_keys_anywhere_are_refused(session: dict[str, Any], param: str) -> None:
    error = rejection({"type": "session.update", "session": session}).error
    assert (error.code, error.param) == ("unknown_parameter", param)


def test_missing_session_type_is_missing_required_parameter() -> None:
    error = rejection({"type": "session.update", "session": {"instructions": "hi"}}).error
    assert error.code == "missing_required_parameter"
    assert error.message == "Missing required parameter: 'session.type'."


@pytest.mark.parametrize(
    ("event", "code", "param"),
    [
        ({"type": "input_audio_buffer.append"}, "missing_required_parameter", "audio"),
        (
            {"type": "conversation.item.truncate", "item_id": "item_1", "content_index": 0},
            "missing_required_parameter",
            "audio_end_ms",
        ),
        (
            {
                "type": "conversation.item.truncate",
                "item_id": "item_1",
                "content_index": 0,
                "audio_end_ms": "1500",
            },
            "invalid_type",
            "audio_end_ms",
        ),
        (
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {"input": {"format": {"type": "g711_ulaw"}}},
                },
            },
            "invalid_value",
            "session.audio.input.format.type",
        ),
        (
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "call_1", "output": {"ok": 1}},
            },
            "invalid_type",
            "item.output",
        ),
        ({"event_id": "evt_1"}, "missing_required_parameter", "type"),
    ],
)
def test_missing_and_invalid_fields_name_the_parameter(
    event: dict[str, Any], code: str, param: str
) -> None:
    error = rejection(event).error
    assert (error.type, error.code, error.param) == ("invalid_request_error", code, param)


def test_strict_mode_and_wrong_union_members_give_one_precise_message() -> None:
    error = rejection(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_txt", "text": "hi"}],
            },
        }
    ).error
    assert error.param == "item.content[0].type"
    assert error.message == (
        "Invalid value: 'input_txt'. Supported values are: 'input_text', 'input_audio', "
        "'input_image'."
    )
    typed = rejection(
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 0,
            "audio_end_ms": "9",
        }
    ).error
    assert typed.message == (
        "Invalid type for 'audio_end_ms': expected an integer, but got a string instead."
    )


@pytest.mark.parametrize("frame", ["not json", "[1, 2]", "42"])
def test_frames_that_are_not_json_objects_are_refused(frame: str) -> None:
    assert rejection(frame).error.code == "invalid_json"


def test_find_unknown_keys_walks_models_lists_and_dicts() -> None:
    validated = validate_client_frame(
        json.dumps({"type": "response.create", "response": {"instructions": "x"}})
    )
    assert find_unknown_keys(validated.model) == []
