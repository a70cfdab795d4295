"""Energy voice-activity detection on the session's appended-audio timeline.

Pure and clock-free: it sees only the samples appended so far, in 20 ms windows, and reports
speech onsets and ends in milliseconds since the first byte appended this session, the timeline
the real API uses for `audio_start_ms`/`audio_end_ms`. A window is speech when its RMS exceeds a
threshold; speech starts after `min_speech_ms` of consecutive loud windows and stops once
`silence_duration_ms` of quiet has followed it. That is crude next to a neural VAD (clicks count),
but it is deterministic, which is what tests of turn-taking need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

WINDOW_MS = 20


@dataclass(frozen=True)
class VadSettings:
    """The knobs of one detector, already resolved from the session's `turn_detection`."""

    rms_threshold: float = 600.0
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    min_speech_ms: int = 40


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began; `audio_start_ms` already includes the prefix padding."""

    audio_start_ms: int
    onset_ms: int


@dataclass(frozen=True)
class SpeechStopped:
    """Speech ended; `audio_end_ms` includes the trailing silence that confirmed it."""

    audio_end_ms: int


VadEvent = SpeechStarted | SpeechStopped


class EnergyVad:
    """Feed it decoded samples as they are appended; it returns the transitions they cause."""

    def __init__(self, settings: VadSettings, sample_rate_hz: int, start_ms: int = 0) -> None:
        # `settings` may be replaced between feeds (a `session.update`); the timeline carries on.
        self.settings = settings
        self._window = sample_rate_hz * WINDOW_MS // 1000
        self._pending = np.zeros(0, dtype=np.int16)
        self._windows_seen = start_ms // WINDOW_MS
        self._loud_run = 0
        self._quiet_run_ms = 0
        self._floor_ms = start_ms
        self.in_speech = False

    @property
    def position_ms(self) -> int:
        """Timeline position of the last complete window."""
        return self._windows_seen * WINDOW_MS

    def reset(self, floor_ms: int) -> None:
        """Forget any speech in progress (the buffer was committed or cleared at `floor_ms`)."""
        self.in_speech = False
        self._loud_run = 0
        self._quiet_run_ms = 0
        self._floor_ms = floor_ms

    def feed(self, samples: npt.NDArray[np.int16]) -> list[VadEvent]:
        """Consume samples; returns the speech transitions completed by them, in order."""
        data = np.concatenate([self._pending, samples]) if self._pending.size else samples
        whole = data.size - data.size % self._window
        self._pending = data[whole:].copy()
        if whole == 0:
            return []
        windows = data[:whole].astype(np.float64).reshape(-1, self._window)
        levels = np.sqrt(np.mean(windows * windows, axis=1))
        events: list[VadEvent] = []
        for level in levels:
            event = self._step(bool(level > self.settings.rms_threshold))
            if event is not None:
                events.append(event)
        return events

    def _step(self, is_loud: bool) -> VadEvent | None:
        start_ms = self.position_ms
        self._windows_seen += 1
        end_ms = self.position_ms
        settings = self.settings
        if not self.in_speech:
            self._loud_run = self._loud_run + 1 if is_loud else 0
            if self._loud_run * WINDOW_MS < max(settings.min_speech_ms, WINDOW_MS):
                return None
            self.in_speech = True
            self._quiet_run_ms = 0
            onset_ms = end_ms - self._loud_run * WINDOW_MS
            padded = max(onset_ms - settings.prefix_padding_ms, self._floor_ms, 0)
            return SpeechStarted(audio_start_ms=padded, onset_ms=onset_ms)
        if is_loud:
            self._quiet_run_ms = 0
            return None
        self._quiet_run_ms += end_ms - start_ms
        if self._quiet_run_ms < settings.silence_duration_ms:
            return None
        self.in_speech = False
        self._loud_run = 0
        self._floor_ms = end_ms
        return SpeechStopped(audio_end_ms=end_ms)
