"""A cheap loudness gate per 20 ms mu-law frame, with an adaptive noise floor.

The gate says which frames are worth the neural VAD's time: a frame is loud when its RMS (on the
16-bit scale) is above both an absolute threshold and the tracked noise floor times a ratio. The
floor follows quiet frames down quickly and creeps up slowly (a few dB per second), so a steady
background (a fan, a line hum) raises the bar while a syllable does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agentlocator.audio import mulaw

# Squared decoded sample per mu-law byte: a frame's mean square is one lookup and one mean.
_SQUARE = mulaw.decode(bytes(range(256))).astype(np.float64) ** 2


def frame_rms(frame: bytes) -> float:
    """RMS of the decoded mu-law samples on the 16-bit scale; 0.0 for an empty frame."""
    if not frame:
        return 0.0
    return math.sqrt(float(_SQUARE[np.frombuffer(frame, dtype=np.uint8)].mean()))


@dataclass(frozen=True, slots=True)
class GateReading:
    """The gate's verdict on one frame."""

    rms: float
    noise_floor_rms: float
    threshold_rms: float
    is_loud: bool


class EnergyGate:
    """Loud-frame gate: `rms > max(threshold_rms, noise_floor * floor_ratio)`.

    Args:
        threshold_rms: absolute RMS below which nothing is loud (16-bit scale).
        floor_ratio: how far above the noise floor a frame must be (3.0 is about +9.5 dB).
        floor_rise_db_per_s: how fast the floor may climb while frames stay above it.
        floor_fall: fraction of the gap closed per frame when a frame is below the floor.
        initial_floor_rms: the floor before any audio (also its lower bound).
        frame_ms: duration of one frame, for the rise rate.
    """

    def __init__(
        self,
        threshold_rms: float = 150.0,
        floor_ratio: float = 3.0,
        floor_rise_db_per_s: float = 3.0,
        floor_fall: float = 0.3,
        initial_floor_rms: float = 10.0,
        frame_ms: float = mulaw.FRAME_MS,
    ) -> None:
        self.threshold_rms = threshold_rms
        self.floor_ratio = floor_ratio
        self._rise_factor = 10.0 ** (floor_rise_db_per_s * frame_ms / 1000.0 / 20.0)
        self._floor_fall = floor_fall
        self._initial_floor_rms = initial_floor_rms
        self._floor = initial_floor_rms

    @property
    def noise_floor_rms(self) -> float:
        """The current noise-floor estimate (16-bit RMS)."""
        return self._floor

    @property
    def current_threshold_rms(self) -> float:
        """The RMS a frame must exceed right now to be loud."""
        return max(self.threshold_rms, self._floor * self.floor_ratio)

    def reset(self) -> None:
        """Forget the noise floor."""
        self._floor = self._initial_floor_rms

    def process(self, frame: bytes) -> GateReading:
        """Judge one frame, then let the noise floor learn from it."""
        return self.process_rms(frame_rms(frame))

    def process_rms(self, rms: float) -> GateReading:
        """Judge a frame by its RMS, then let the noise floor learn from it."""
        threshold = self.current_threshold_rms
        floor = self._floor
        if rms < floor:
            floor += (rms - floor) * self._floor_fall
        else:
            floor = min(rms, floor * self._rise_factor)
        self._floor = max(floor, self._initial_floor_rms)
        return GateReading(
            rms=rms, noise_floor_rms=self._floor, threshold_rms=threshold, is_loud=rms > threshold
        )
