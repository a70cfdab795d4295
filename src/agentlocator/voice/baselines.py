"""The two naive barge-in detectors the benchmark compares `SpeechDetector` against.

Both confirm after `min_speech_ms` of strictly consecutive speech frames and ignore the agent's
audio (they have no echo handling):

- `RmsBaseline`: a frame is speech when its RMS is at least 350 (the seeds' figure).
- `WebrtcVadBaseline`: a frame is speech when webrtcvad (mode 3, 20 ms frames) says so.
"""

from __future__ import annotations

from agentlocator.audio import mulaw
from agentlocator.voice.detector import SILENT, DetectorResult
from agentlocator.voice.energy_gate import frame_rms


class _ConsecutiveFrames:
    """Speech-so-far as the length of the current run of speech frames."""

    def __init__(self, min_speech_ms: float) -> None:
        self.min_speech_ms = min_speech_ms
        self._speech_ms = 0.0

    def reset(self) -> None:
        self._speech_ms = 0.0

    def step(self, is_speech: bool, frame_ms: float) -> DetectorResult:
        if not is_speech:
            self._speech_ms = 0.0
            return SILENT
        self._speech_ms += frame_ms
        return DetectorResult(
            is_candidate=True,
            is_speech=True,
            speech_ms=self._speech_ms,
            is_confirmed=self._speech_ms >= self.min_speech_ms,
        )


class RmsBaseline:
    """Energy threshold (RMS 350 on the 16-bit scale) held for 300 ms of consecutive frames."""

    def __init__(self, threshold_rms: float = 350.0, min_speech_ms: float = 300.0) -> None:
        self.threshold_rms = threshold_rms
        self._run = _ConsecutiveFrames(min_speech_ms)

    def process(self, frame: bytes, now_ms: float) -> DetectorResult:
        """Judge one inbound mu-law frame (`now_ms` is unused: frames are consecutive)."""
        del now_ms
        return self._run.step(frame_rms(frame) >= self.threshold_rms, mulaw.duration_ms(frame))

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Ignored: this baseline has no echo handling."""
        del audio, sent_at_ms

    def discard_unplayed(self, now_ms: float) -> None:
        """Ignored: this baseline has no echo handling."""
        del now_ms

    def reset(self) -> None:
        """Forget the current run."""
        self._run.reset()


class WebrtcVadBaseline:
    """webrtcvad (aggressiveness 3) on each 20 ms frame, held for 300 ms of consecutive frames."""

    def __init__(self, mode: int = 3, min_speech_ms: float = 300.0) -> None:
        import webrtcvad  # optional dependency, needed only for this baseline

        self._vad = webrtcvad.Vad(mode)
        self._run = _ConsecutiveFrames(min_speech_ms)

    def process(self, frame: bytes, now_ms: float) -> DetectorResult:
        """Judge one inbound mu-law 10, 20 or 30 ms frame (`now_ms` is unused)."""
        del now_ms
        pcm = mulaw.decode(frame).astype("<i2").tobytes()
        is_speech = bool(self._vad.is_speech(pcm, mulaw.SAMPLE_RATE_HZ))
        return self._run.step(is_speech, mulaw.duration_ms(frame))

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Ignored: this baseline has no echo handling."""
        del audio, sent_at_ms

    def discard_unplayed(self, now_ms: float) -> None:
        """Ignored: this baseline has no echo handling."""
        del now_ms

    def reset(self) -> None:
        """Forget the current run."""
        self._run.reset()
