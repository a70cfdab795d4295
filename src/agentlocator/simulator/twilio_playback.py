"""Twilio's outbound playback buffer as a pure model: audio in, real-time playback out.

Twilio queues every outbound `media` payload and plays it back to back at 8 bytes per ms, however
fast it arrives. Nothing here reads a clock: every method takes `now_ms` (stream time), and what
has been played is derived from it on demand, so the answer is exact at any instant instead of
depending on when a task happened to wake up.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from agentlocator.audio.mulaw import BYTES_PER_MS

# Float stream times that should coincide can differ in the last bits; this absorbs that.
_EPSILON_MS = 1e-6


@dataclass
class MarkRecord:
    """One `mark` from the server and what became of it.

    `due_ms` is when the audio queued before the mark finishes playing (`None` when nothing was
    queued, so the echo is immediate); `echoed_ms` is when the echo was sent; `flushed_by_clear`
    says the echo came from a `clear`, so the audio before it was not necessarily heard.
    """

    name: str
    received_ms: float
    due_ms: float | None = None
    echoed_ms: float | None = None
    flushed_by_clear: bool = False


@dataclass(frozen=True)
class ClearRecord:
    """One `clear`: when it was processed, the audio it dropped, the marks it flushed."""

    at_ms: float
    dropped_bytes: int
    flushed_marks: tuple[str, ...] = ()

    @property
    def dropped_ms(self) -> float:
        """Playing time of the dropped audio."""
        return self.dropped_bytes / BYTES_PER_MS


@dataclass
class _Piece:
    """Audio scheduled to play from `start_ms`; `run` groups back-to-back pieces."""

    start_ms: float
    audio: bytes
    run: int

    @property
    def end_ms(self) -> float:
        return self.start_ms + len(self.audio) / BYTES_PER_MS

    def played_bytes(self, now_ms: float) -> int:
        elapsed_ms = now_ms - self.start_ms
        if elapsed_ms <= 0:
            return 0
        return min(len(self.audio), math.floor(elapsed_ms * BYTES_PER_MS + _EPSILON_MS))


@dataclass
class _Segment:
    """Audio heard without a gap; `audio` is `None` when audio is not being recorded."""

    start_ms: float
    length: int
    run: int
    audio: bytearray | None = field(default=None)


class PlaybackBuffer:
    """The caller's earpiece: queues outbound audio and marks, plays them in real time."""

    def __init__(self, *, record_audio: bool = True) -> None:
        self._record_audio = record_audio
        self._pending: deque[_Piece] = deque()
        self._heard: list[_Segment] = []
        self._marks: deque[MarkRecord] = deque()
        self._end_ms = 0.0
        self._run = 0
        # False after a clear or hang-up: audio arriving then starts a new run even at that ms.
        self._is_run_open = False
        self.received_bytes = 0
        self.dropped_bytes = 0

    def append(self, audio: bytes, now_ms: float) -> None:
        """Queue audio behind whatever is still playing, or start playing it now."""
        if not audio:
            return
        self._settle(now_ms)
        if self._is_run_open and self._end_ms >= now_ms - _EPSILON_MS:
            start_ms = self._end_ms
        else:
            self._run += 1
            self._is_run_open = True
            start_ms = now_ms
        piece = _Piece(start_ms, audio, self._run)
        self._pending.append(piece)
        self._end_ms = piece.end_ms
        self.received_bytes += len(audio)

    def add_mark(self, mark: MarkRecord, now_ms: float) -> bool:
        """Queue a mark behind the audio already queued; False means it is due right now."""
        if self._end_ms <= now_ms + _EPSILON_MS:
            return False
        mark.due_ms = self._end_ms
        self._marks.append(mark)
        return True

    def take_marks_due_by(self, due_ms: float) -> list[MarkRecord]:
        """Remove and return the pending marks due at or before `due_ms`, oldest first."""
        taken: list[MarkRecord] = []
        while self._marks and (self._marks[0].due_ms or 0.0) <= due_ms + _EPSILON_MS:
            taken.append(self._marks.popleft())
        return taken

    def clear(self, now_ms: float) -> tuple[int, list[MarkRecord]]:
        """Drop the unplayed audio; return its size and every pending mark (all flushed now)."""
        dropped = self._drop_unplayed(now_ms)
        flushed = list(self._marks)
        self._marks.clear()
        return dropped, flushed

    def stop(self, now_ms: float) -> int:
        """The call ended: nothing more is heard and pending marks are never echoed."""
        dropped = self._drop_unplayed(now_ms)
        self._marks.clear()
        return dropped

    def queued_ms(self, now_ms: float) -> float:
        """Audio still waiting to be played."""
        return max(0.0, self._end_ms - now_ms)

    def played_bytes(self, now_ms: float) -> int:
        """Bytes the caller has heard so far."""
        self._settle(now_ms)
        heard = sum(segment.length for segment in self._heard)
        return heard + (self._pending[0].played_bytes(now_ms) if self._pending else 0)

    def heard_ms_at(self, t_ms: float, now_ms: float) -> float:
        """Milliseconds of outbound audio heard by stream time `t_ms` (capped at `now_ms`)."""
        self._settle(now_ms)
        at_ms = min(t_ms, now_ms)
        heard = 0
        for segment in self._heard:
            if segment.start_ms >= at_ms:
                break
            elapsed = math.floor((at_ms - segment.start_ms) * BYTES_PER_MS + _EPSILON_MS)
            heard += min(segment.length, elapsed)
        if self._pending:
            heard += self._pending[0].played_bytes(at_ms)
        return heard / BYTES_PER_MS

    def played(self, now_ms: float) -> list[tuple[float, bytes]]:
        """What the caller heard as `(start_ms, audio)` runs without a gap, oldest first.

        The audio is empty when the buffer was built with `record_audio=False`.
        """
        self._settle(now_ms)
        segments = [(s.start_ms, s.run, bytes(s.audio or b"")) for s in self._heard]
        if self._pending:
            head = self._pending[0]
            count = head.played_bytes(now_ms)
            if count:
                audio = head.audio[:count] if self._record_audio else b""
                if segments and segments[-1][1] == head.run:
                    start_ms, run, previous = segments[-1]
                    segments[-1] = (start_ms, run, previous + audio)
                else:
                    segments.append((head.start_ms, head.run, audio))
        return [(start_ms, audio) for start_ms, _, audio in segments]

    def played_since(self, since_ms: float, now_ms: float) -> list[tuple[float, bytes]]:
        """What the caller heard from `since_ms` on, as `(start_ms, audio)` runs, oldest first.

        Copies only that tail (the echo path asks on every frame; `played` copies everything).
        """
        self._settle(now_ms)
        tail: list[tuple[float, bytes]] = []
        if self._pending and self._record_audio:
            head = self._pending[0]
            count = head.played_bytes(now_ms)
            skip = max(0, math.floor((since_ms - head.start_ms) * BYTES_PER_MS))
            if skip < count:
                tail.append((head.start_ms + skip / BYTES_PER_MS, head.audio[skip:count]))
        for segment in reversed(self._heard):
            end_ms = segment.start_ms + segment.length / BYTES_PER_MS
            if end_ms <= since_ms:
                break
            if segment.audio is None:
                continue
            skip = max(0, math.floor((since_ms - segment.start_ms) * BYTES_PER_MS))
            tail.append((segment.start_ms + skip / BYTES_PER_MS, bytes(segment.audio[skip:])))
        tail.reverse()
        return tail

    def _drop_unplayed(self, now_ms: float) -> int:
        self._settle(now_ms)
        dropped = 0
        if self._pending:
            head = self._pending.popleft()
            count = head.played_bytes(now_ms)
            self._hear(_Piece(head.start_ms, head.audio[:count], head.run))
            dropped += len(head.audio) - count
        dropped += sum(len(piece.audio) for piece in self._pending)
        self._pending.clear()
        self._end_ms = min(self._end_ms, now_ms)
        self._is_run_open = False
        self.dropped_bytes += dropped
        return dropped

    def _settle(self, now_ms: float) -> None:
        """Move fully played pieces into the heard log, keeping the pending queue short."""
        while self._pending and self._pending[0].end_ms <= now_ms + _EPSILON_MS:
            self._hear(self._pending.popleft())

    def _hear(self, piece: _Piece) -> None:
        if not piece.audio:
            return
        last = self._heard[-1] if self._heard else None
        if last is not None and last.run == piece.run:
            last.length += len(piece.audio)
            if last.audio is not None:
                last.audio += piece.audio
            return
        audio = bytearray(piece.audio) if self._record_audio else None
        self._heard.append(_Segment(piece.start_ms, len(piece.audio), piece.run, audio))
