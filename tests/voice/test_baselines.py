"""The two naive baselines on the corpus: what they really do, for the comparison table."""

from __future__ import annotations

import numpy as np
from barge_in_corpus import ClipOutcome

from agentlocator.audio import mulaw
from agentlocator.voice import DetectorResult, RmsBaseline, WebrtcVadBaseline


def ids(outcomes: dict[str, ClipOutcome], kind: str, *, confirmed: bool) -> set[str]:
    return {
        o.clip.id
        for o in outcomes.values()
        if o.clip.kind == kind and (o.confirmed_ms is not None) == confirmed
    }


def labels(outcomes: dict[str, ClipOutcome], clip_ids: set[str]) -> set[str]:
    return {outcomes[clip_id].clip.label for clip_id in clip_ids}


def test_rms_baseline_pauses_on_every_burst_and_commits_on_long_ones(
    rms_baseline: dict[str, ClipOutcome],
) -> None:
    noise = [o for o in rms_baseline.values() if o.clip.kind == "noise"]
    # Every click, pop, burst, cough, tone and tap is loud: a candidate (a pause) each time.
    quiet = {o.clip.label for o in noise if o.first_candidate_ms is None}
    assert quiet == {"babble -46 dBFS, 1.5 s"}
    # Anything loud for 300 ms barges in: long coughs, a long DTMF tone.
    assert labels(rms_baseline, ids(rms_baseline, "noise", confirmed=True)) == {
        "cough 300 ms loud",
        "double cough",
        "DTMF '#' 400 ms",
        "cough over babble -42 dBFS",
    }


def test_rms_baseline_barges_in_on_loud_echo_and_misses_short_or_soft_words(
    rms_baseline: dict[str, ClipOutcome],
) -> None:
    echo_commits = labels(rms_baseline, ids(rms_baseline, "echo", confirmed=True))
    assert echo_commits and all("-15 dB" in label for label in echo_commits)
    assert len(echo_commits) >= 4
    missed = ids(rms_baseline, "speech", confirmed=False)
    # Words dip under RMS 350 between phonemes, so 300 ms of consecutive loud frames is rare.
    assert len(missed) >= 10
    assert all(rms_baseline[clip_id].clip.id.startswith("speech_") for clip_id in missed)


def test_webrtcvad_baseline_hears_speech_in_everything(
    webrtc_baseline: dict[str, ClipOutcome],
) -> None:
    assert len(ids(webrtc_baseline, "speech", confirmed=False)) <= 1  # it rarely misses...
    noise_commits = ids(webrtc_baseline, "noise", confirmed=True)
    echo_commits = ids(webrtc_baseline, "echo", confirmed=True)
    assert len(noise_commits) >= 8  # ...because bursts, coughs, taps and tones are speech too
    assert len(echo_commits) >= 8
    # It fires on the quiet line before most utterances even start.
    speech = [o for o in webrtc_baseline.values() if o.clip.kind == "speech"]
    assert sum(o.is_early_candidate for o in speech) >= 10


def test_baselines_share_the_detector_interface() -> None:
    loud = mulaw.encode((np.sin(np.arange(160) / 3) * 8000).astype(np.int16))
    for detector in (RmsBaseline(), WebrtcVadBaseline()):
        detector.push_agent_audio(loud, 0.0)  # ignored: no echo handling
        assert detector.process(mulaw.silence(20), 0.0) == DetectorResult(False, False, 0.0, False)
        results = [detector.process(loud, 20.0 * i) for i in range(15)]
        if isinstance(detector, RmsBaseline):
            assert results[0] == DetectorResult(True, True, 20.0, False)
            assert results[14] == DetectorResult(True, True, 300.0, True)
        detector.reset()
