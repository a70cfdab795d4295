"""The streaming Silero wrapper on the corpus clips (the model alone, no gate)."""

from __future__ import annotations

from typing import Any

import numpy as np
from barge_in_corpus import FRAME_BYTES, CorpusClip

from agentlocator.audio import mulaw
from agentlocator.voice import SileroVad


def probabilities(vad: SileroVad, audio: bytes) -> list[tuple[float, float]]:
    """(window end ms, probability) for every window of the clip."""
    out = []
    for offset in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES):
        for probability in vad.process(audio[offset : offset + FRAME_BYTES]):
            out.append(((offset + FRAME_BYTES) / mulaw.BYTES_PER_MS - vad.pending_ms, probability))
    return out


def test_frames_are_buffered_into_32_ms_windows(silero_session: Any) -> None:
    vad = SileroVad(silero_session)
    counts = [len(vad.process(mulaw.silence(20))) for _ in range(8)]
    assert counts == [0, 1, 0, 1, 1, 0, 1, 1]  # 8 x 160 samples = 5 x 256
    assert vad.pending_ms == 0.0
    vad.process(mulaw.silence(20))
    assert vad.pending_ms == 20.0
    vad.reset()
    assert vad.pending_ms == 0.0 and vad.last_probability == 0.0


def test_the_same_audio_gives_the_same_probabilities_after_reset(silero_session: Any) -> None:
    audio = mulaw.encode((np.sin(np.arange(4000) / 5) * 6000).astype(np.int16))
    vad = SileroVad(silero_session)
    first = probabilities(vad, audio)
    vad.reset()
    assert probabilities(vad, audio) == first


def test_speech_is_recognised_in_every_speech_clip(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    for clip in corpus:
        if clip.kind != "speech" or clip.onset_ms is None or clip.speech_end_ms is None:
            continue
        during = [
            p
            for end, p in probabilities(SileroVad(silero_session), clip.audio)
            if clip.onset_ms < end <= clip.speech_end_ms + 32.0
        ]
        assert max(during) > 0.9, clip.id
        assert np.mean([p >= 0.5 for p in during]) > 0.5, clip.id


def test_probability_stays_low_on_clicks_and_noise(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    for clip in corpus:
        if clip.kind != "noise" or "babble" in clip.label:
            continue
        peak = max(p for _, p in probabilities(SileroVad(silero_session), clip.audio))
        # Measured: at most 0.38 (a 200 ms white burst at -12 dBFS), most under 0.15.
        assert peak < 0.5, (clip.id, clip.label, peak)


def test_background_babble_is_speech_to_silero(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    """Why the detector needs more than Silero: distant voices are speech too."""
    for clip in corpus:
        if clip.kind == "noise" and clip.label.startswith("babble"):
            peak = max(p for _, p in probabilities(SileroVad(silero_session), clip.audio))
            assert peak > 0.9, clip.id
