"""What the caller has heard, from the audio we sent and the marks Twilio echoes back.

Each chunk of agent audio sent to Twilio is followed by a uniquely named mark that records
(item, byte offset at the end of the chunk). Twilio plays its queue continuously in real time, so
each chunk's playback window follows from the send times: it starts when it arrives or when the
chunk before it ends, whichever is later, and lasts its byte count / 8 ms. Between echoes that
schedule says how far into the playing chunk the caller is; an echoed mark is a hard lower bound
(everything before it has played), and what was sent is the upper bound. The schedule is used
rather than the echo arrival time because an echo can reach us late, while playback never waits.

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
    """A mark sent to Twilio and not yet echoed, with its chunk's expected playback window."""

    name: str
    item_id: str
    start_offset: int
    end_offset: int
    plays_from_ms: float
    plays_until_ms: float


class MarkLedger:
    """Pending marks in send order, heard offsets per item, and the expected playback schedule."""

    def __init__(self) -> None:
        self._pending: deque[PendingMark] = deque()
        self._heard_bytes: dict[str, int] = {}
        self._queue_ends_at_ms = 0.0
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
        plays_from = max(now_ms, self._queue_ends_at_ms)
        plays_until = plays_from + (end_offset - start_offset) / BYTES_PER_MS
        self._queue_ends_at_ms = plays_until
        self._pending.append(
            PendingMark(name, item_id, start_offset, end_offset, plays_from, plays_until)
        )
        return name

    def echoed(self, name: str, now_ms: float) -> PendingMark | None:
        """Record a mark echo; returns the mark, or None for a name we no longer track."""
        del now_ms  # an echo says "played by now", which the schedule already accounts for
        if not any(mark.name == name for mark in self._pending):
            return None
        while self._pending:
            mark = self._pending.popleft()
            self._heard_bytes[mark.item_id] = max(
                self._heard_bytes.get(mark.item_id, 0), mark.end_offset
            )
            if mark.name == name:
                break
        return mark

    def queued_ms(self, now_ms: float) -> float:
        """Audio sent to the phone and not yet played, by the schedule."""
        return max(0.0, self._queue_ends_at_ms - now_ms) if self._pending else 0.0

    def heard_bytes(self, item_id: str, now_ms: float) -> int:
        """Bytes of the item the caller has heard by `now_ms` (echoed, plus the schedule)."""
        heard = self._heard_bytes.get(item_id, 0)
        for mark in self._pending:
            if mark.item_id != item_id or mark.plays_from_ms >= now_ms:
                continue
            played_ms = min(now_ms, mark.plays_until_ms) - mark.plays_from_ms
            heard = max(heard, mark.start_offset + int(played_ms * BYTES_PER_MS))
        return heard

    def clear(self) -> None:
        """Forget pending marks: the `clear` being sent drops their audio unheard."""
        self._pending.clear()
        self._queue_ends_at_ms = 0.0
