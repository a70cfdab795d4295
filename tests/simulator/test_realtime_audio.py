"""The fake Realtime engine's audio: formats, synthetic voice, delta chunking, energy VAD."""

from __future__ import annotations

import random
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlocator.audio import mulaw
from agentlocator.simulator.realtime_audio import (
    AudioFormat,
    VoiceConfig,
    alaw_decode,
    alaw_encode,
    synthesize_speech,
)
from agentlocator.simulator.realtime_planning import plan_chunk_sizes
from agentlocator.simulator.realtime_vad import EnergyVad, SpeechStarted, SpeechStopped, VadSettings

PCMU = AudioFormat("audio/pcmu")


def test_formats_know_their_byte_arithmetic() -> None:
    pcm = AudioFormat.from_wire({"type": "audio/pcm", "rate": 24000})
    assert (pcm.bytes_per_ms, pcm.frame_bytes, pcm.to_wire()["rate"]) == (48, 960, 24000)
    assert (PCMU.bytes_per_ms, PCMU.frame_bytes, PCMU.duration_ms(1200)) == (8, 160, 150.0)
    assert AudioFormat.from_wire(None).type == "audio/pcm"


def test_alaw_matches_the_reference_codec() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop  # the stdlib reference implementation on Python 3.11

    pcm = np.arange(-32768, 32768, 5, dtype=np.int16)
    encoded = alaw_encode(pcm)
    assert encoded == audioop.lin2alaw(pcm.tobytes(), 2)
    assert alaw_decode(encoded).tobytes() == audioop.alaw2lin(encoded, 2)


def test_synthetic_voice_is_deterministic_sized_by_text_and_loud_enough() -> None:
    text = "שלום, הגעתם למרפאה."  # 19 characters
    audio = synthesize_speech("item_a", text, PCMU)
    assert audio == synthesize_speech("item_a", text, PCMU)
    assert len(audio) == (19 * 65) * 8
    windows = [mulaw.rms(audio[i : i + 160]) for i in range(160, len(audio) - 320, 160)]
    assert min(windows) > 1000  # well above the 600 VAD threshold in every 20 ms
    assert len(synthesize_speech("item_b", "hi", PCMU)) == 600 * 8  # clamped up
    assert len(synthesize_speech("item_c", "x" * 500, PCMU)) == 8000 * 8  # clamped down
    short = VoiceConfig(ms_per_char=10, min_ms=100, max_ms=200)
    assert len(synthesize_speech("item_d", "abcdefghijklmno", PCMU, short)) == 150 * 8


def test_no_two_items_share_audio_even_with_the_same_text() -> None:
    first = synthesize_speech("item_1", "תודה ולהתראות", PCMU)
    second = synthesize_speech("item_2", "תודה ולהתראות", PCMU)
    assert first != second
    # No 20 ms slice of one item appears in the other: replayed audio is always detectable.
    assert all(first[i : i + 160] not in second for i in range(0, len(first) - 160, 160))


def test_pcm_voice_is_16_bit_at_24_khz() -> None:
    audio = synthesize_speech("item_1", "hello there", AudioFormat("audio/pcm"))
    assert len(audio) == 715 * 48


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=1, max_value=200_000), seed=st.integers(0, 2**32))
def test_chunks_cover_the_audio_and_are_never_whole_frames(total: int, seed: int) -> None:
    sizes = plan_chunk_sizes(total, PCMU, random.Random(seed), (40.0, 240.0))
    assert sum(sizes) == total
    assert all(size > 0 and size % 160 != 0 for size in sizes)


def test_pcm_chunks_keep_whole_samples() -> None:
    pcm = AudioFormat("audio/pcm")
    sizes = plan_chunk_sizes(48_000, pcm, random.Random(3), (40.0, 240.0))
    assert sum(sizes) == 48_000
    assert all(size % 2 == 0 and size % 960 != 0 for size in sizes)
    assert len(set(sizes)) > 3  # irregular


def vad_run(audio: bytes, settings: VadSettings) -> list[SpeechStarted | SpeechStopped]:
    vad = EnergyVad(settings, 8000)
    events = []
    for start in range(0, len(audio), 137):  # odd-sized appends: windows span appends
        events.extend(vad.feed(mulaw.decode(audio[start : start + 137])))
    return events


def test_vad_reports_onset_minus_padding_and_end_plus_silence() -> None:
    speech = synthesize_speech("caller", "a" * 20, PCMU)  # 1300 ms
    audio = mulaw.silence(1000) + speech + mulaw.silence(1000)
    events = vad_run(audio, VadSettings(prefix_padding_ms=300, silence_duration_ms=500))
    assert len(events) == 2
    started, stopped = events
    assert isinstance(started, SpeechStarted) and isinstance(stopped, SpeechStopped)
    assert 1000 <= started.onset_ms <= 1040
    assert started.audio_start_ms == started.onset_ms - 300
    assert 2300 + 500 - 40 <= stopped.audio_end_ms <= 2300 + 500


def test_vad_ignores_quiet_audio_and_honours_the_threshold() -> None:
    tone = mulaw.encode((np.sin(np.arange(8000) / 3) * 500).astype(np.int16))  # RMS ~350
    assert vad_run(tone, VadSettings()) == []
    assert len(vad_run(tone + mulaw.silence(600), VadSettings(rms_threshold=300))) == 2


def test_vad_padding_never_reaches_before_the_previous_turn() -> None:
    speech = synthesize_speech("caller", "a" * 10, PCMU)
    audio = speech + mulaw.silence(600) + speech + mulaw.silence(600)
    events = vad_run(audio, VadSettings(prefix_padding_ms=2000, silence_duration_ms=500))
    first_stop, second_start = events[1], events[2]
    assert isinstance(first_stop, SpeechStopped) and isinstance(second_start, SpeechStarted)
    assert second_start.audio_start_ms == first_stop.audio_end_ms
