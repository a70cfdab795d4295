"""The energy gate: RMS per 20 ms mu-law frame against an adaptive noise floor."""

from __future__ import annotations

import numpy as np
from barge_in_corpus import FRAME_BYTES, CorpusClip

from agentlocator.audio import mulaw
from agentlocator.voice import EnergyGate, frame_rms


def frames(audio: bytes) -> list[bytes]:
    return [audio[i : i + FRAME_BYTES] for i in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES)]


def noise(rms: float, duration_ms: int, seed: int = 0) -> bytes:
    samples = np.random.default_rng(seed).standard_normal(duration_ms * mulaw.BYTES_PER_MS) * rms
    return mulaw.encode(np.clip(samples, -32768, 32767).astype(np.int16))


def test_frame_rms_is_the_codec_rms() -> None:
    tone = mulaw.encode((np.sin(np.arange(160) / 3) * 8000).astype(np.int16))
    assert abs(frame_rms(tone) - mulaw.rms(tone)) < 1e-6
    assert frame_rms(mulaw.silence(20)) == 0.0
    assert frame_rms(b"") == 0.0


def test_silence_and_the_line_floor_never_pass() -> None:
    gate = EnergyGate()
    audio = mulaw.silence(500) + noise(40.0, 2000)  # about -58 dBFS: a quiet line
    assert not any(gate.process(frame).is_loud for frame in frames(audio))


def test_speech_passes_from_its_first_frames(corpus: list[CorpusClip]) -> None:
    for clip in corpus:
        if clip.kind != "speech" or clip.reference is not None or "babble" in clip.label:
            continue
        assert clip.onset_ms is not None
        gate = EnergyGate(threshold_rms=150.0)
        readings = [gate.process(frame) for frame in frames(clip.audio)]
        loud_at = [index * mulaw.FRAME_MS for index, r in enumerate(readings) if r.is_loud]
        assert loud_at, clip.id
        # The first loud frame is at most a fricative's length after the ground-truth onset.
        assert clip.onset_ms - 20.0 <= loud_at[0] <= clip.onset_ms + 120.0, clip.id


def test_a_steady_background_raises_the_floor_and_closes_the_gate() -> None:
    gate = EnergyGate(threshold_rms=150.0)
    readings = [gate.process(frame) for frame in frames(noise(400.0, 12_000))]
    assert readings[0].is_loud  # a new loud background passes at first...
    assert not any(reading.is_loud for reading in readings[-100:])  # ...not after seconds
    assert 300.0 < gate.noise_floor_rms < 500.0


def test_the_floor_falls_back_quickly_when_the_background_stops() -> None:
    gate = EnergyGate()
    for frame in frames(noise(400.0, 12_000)):
        gate.process(frame)
    for frame in frames(noise(30.0, 300, seed=1)):  # 300 ms of a quiet line
        gate.process(frame)
    assert gate.current_threshold_rms == gate.threshold_rms
    assert gate.process(frames(noise(1000.0, 20, seed=2))[0]).is_loud


def test_reset_forgets_the_floor() -> None:
    gate = EnergyGate()
    for frame in frames(noise(400.0, 5_000)):
        gate.process(frame)
    gate.reset()
    assert gate.noise_floor_rms == 10.0
