"""The fake session's conversation: ordered items, their audio, and the truncate rules.

Wire items (the dicts sent in `conversation.item.*` events) are kept next to their `ItemRecord`
(audio bytes, transcript, truncation point) from the engine's record, so what a test reads in
`engine.record.items` is exactly the state the engine acts on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator.realtime_errors import RealtimeApiError
from agentlocator.simulator.realtime_record import ItemRecord


class Conversation:
    """Items in conversation order; out-of-band response items are recorded but not listed."""

    def __init__(self, records: dict[str, ItemRecord]) -> None:
        self._records = records
        self._order: list[str] = []
        self._wire: dict[str, dict[str, Any]] = {}

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._wire

    @property
    def last_item_id(self) -> str | None:
        """The newest item, which a new item's `previous_item_id` points at."""
        return self._order[-1] if self._order else None

    @property
    def has_assistant_audio(self) -> bool:
        """True once the model has produced any audio (the voice is frozen from then on)."""
        return any(r.role == "assistant" and r.audio for r in self._records.values())

    def wire_item(self, item_id: str) -> dict[str, Any]:
        """The item as the API shows it."""
        return self._wire[item_id]

    def add(
        self,
        item: dict[str, Any],
        record: ItemRecord,
        *,
        after: str | None = None,
    ) -> str | None:
        """Track an item; returns its `previous_item_id`.

        `after` inserts it after that item (`"root"`: first); by default it goes last.
        """
        self._records[record.item_id] = record
        if not record.in_conversation:
            return None
        if after == "root":
            position = 0
        elif after is not None and after in self._wire:
            position = self._order.index(after) + 1
        else:
            position = len(self._order)
        self._order.insert(position, record.item_id)
        self._wire[record.item_id] = item
        return self._order[position - 1] if position > 0 else None

    def create(
        self, item: dict[str, Any], previous_item_id: str | None, new_id: Callable[[str], str]
    ) -> tuple[dict[str, Any], str | None] | RealtimeApiError:
        """`conversation.item.create`: the stored item and its `previous_item_id`, or an error."""
        item_id = item.get("id") or new_id("item")
        if item_id in self._wire:
            return RealtimeApiError(
                "invalid_value", f"Item with id '{item_id}' already exists.", "item.id"
            )
        if previous_item_id not in (None, "root") and previous_item_id not in self._wire:
            return errors.item_not_found(
                str(previous_item_id), "previous_item_id", code="invalid_value"
            )
        call_id = item.get("call_id")
        if item.get("type") == "function_call_output" and not self.has_function_call(str(call_id)):
            # Wording unverified; answering a call that does not exist is a bridge bug.
            return RealtimeApiError(
                "invalid_tool_call_id",
                f"Tool call ID '{call_id}' not found in conversation.",
                "item.call_id",
            )
        wire = {**item, "id": item_id, "object": "realtime.item", "status": "completed"}
        record = ItemRecord(
            item_id, str(item.get("type")), role=item.get("role"), text=_item_text(item)
        )
        return wire, self.add(wire, record, after=previous_item_id)

    def delete(self, item_id: str) -> bool:
        """Remove an item; False when it was not in the conversation."""
        if item_id not in self._wire:
            return False
        self._order.remove(item_id)
        del self._wire[item_id]
        return True

    def has_function_call(self, call_id: str) -> bool:
        """Whether a `function_call` item with this `call_id` exists."""
        return any(
            item.get("type") == "function_call" and item.get("call_id") == call_id
            for item in self._wire.values()
        )

    def truncate(
        self, item_id: str, content_index: int, audio_end_ms: int
    ) -> RealtimeApiError | None:
        """Apply `conversation.item.truncate`; returns the API's error, or None on success.

        On success the item's audio is cut at `audio_end_ms` and its transcript is deleted,
        as the real server does, so the model no longer "remembers" the unheard words.
        """
        if item_id not in self._wire:
            return errors.item_not_found(item_id)
        record = self._records[item_id]
        if record.type != "message" or record.role != "assistant" or not record.audio:
            return errors.truncate_unsupported()
        if content_index != 0:
            return errors.invalid_value("content_index", content_index, ["0"])
        if audio_end_ms < 0:
            return errors.out_of_range("audio_end_ms", audio_end_ms, 0, above=False)
        available_ms = (
            record.truncated_at_ms if record.truncated_at_ms is not None else int(record.audio_ms)
        )
        if audio_end_ms > available_ms:
            return errors.truncate_too_long(available_ms, audio_end_ms)
        record.truncated_at_ms = audio_end_ms
        record.transcript = None
        for part in self._wire[item_id].get("content", []):
            if part.get("type") == "output_audio":
                part["transcript"] = None
        return None


def _item_text(item: dict[str, Any]) -> str:
    if item.get("type") == "function_call_output":
        return str(item.get("output", ""))
    parts = item.get("content") or []
    return " ".join(str(p.get("text") or p.get("transcript") or "") for p in parts).strip()
