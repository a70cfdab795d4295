"""The Realtime API's `error` objects that the fake engine sends, with the real wording.

Messages are copied from the real API (protocols.md §1.2 and §2.3) because bridges match on them;
where the code was only observed, not documented, the constant says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INVALID_REQUEST = "invalid_request_error"
SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class RealtimeApiError:
    """One `error` object: `type`, `code`, `message`, `param` (`event_id` is added on send)."""

    code: str | None
    message: str
    param: str | None = None
    type: str = INVALID_REQUEST

    def to_wire(self, event_id: str | None) -> dict[str, Any]:
        """The `error` field of an `error` server event, echoing the offending client `event_id`."""
        return {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
            "event_id": event_id,
        }


def active_response(response_id: str) -> RealtimeApiError:
    """`response.create` while another response is still generating."""
    return RealtimeApiError(
        "conversation_already_has_active_response",
        f"Conversation already has an active response in progress: {response_id}. "
        "Wait until the response is finished before creating a new one.",
    )


def cancel_not_active() -> RealtimeApiError:
    """`response.cancel` with nothing to cancel."""
    return RealtimeApiError(
        "response_cancel_not_active", "Cancellation failed: no active response found"
    )


def item_not_found(
    item_id: str, param: str = "item_id", code: str = "item_truncate_invalid_item_id"
) -> RealtimeApiError:
    """An `item_id` the conversation does not hold (wording observed; the code is a guess)."""
    return RealtimeApiError(code, f"Item with item_id not found: {item_id}", param)


def truncate_unsupported() -> RealtimeApiError:
    """Truncating anything but an assistant message that has audio."""
    return RealtimeApiError(
        "unsupported_content_type", "Only model output audio messages can be truncated"
    )


def truncate_too_long(available_ms: int, requested_ms: int) -> RealtimeApiError:
    """Truncating at a point beyond the audio the item has."""
    return RealtimeApiError(
        "invalid_value",
        f"Audio content of {available_ms}ms is already shorter than {requested_ms}ms",
        "audio_end_ms",
    )


def commit_empty(buffered_ms: float) -> RealtimeApiError:
    """`input_audio_buffer.commit` with less than 100 ms buffered."""
    return RealtimeApiError(
        "input_audio_buffer_commit_empty",
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, "
        f"but buffer only has {buffered_ms:.2f}ms of audio.",
    )


def cannot_update_voice() -> RealtimeApiError:
    """Changing the voice after the model has produced audio (observed wording)."""
    return RealtimeApiError(
        "cannot_update_voice",
        "Cannot update a conversation's voice if assistant audio is present.",
        "session.audio.output.voice",
    )


def unknown_parameter(param: str) -> RealtimeApiError:
    """A key the GA schema does not have, e.g. the beta `session.temperature`."""
    return RealtimeApiError("unknown_parameter", f"Unknown parameter: '{param}'.", param)


def missing_parameter(param: str) -> RealtimeApiError:
    """A required key left out, e.g. `session.type`."""
    return RealtimeApiError(
        "missing_required_parameter", f"Missing required parameter: '{param}'.", param
    )


def invalid_value(param: str, value: object, supported: list[str]) -> RealtimeApiError:
    """A value outside an enumeration (event `type`, audio format, modality...)."""
    shown = ", ".join(supported)
    return RealtimeApiError(
        "invalid_value", f"Invalid value: '{value}'. Supported values are: {shown}.", param
    )


def invalid_type(param: str, expected: str, got: str) -> RealtimeApiError:
    """A value of the wrong JSON type (strict: `"1500"` is not an integer)."""
    return RealtimeApiError(
        "invalid_type",
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        param,
    )


def out_of_range(param: str, value: float, bound: float, *, above: bool) -> RealtimeApiError:
    """A number outside its documented range."""
    kind = "integer" if isinstance(value, int) and isinstance(bound, int) else "decimal"
    side, cmp = ("above_max", "<=") if above else ("below_min", ">=")
    return RealtimeApiError(
        f"{kind}_{side}_value",
        f"Invalid '{param}': {kind} {side.replace('_', ' ')}imum value. "
        f"Expected a value {cmp} {bound}, but got {value} instead.",
        param,
    )


def invalid_modalities(modalities: list[str], param: str) -> RealtimeApiError:
    """Both `text` and `audio` asked for: the API allows one output modality."""
    return RealtimeApiError(
        "invalid_value",
        f"Invalid modalities: {modalities}. Supported combinations are: ['text'] and ['audio'].",
        param,
    )


def webrtc_only(event_type: str) -> RealtimeApiError:
    """A WebRTC/SIP-only client event sent over WebSocket (the fake's wording and code)."""
    return RealtimeApiError(
        "unsupported_for_transport",
        f"{event_type} is only supported for WebRTC and SIP sessions.",
        "type",
    )


def session_expired() -> RealtimeApiError:
    """The session reached its maximum duration (observed wording; the connection closes next)."""
    return RealtimeApiError(
        "session_expired", "Your session hit the maximum duration of 60 minutes."
    )


def beta_disabled() -> RealtimeApiError:
    """A client that sent `OpenAI-Beta: realtime=v1` (the connection closes next)."""
    return RealtimeApiError(
        "beta_api_shape_disabled",
        "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.",
    )


def server_error() -> RealtimeApiError:
    """A transient server-side failure (fault injection)."""
    return RealtimeApiError(
        "server_error",
        "The server had an error while processing your request. Sorry about that!",
        type=SERVER_ERROR,
    )
