"""SpeechDetector on the corpus: every caller utterance barges in, no noise or echo does.

The corpus replays each clip as a live call would: inbound frames every 20 ms and, while they
arrive, the agent's audio sent in 20 ms chunks as it plays (for clips without their own echo
reference the agent is talking too, its echo just never reaches the line).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from barge_in_corpus import FRAME_BYTES, ClipOutcome, CorpusClip, percentile, replay

from agentlocator.audio import mulaw
from agentlocator.voice import DetectorResult, DetectorSettings, SpeechDetector

# Pause within 100 ms of the caller starting to speak: the detector's share is 60 ms, the
# phone then plays out what it still holds (at most the 40 ms lead, see call/playout.py)...
ONSET_BUDGET_MS = 60.0
CONFIRM_BUDGET_MS = 300.0 + 60.0  # ...and barge in once 300 ms of speech are in, plus 60 ms

# Clips that miss a budget, with the reason and the bound they do meet (measured, not tuned).
SLOW_ONSETS = {
    # "stop" at -32 dBFS: the /s/ (~100 ms at about -49 dBFS) is under the energy gate, and
    # the vowel comes 110 ms after the ground-truth onset (131.4 ms).
    "speech_word_11": 140.0,
    # "rega" over babble: its /r/ is only ~5 dB above the babble; the pause comes with the
    # vowel, when the voice gets near-field loud (100.6 ms).
    "speech_babble_01": 110.0,
}
LATE_CONFIRMATIONS = {
    "speech_word_11": 440.0,  # the same quiet /s/: speech counts from the vowel
    # "stop" at 210 wpm: 296 ms of sound in all, shorter than min_speech_ms; it barges in as a
    # complete short word when it ends (its end plus word_end_ms).
    "speech_word_10": 390.0,
}


def speech(outcomes: dict[str, ClipOutcome]) -> list[ClipOutcome]:
    return [o for o in outcomes.values() if o.clip.kind == "speech"]


def test_every_utterance_is_a_candidate_within_60_ms(ours: dict[str, ClipOutcome]) -> None:
    latencies: dict[str, float] = {}
    for outcome in speech(ours):
        assert outcome.candidate_latency_ms is not None, outcome.clip.id
        latencies[outcome.clip.id] = outcome.candidate_latency_ms
    for clip_id, latency in latencies.items():
        assert latency <= SLOW_ONSETS.get(clip_id, ONSET_BUDGET_MS), (clip_id, latency)
    slow = {clip_id for clip_id, latency in latencies.items() if latency > ONSET_BUDGET_MS}
    assert slow == set(SLOW_ONSETS)  # a clip that got faster should leave the list
    median = percentile(latencies.values(), 0.5)
    assert median is not None and median <= 25.0  # most start smoothly: their first frame


def test_every_utterance_barges_in_after_300_ms(ours: dict[str, ClipOutcome]) -> None:
    for outcome in speech(ours):
        clip_id, latency = outcome.clip.id, outcome.confirm_latency_ms
        assert latency is not None, clip_id
        assert latency <= LATE_CONFIRMATIONS.get(clip_id, CONFIRM_BUDGET_MS), (clip_id, latency)
        # Never before the caller has said 300 ms' worth (bar backdating over babble).
        assert latency >= 200.0, (clip_id, latency)


def test_no_noise_or_echo_ever_barges_in(ours: dict[str, ClipOutcome]) -> None:
    commits = [o.clip.id for o in ours.values() if o.clip.kind != "speech" and o.confirmed_ms]
    assert commits == []


def test_echo_never_even_pauses_the_agent(ours: dict[str, ClipOutcome]) -> None:
    assert [o.clip.id for o in ours.values() if o.clip.kind == "echo" and o.candidate_frames] == []


def test_noise_pauses_are_short(ours: dict[str, ClipOutcome]) -> None:
    for outcome in ours.values():
        if outcome.clip.kind != "noise":
            continue
        # A burst is a candidate from its first loud frame if that frame is smooth (a pop, a
        # cough), else from its second, until Silero rules it out (80 ms at most); babble until
        # it proves to be distant talk (under 300 ms of it, plus that first frame).
        bound = 340.0 if "babble" in outcome.clip.label else 80.0
        longest = outcome.longest_candidate_ms
        assert longest <= bound, (outcome.clip.id, longest)


def test_a_single_click_does_not_even_pause(ours: dict[str, ClipOutcome]) -> None:
    assert ours["noise_00"].candidate_frames == 0  # one loud frame, an impulse: too short
    assert ours["noise_02"].candidate_frames == 0  # ten of them, 100 ms apart


def test_silence_is_silent_and_results_are_frozen(silero_session: Any) -> None:
    detector = SpeechDetector(silero_session)
    result = detector.process(mulaw.silence(20), 0.0)
    assert result == DetectorResult(False, False, 0.0, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.is_candidate = True  # type: ignore[misc]
    settings = DetectorSettings()
    assert (settings.min_speech_ms, settings.echo_window_ms) == (300.0, 350.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.min_speech_ms = 500.0  # type: ignore[misc]


def test_confirmation_holds_until_the_utterance_ends_and_reset_forgets_it(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    clip = next(c for c in corpus if c.id == "speech_sentence_06")
    detector = SpeechDetector(silero_session)
    results = [
        detector.process(clip.audio[offset : offset + FRAME_BYTES], offset / mulaw.BYTES_PER_MS)
        for offset in range(0, len(clip.audio) - FRAME_BYTES + 1, FRAME_BYTES)
    ]
    confirmed = [r.is_confirmed for r in results]
    first = confirmed.index(True)
    assert all(r.is_candidate for r in results[first:] if r.is_confirmed)
    assert not confirmed[-1]  # the clip ends in silence: the utterance is over
    assert results[first].speech_ms >= 300.0
    detector.reset()
    assert detector.process(clip.audio[:FRAME_BYTES], 0.0) == DetectorResult(
        is_candidate=False, is_speech=False, speech_ms=0.0, is_confirmed=False
    )


def test_a_short_word_barges_in_when_it_ends_and_only_if_long_enough(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    clip = next(c for c in corpus if c.id == "speech_word_10")  # "stop", 296 ms
    assert clip.onset_ms is not None
    word = replay(SpeechDetector(silero_session), clip)
    assert word.confirmed_ms is not None
    spoken_end_ms = clip.onset_ms + 296.0
    assert spoken_end_ms + 40.0 <= word.confirmed_ms <= spoken_end_ms + 100.0  # + word_end_ms
    strict = DetectorSettings(min_word_ms=300.0)  # a word must be as long as the minimum
    assert replay(SpeechDetector(silero_session, strict), clip).confirmed_ms is None


def test_background_talk_may_hold_the_agent_but_is_never_likely_speech(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    for clip in corpus:
        if clip.kind != "noise" or "babble" not in clip.label:
            continue
        detector = SpeechDetector(silero_session)
        speech_frames = [
            offset
            for offset in range(0, len(clip.audio) - FRAME_BYTES + 1, FRAME_BYTES)
            if detector.process(
                clip.audio[offset : offset + FRAME_BYTES], offset / mulaw.BYTES_PER_MS
            ).is_speech
        ]
        assert speech_frames == [], clip.id


def test_a_longer_minimum_confirms_later(silero_session: Any, corpus: list[CorpusClip]) -> None:
    clip = next(c for c in corpus if c.id == "speech_sentence_10")  # one long phrase
    default = replay(SpeechDetector(silero_session), clip)
    patient = replay(SpeechDetector(silero_session, DetectorSettings(min_speech_ms=500.0)), clip)
    assert default.confirm_latency_ms is not None and patient.confirm_latency_ms is not None
    assert patient.confirm_latency_ms - default.confirm_latency_ms == pytest.approx(200.0, abs=40.0)


def test_the_whole_corpus_runs_far_faster_than_real_time(
    silero_session: Any, corpus: list[CorpusClip]
) -> None:
    audio_ms = sum(len(clip.audio) for clip in corpus) / mulaw.BYTES_PER_MS
    started = time.process_time()
    for clip in corpus:
        replay(SpeechDetector(silero_session), clip)
    cpu_ms = (time.process_time() - started) * 1000.0
    # Measured about 0.5% of real time (~105 us of CPU per 20 ms frame, agent audio and the
    # replay included) on one core; 10% leaves room for slow or busy CI machines.
    assert cpu_ms / audio_ms < 0.10, cpu_ms / audio_ms
