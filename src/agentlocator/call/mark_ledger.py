"""What the caller has heard, from the audio we sent and the marks Twilio echoes back.

Each chunk of agent audio sent to Twilio is recorded with (item, byte offsets); a uniquely named
mark follows a chunk at least every `MARK_EVERY_MS` of audio and whenever sending stops (an echo
of a mark covers every chunk before it, so marks need not follow each 20 ms chunk, and the call
handles five times fewer of them). Twilio plays its queue continuously in real time, so
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

import dataclasses
from collections import deque
from dataclasses import dataclass

from agentlocator.audio.mulaw import BYTES_PER_MS

MARK_EVERY_MS = 100.0
"""Most audio sent without a mark after it (see `MarkLedger.issue`)."""


@dataclass(frozen=True, slots=True)
class PendingMark:
    """A chunk sent to Twilio and not yet played, with its expected playback window, and the
    name of the mark sent after it (None when a later mark covers it)."""

    name: str | None
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
        self._unmarked_ms = 0.0  # audio sent since the last mark

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

    def issue(
        self, item_id: str, start_offset: int, end_offset: int, now_ms: float, *, is_last: bool
    ) -> str | None:
        """Register a chunk just sent to Twilio; returns the name of the mark to send after it,
        or None when none is needed yet: `MARK_EVERY_MS` has not passed since the last mark and
        more audio will follow (`is_last` is False)."""
        plays_from = max(now_ms, self._queue_ends_at_ms)
        duration_ms = (end_offset - start_offset) / BYTES_PER_MS
        plays_until = plays_from + duration_ms
        self._queue_ends_at_ms = plays_until
        self._unmarked_ms += duration_ms
        name = None
        if is_last or self._unmarked_ms >= MARK_EVERY_MS:
            name = self._new_name(item_id, end_offset)
        self._pending.append(
            PendingMark(name, item_id, start_offset, end_offset, plays_from, plays_until)
        )
        return name

    def mark_the_tail(self) -> str | None:
        """Sending stops (a hold): name a mark for the last chunk sent if it has none, so that
        its echo still says when the phone has played everything."""
        if not self._pending or self._pending[-1].name is not None:
            return None
        tail = self._pending.pop()
        name = self._new_name(tail.item_id, tail.end_offset)
        self._pending.append(dataclasses.replace(tail, name=name))
        return name

    def _new_name(self, item_id: str, end_offset: int) -> str:
        self._issued += 1
        self._unmarked_ms = 0.0
        return f"{item_id}:{end_offset}:{self._issued}"

    def echoed(self, name: str, now_ms: float) -> PendingMark | None:
        """Record a mark echo (its chunk and every chunk before it have played); returns the
        mark, or None for a name we no longer track."""
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
        self._unmarked_ms = 0.0
