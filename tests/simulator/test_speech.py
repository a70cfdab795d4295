"""Caller audio sources: espeak-ng through sox, the synthetic voice, DTMF, silence."""

import numpy as np
import pytest

from agentlocator.audio import mulaw
from agentlocator.simulator import speech


def frame_rms(audio: bytes) -> list[float]:
    return [mulaw.rms(audio[i : i + 160]) for i in range(0, len(audio) - 159, 160)]


def test_synthetic_speech_is_deterministic_and_loud_enough_for_an_energy_vad() -> None:
    audio = speech.synthetic_speech(2000, seed=7)
    assert len(audio) == 2000 * mulaw.BYTES_PER_MS
    assert audio == speech.synthetic_speech(2000, seed=7)
    assert audio != speech.synthetic_speech(2000, seed=8)
    assert mulaw.rms(audio) > 3000
    assert min(frame_rms(audio)) > 1000  # no silent frame inside the utterance
    assert speech.synthetic_speech(0) == b""


def test_synthetic_speech_is_voiced_not_noise() -> None:
    samples = mulaw.decode(speech.synthetic_speech(1000, seed=1)).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    frequencies = np.fft.rfftfreq(len(samples), 1 / 8000)
    low_band = spectrum[(frequencies > 80) & (frequencies < 1000)].sum()
    high_band = spectrum[frequencies > 3000].sum()
    assert low_band > 5 * high_band


def test_dtmf_tone_holds_its_two_frequencies() -> None:
    samples = mulaw.decode(speech.dtmf_tone("5", 200)).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    frequencies = np.fft.rfftfreq(len(samples), 1 / 8000)
    strongest = sorted(frequencies[np.argsort(spectrum)[-2:]])
    assert strongest == pytest.approx([770, 1336], abs=5)
    assert len(speech.dtmf_tone("#", 100)) == 800
    with pytest.raises(ValueError, match="DTMF"):
        speech.dtmf_tone("x")


def test_silence_is_mulaw_silence() -> None:
    assert speech.silence(20) == mulaw.silence(20)
    assert mulaw.rms(speech.silence(100)) == 0.0


@pytest.mark.skipif(not speech.speech_available(), reason="espeak-ng and sox are not installed")
def test_espeak_gives_8khz_mulaw_speech_and_caches_it() -> None:
    audio = speech.espeak("שלום, אני רוצה לקבוע תור למחר")
    assert 1.0 < mulaw.duration_ms(audio) / 1000 < 5.0
    assert mulaw.rms(audio) > 1000
    assert audio[:4] != b"RIFF"  # raw mu-law, no container
    assert speech.espeak("שלום, אני רוצה לקבוע תור למחר") is audio
    english = speech.espeak("-dash first", voice="en-us", speed_wpm=220)
    assert len(english) > 0


@pytest.mark.skipif(not speech.speech_available(), reason="espeak-ng and sox are not installed")
async def test_espeak_async_shares_the_cache() -> None:
    audio = await speech.espeak_async("בדיקה", speed_wpm=190)
    assert audio is speech.espeak("בדיקה", speed_wpm=190)


@pytest.mark.skipif(not speech.speech_available(), reason="espeak-ng and sox are not installed")
def test_espeak_reports_an_unknown_voice() -> None:
    with pytest.raises(speech.SpeechSynthesisError, match="espeak-ng"):
        speech.espeak("hello", voice="zz")


def test_missing_tools_raise_speech_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert not speech.speech_available()
    with pytest.raises(speech.SpeechUnavailable, match="espeak-ng and sox not found"):
        speech.espeak("a line nobody synthesised before", voice="en-us", speed_wpm=123)
