"""What the caller heard, aligned with what the model generated, tolerant of resume slips.

The simulator's `audit_playback` is strict: the first played byte that does not continue an
item's prefix ends the alignment, and everything after it counts as unexplained. After a
resume that restarts a few bytes early or late, that would count the whole rest of the reply as
both repeated and lost. This alignment re-synchronises inside the same item instead (a 20 ms
probe searched within +-500 ms of where the item had got to) and reports the slip itself: bytes
played twice (the resume restarted early) or skipped (it restarted late).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.audio_audit import common_prefix_bytes

PROBE_BYTES = 20 * BYTES_PER_MS
WINDOW_BYTES = 500 * BYTES_PER_MS


@dataclass
class Alignment:
    """Per item: how far into it the caller got; the slips; played bytes no item explains."""

    reached_bytes: dict[str, int] = field(default_factory=dict)
    generated_bytes: dict[str, int] = field(default_factory=dict)
    slips: list[tuple[str, int]] = field(default_factory=list)
    """(item, bytes): negative = played again, positive = skipped, at a re-synchronisation."""
    unexplained_bytes: int = 0

    @property
    def repeated_bytes(self) -> int:
        return self.unexplained_bytes + sum(-jump for _, jump in self.slips if jump < 0)

    def skipped_bytes(self, item_id: str) -> int:
        return sum(jump for item, jump in self.slips if item == item_id and jump > 0)

    def heard_ms(self, item_id: str) -> float:
        """Where in the item the caller's listening ended (what a truncate should say)."""
        return self.reached_bytes.get(item_id, 0) / BYTES_PER_MS


def _resync(audio: bytes, at: int, probe: bytes) -> int | None:
    """The offset of `probe` in `audio` nearest to `at`, within the window; None if absent."""
    low, high = max(0, at - WINDOW_BYTES), min(len(audio), at + WINDOW_BYTES + len(probe))
    best: int | None = None
    found = audio.find(probe, low, high)
    while found >= 0:
        if best is None or abs(found - at) < abs(best - at):
            best = found
        found = audio.find(probe, found + 1, high)
    return best


def align(played: bytes, items: Sequence[tuple[str, bytes]]) -> Alignment:
    """Walk `played` through the items in generation order (see the module docstring)."""
    result = Alignment()
    position = 0
    for item_id, audio in items:
        reached = 0
        result.generated_bytes[item_id] = len(audio)
        while reached < len(audio) and position < len(played):
            matched = common_prefix_bytes(
                played[position : position + len(audio) - reached], audio[reached:]
            )
            position += matched
            reached += matched
            probe = played[position : position + PROBE_BYTES]
            if reached >= len(audio) or len(probe) < PROBE_BYTES:
                break
            target = _resync(audio, reached, probe)
            if target is None or target == reached:
                break
            result.slips.append((item_id, target - reached))
            reached = target
        result.reached_bytes[item_id] = reached
    result.unexplained_bytes = len(played) - position
    return result
