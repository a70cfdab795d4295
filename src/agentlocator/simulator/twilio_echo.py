"""The agent's voice leaking back into the caller's microphone, as on a speakerphone.

An `EchoPath` takes what the simulated caller heard `delay_ms` ago, attenuates it by `level_db`
and mixes it into the caller's outbound frame. The bridge never sees this audio announced: it must
recognise its own voice coming back, as on a real line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agentlocator.audio import mulaw


@dataclass(frozen=True, slots=True)
class EchoPath:
    """How the caller's phone echoes what it plays: `delay_ms` later, `level_db` quieter."""

    delay_ms: float = 80.0
    level_db: float = -20.0


PlayedSince = Callable[[float], list[tuple[float, bytes]]]
"""What the caller heard from a stream time on, as `(start_ms, audio)` runs."""


class EchoMixer:
    """Adds the echo of what was played to each outbound frame."""

    def __init__(self, path: EchoPath, played: PlayedSince) -> None:
        self.path = path
        self._played = played
        self._gain = 10.0 ** (path.level_db / 20.0)

    def mix(self, frame: bytes, captured_from_ms: float) -> bytes:
        """`frame` (captured from `captured_from_ms` on the stream clock) plus the echo in it."""
        echo = self._echo(captured_from_ms - self.path.delay_ms, len(frame))
        if echo is None:
            return frame
        mixed = mulaw.decode(frame).astype(np.float64) + echo * self._gain
        return mulaw.encode(np.clip(mixed, -32000.0, 32000.0).astype(np.int16))

    def _echo(self, start_ms: float, count: int) -> np.ndarray | None:
        start = round(start_ms * mulaw.BYTES_PER_MS)
        out = np.zeros(count)
        found = False
        for run_start_ms, audio in reversed(self._played(start_ms)):
            run_start = round(run_start_ms * mulaw.BYTES_PER_MS)
            if run_start >= start + count:
                continue
            if run_start + len(audio) <= start:
                break
            lo, hi = max(start, run_start), min(start + count, run_start + len(audio))
            piece = audio[lo - run_start : hi - run_start]
            out[lo - start : hi - start] = mulaw.decode(piece)
            found = True
        return out if found else None
