"""Our client events validate against the openai SDK's GA types; server events decode exactly."""

import base64
import typing
from typing import Annotated, Any

import pytest
from openai.types.realtime import RealtimeClientEvent
from pydantic import BaseModel, Field, TypeAdapter

from agentlocator.call import events as ev
from agentlocator.realtime import protocol as rt

CLIENT = TypeAdapter(
    Annotated[typing.get_args(RealtimeClientEvent)[0], Field(discriminator="type")]
)


def extras(model: Any, path: str = "$") -> list[str]:
    if isinstance(model, BaseModel):
        found = [f"{path}.{key}" for key in (model.model_extra or {})]
        for name in type(model).model_fields:
            found += extras(getattr(model, name), f"{path}.{name}")
        return found
    if isinstance(model, list | tuple):
        return [x for i, v in enumerate(model) for x in extras(v, f"{path}[{i}]")]
    if isinstance(model, dict):
        return [x for k, v in model.items() for x in extras(v, f"{path}.{k}")]
    return []


@pytest.mark.parametrize(
    "event",
    [
        rt.session_update(
            rt.SessionSettings(
                instructions="hi",
                tools=[
                    {
                        "type": "function",
                        "name": "end_call",
                        "description": "d",
                        "parameters": {"type": "object", "properties": {}},
                    }
                ],
            )
        ),
        rt.append_audio(b"\xff" * 160),
        rt.create_response(None),
        rt.create_response("Say exactly: שלום"),
        rt.cancel_response("resp_1"),
        rt.truncate_item("item_1", 1200),
        rt.function_call_output("call_1", '{"status": "ok"}'),
    ],
)
def test_every_client_event_is_valid_ga_with_no_unknown_keys(event: dict[str, Any]) -> None:
    import json

    parsed = CLIENT.validate_json(json.dumps(event), strict=True)
    assert extras(parsed) == []


def test_session_update_is_pcmu_both_ways_and_we_own_cancellation() -> None:
    session = rt.session_update(rt.SessionSettings(instructions="x"))["session"]
    assert session["type"] == "realtime"
    assert "temperature" not in session
    assert session["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert session["audio"]["output"]["format"] == {"type": "audio/pcmu"}
    vad = session["audio"]["input"]["turn_detection"]
    assert (
        vad["type"] == "server_vad"
        and vad["interrupt_response"] is False
        and vad["create_response"] is True
    )


def test_server_events_decode_to_call_events() -> None:
    delta = base64.b64encode(b"\x01\x02\x03").decode()
    assert rt.decode_server_event(
        {
            "type": "response.output_audio.delta",
            "response_id": "r",
            "item_id": "i",
            "output_index": 0,
            "content_index": 0,
            "delta": delta,
        }
    ) == ev.ReplyAudioReceived("r", "i", b"\x01\x02\x03")
    assert rt.decode_server_event(
        {
            "type": "response.done",
            "response": {
                "id": "r",
                "status": "cancelled",
                "status_details": {"type": "cancelled", "reason": "client_cancelled"},
            },
        }
    ) == ev.ReplyDone("r", "cancelled", "client_cancelled")
    assert rt.decode_server_event(
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "code": "response_cancel_not_active",
                "message": "m",
            },
        }
    ) == ev.RealtimeFailed("response_cancel_not_active", "m", None)
    assert (
        rt.decode_server_event({"type": "response.audio.delta", "delta": delta}) is None
    )  # beta name
    assert rt.decode_server_event({"type": "rate_limits.updated"}) is None
