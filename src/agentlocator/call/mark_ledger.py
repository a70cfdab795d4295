"""What the caller has heard, from the marks Twilio echoes back.

Each chunk of agent audio sent to Twilio is followed by a uniquely named mark that records
(item, byte offset at the end of the chunk). Twilio echoes a mark once the audio before it has
played, so the last echoed offset of an item is a lower bound of what the caller heard. Between
echoes the chunk at the head of Twilio's queue is playing in real time: we interpolate from the
moment it started (the previous echo, or the send time when the queue was empty), capped at the
chunk's own end offset, which keeps the estimate within a few milliseconds of the truth.

After a `clear`, Twilio echoes every pending mark at once; those echoes are not playback. The ledger
forgets its pending marks when the clear is sent, so their late echoes are unknown names and are
ignored.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from agentlocator.audio.mulaw import BYTES_PER_MS


@dataclass(frozen=True, slots=True)
class PendingMark:
    """A mark sent to Twilio and not yet echoed."""

    name: str
    item_id: str
    start_offset: int
    end_offset: int


@dataclass(slots=True)
class _PlayingChunk:
    """The chunk at the head of Twilio's queue and the time it started playing."""

    item_id: str
    start_offset: int
    started_at_ms: float


class MarkLedger:
    """Pending marks in send order, heard offsets per item, and the chunk playing now."""

    def __init__(self) -> None:
        self._pending: deque[PendingMark] = deque()
        self._heard_bytes: dict[str, int] = {}
        self._playing: _PlayingChunk | None = None
        self._issued = 0

    @property
    def is_playing(self) -> bool:
        """True while Twilio still holds audio we sent (some mark has not come back)."""
        return bool(self._pending)

    @property
    def playing_item_id(self) -> str | None:
        """The item whose audio the caller is hearing now, if any."""
        return self._pending[0].item_id if self._pending else None

    def items_in_flight(self) -> list[str]:
        """Items with audio queued at Twilio, in play order, without repeats."""
        seen: list[str] = []
        for mark in self._pending:
            if mark.item_id not in seen:
                seen.append(mark.item_id)
        return seen

    def issue(self, item_id: str, start_offset: int, end_offset: int, now_ms: float) -> str:
        """Register a chunk just sent to Twilio and return the name of the mark to send after it."""
        self._issued += 1
        name = f"{item_id}:{end_offset}:{self._issued}"
        if not self._pending:
            # Twilio's queue was empty, so this chunk starts playing as it arrives.
            self._playing = _PlayingChunk(item_id, start_offset, now_ms)
        self._pending.append(PendingMark(name, item_id, start_offset, end_offset))
        return name

    def echoed(self, name: str, now_ms: float) -> PendingMark | None:
        """Record a mark echo; returns the mark, or None for a name we no longer track."""
        if not any(mark.name == name for mark in self._pending):
            return None
        while self._pending:
            mark = self._pending.popleft()
            self._heard_bytes[mark.item_id] = max(
                self._heard_bytes.get(mark.item_id, 0), mark.end_offset
            )
            if mark.name == name:
                break
        if self._pending:
            head = self._pending[0]
            self._playing = _PlayingChunk(head.item_id, head.start_offset, now_ms)
        else:
            self._playing = None
        return mark

    def heard_bytes(self, item_id: str, now_ms: float) -> int:
        """Bytes of the item the caller has heard by `now_ms` (confirmed plus the playing chunk)."""
        confirmed = self._heard_bytes.get(item_id, 0)
        playing = self._playing
        if playing is None or not self._pending or playing.item_id != item_id:
            return confirmed
        elapsed_bytes = max(0.0, now_ms - playing.started_at_ms) * BYTES_PER_MS
        estimate = min(playing.start_offset + int(elapsed_bytes), self._pending[0].end_offset)
        return max(confirmed, estimate)

    def clear(self) -> None:
        """Forget pending marks: the `clear` being sent drops their audio unheard."""
        self._pending.clear()
        self._playing = None
