"""What a fake Realtime session saw and did, kept for assertions in tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ItemRecord:
    """One conversation item as the engine knows it.

    `audio` is every byte sent in `response.output_audio.delta` for the item, so a test can find
    the played audio in it; `text` is what the script had the model say; `transcript` is the
    server-side transcript, which becomes None when a truncate deletes it.
    """

    item_id: str
    type: str
    role: str | None = None
    response_id: str | None = None
    text: str = ""
    transcript: str | None = None
    audio: bytearray = field(default_factory=bytearray)
    bytes_per_ms: int = 8
    truncated_at_ms: int | None = None
    in_conversation: bool = True
    audio_start_ms: int | None = None
    audio_end_ms: int | None = None

    @property
    def audio_ms(self) -> float:
        """Audio generated for the item, in ms (before any truncation)."""
        return len(self.audio) / self.bytes_per_ms


@dataclass(frozen=True)
class TruncateRecord:
    """One `conversation.item.truncate` and whether it was accepted."""

    item_id: str
    content_index: int
    audio_end_ms: int
    accepted: bool
    error_code: str | None = None


@dataclass(frozen=True)
class CancelRecord:
    """One cancellation: by the client (`response.cancel`) or by barge-in (`turn_detected`)."""

    response_id: str | None
    reason: str
    accepted: bool


@dataclass
class ResponseRecord:
    """One response's outcome."""

    response_id: str
    trigger: str
    status: str = "in_progress"
    reason: str | None = None
    output_item_ids: list[str] = field(default_factory=list)


@dataclass
class EngineRecord:
    """Everything observable about one session, in order."""

    client_events: list[dict[str, Any]] = field(default_factory=list)
    server_events: list[dict[str, Any]] = field(default_factory=list)
    errors_sent: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, ItemRecord] = field(default_factory=dict)
    truncates: list[TruncateRecord] = field(default_factory=list)
    cancels: list[CancelRecord] = field(default_factory=list)
    responses: dict[str, ResponseRecord] = field(default_factory=dict)
    close_code: int | None = None

    def server_types(self) -> list[str]:
        """The `type` of every server event sent, in order."""
        return [str(event["type"]) for event in self.server_events]
