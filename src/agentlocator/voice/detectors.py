"""The barge-in detector a call uses, built from the business's stored knobs."""

from __future__ import annotations

from agentlocator.call.barge_in import BargeInSettings
from agentlocator.call.speech_watch import BargeInDetector
from agentlocator.voice.baselines import RmsBaseline, WebrtcVadBaseline
from agentlocator.voice.detector import DetectorSettings, SpeechDetector
from agentlocator.voice.silero_model import shared_session

PACED_CHUNK_MS = 100.0
"""Size of each paced send (one `media` message and one mark each)."""


def detector_settings(settings: BargeInSettings) -> DetectorSettings:
    """Our detector's knobs: sensitivity 0.5 is the tuned default; 1 hears quieter, less certain
    speech (lower Silero threshold, lower near-field level), 0 only loud, clear speech."""
    shift = settings.sensitivity - 0.5  # -0.5 .. 0.5
    return DetectorSettings(
        min_speech_ms=float(settings.min_speech_ms),
        # A complete short word ("stop", "כן") counts from two thirds of the minimum.
        min_word_ms=float(settings.min_speech_ms) * 2 / 3,
        echo_window_ms=float(settings.echo_window_ms),
        speech_threshold=0.5 - 0.5 * shift,
        min_peak_rms=600.0 * 4.0 ** (-shift),
    )


def detector_for(settings: BargeInSettings) -> BargeInDetector | None:
    """The detector for `settings.detector`; None when the server's speech events decide."""
    match settings.detector:
        case "local":
            return SpeechDetector(shared_session(), detector_settings(settings))
        case "rms":
            return RmsBaseline(min_speech_ms=float(settings.min_speech_ms))
        case "webrtcvad":
            return WebrtcVadBaseline(min_speech_ms=float(settings.min_speech_ms))
        case "server":
            return None


def lead_ms_for(settings: BargeInSettings, paced_lead_ms: float) -> float | None:
    """Paced playout (hold, clear, resume) only where the detector can tell a false alarm.

    A suspicion holds audio back, so the phone plays out what it has: a lead longer than the
    detector needs to rule a noise out (about 60 ms) makes false alarms inaudible, and a short
    one stops the agent soon even before the `clear`.
    """
    return paced_lead_ms if settings.detector == "local" else None
