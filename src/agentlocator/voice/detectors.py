"""The barge-in detector a call uses, built from the business's stored knobs."""

from __future__ import annotations

import numpy as np

from agentlocator.call.barge_in import BargeInSettings
from agentlocator.call.speech_watch import BargeInDetector
from agentlocator.voice.baselines import RmsBaseline, WebrtcVadBaseline
from agentlocator.voice.detector import DetectorSettings, SpeechDetector
from agentlocator.voice.silero_model import shared_session

PACED_CHUNK_MS = 20.0
"""Largest paced send (one `media` message and one mark each): one Twilio frame, so the phone
never holds more than the lead plus a frame."""


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


def warm_up() -> None:
    """Load the Silero model and run it once, so the first call's detector does not stall the
    event loop (loading takes a few hundred ms, longer than the phone's lead)."""
    from agentlocator.voice.silero import WINDOW_SAMPLES, SileroVad

    SileroVad(shared_session()).process_samples(np.zeros(WINDOW_SAMPLES, dtype=np.float32))


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

    A suspicion holds audio back and the phone plays out what it has, so the lead bounds how
    long the caller still hears the agent after the pause: 40 ms keeps the pause within 100 ms
    of the caller's first sound, with exact resumes (no `clear` needed for a false alarm).
    A longer lead rides out longer stalls of the network or the event loop.
    """
    return paced_lead_ms if settings.detector == "local" else None
