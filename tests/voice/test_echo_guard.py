"""The echo guard: the agent's own audio, delayed and attenuated, is explained away."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from barge_in_corpus import CORPUS_DIR, FRAME_BYTES, CorpusClip, agent_audio_for

from agentlocator.audio import mulaw
from agentlocator.voice import EchoGuard, frame_rms

GATE_RMS = 150.0  # the detector's default gate: what a residual must stay under


def manifest_entry(clip_id: str) -> dict[str, Any]:
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    entry: dict[str, Any] = next(e for e in manifest["clips"] if e["id"] == clip_id)
    return entry


def loud_frames(audio: bytes) -> list[tuple[float, bytes]]:
    return [
        (offset / mulaw.BYTES_PER_MS, audio[offset : offset + FRAME_BYTES])
        for offset in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES)
        if frame_rms(audio[offset : offset + FRAME_BYTES]) > GATE_RMS
    ]


def guard_for(clip: CorpusClip) -> EchoGuard:
    """A guard that was sent the agent audio of the clip in one go, ahead of its playing."""
    guard = EchoGuard()
    agent, start_ms = agent_audio_for(clip)
    guard.push_agent_audio(agent, start_ms)
    return guard


def test_echo_clips_leave_a_residual_under_the_gate(corpus: list[CorpusClip]) -> None:
    for clip in corpus:
        if clip.kind != "echo":
            continue
        guard = guard_for(clip)
        frames = loud_frames(clip.audio)
        residuals = [guard.assess(frame, now_ms).residual_rms for now_ms, frame in frames]
        assert frames, clip.id
        # Every loud frame but at most the first (a partial match) is explained away.
        assert sum(r > GATE_RMS for r in residuals) <= 1, (clip.id, residuals)
        assert guard.locked_delay_ms is not None
        expected = float(manifest_entry(clip.id)["echo_delay_ms"])
        assert abs(guard.locked_delay_ms - expected) <= 1.0, clip.id


def test_echo_likelihood_is_high_on_echo_and_zero_on_caller_speech(
    corpus: list[CorpusClip],
) -> None:
    echo: list[float] = []
    speech: list[float] = []
    for clip in corpus:
        if clip.kind == "noise" or (clip.kind == "speech" and clip.reference is not None):
            continue
        guard = guard_for(clip)  # speech clips: the agent talks, its echo is not on the line
        likelihoods = [guard.assess(f, now_ms).likelihood for now_ms, f in loud_frames(clip.audio)]
        (echo if clip.kind == "echo" else speech).extend(likelihoods)
    assert np.percentile(echo, 5) > 0.9
    # A caller's voiced frame can resemble 20 ms of agent audio at some delay (espeak voices
    # share waveforms for a sustained vowel or nasal): measured 10 of 1,281 loud frames, each an
    # isolated frame that the detector's gap bridging absorbs.
    assert np.mean(np.array(speech) > 0.0) < 0.02


def test_the_caller_over_the_echo_keeps_their_voice(corpus: list[CorpusClip]) -> None:
    for clip in corpus:
        if clip.kind != "speech" or clip.reference is None or clip.onset_ms is None:
            continue
        assert clip.speech_end_ms is not None
        guard = guard_for(clip)
        kept = [
            guard.assess(frame, now_ms).residual_rms / frame_rms(frame)
            for now_ms, frame in loud_frames(clip.audio)
            if clip.onset_ms + 40.0 <= now_ms <= clip.speech_end_ms - 40.0
        ]
        # Most of each double-talk frame is the caller; the echo part is taken out.
        assert np.median(kept) > 0.7, (clip.id, np.median(kept))


def test_audio_sent_ahead_plays_back_to_back(corpus: list[CorpusClip]) -> None:
    """One burst sent early and 20 ms chunks sent as they play lay out the same timeline."""
    clip = next(c for c in corpus if c.kind == "echo")
    burst, paced = guard_for(clip), EchoGuard()
    agent, start_ms = agent_audio_for(clip)
    chunks = [
        (start_ms + index * 20.0, agent[offset : offset + FRAME_BYTES])
        for index, offset in enumerate(range(0, len(agent), FRAME_BYTES))
    ]
    for now_ms, frame in loud_frames(clip.audio):
        while chunks and chunks[0][0] <= now_ms:
            sent_at_ms, chunk = chunks.pop(0)
            paced.push_agent_audio(chunk, sent_at_ms)
        a, b = burst.assess(frame, now_ms), paced.assess(frame, now_ms)
        assert a.residual_rms == b.residual_rms and a.delay_ms == b.delay_ms


def test_the_echo_window_and_cleared_audio() -> None:
    guard = EchoGuard(echo_window_ms=350.0)
    assert not guard.is_active(0.0)
    tone = mulaw.encode((np.sin(np.arange(8000) / 4) * 8000).astype(np.int16))  # 1 s
    guard.push_agent_audio(tone[:4000], sent_at_ms=1000.0)
    guard.push_agent_audio(tone[4000:], sent_at_ms=1000.0)  # queued behind the first half
    assert guard.is_active(1999.0) and guard.is_active(2350.0)
    assert not guard.is_active(2351.0)
    guard.discard_unplayed(1200.0)  # Twilio `clear`: the rest never plays
    assert guard.is_active(1550.0) and not guard.is_active(1551.0)
    echo = mulaw.encode((np.sin(np.arange(160) / 4) * 8000 * 0.1).astype(np.int16))
    assert guard.assess(echo, 1400.0).likelihood == 0.0  # nothing played at 1250..1420 ms
    guard.reset()
    assert not guard.is_active(1000.0)
