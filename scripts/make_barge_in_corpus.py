"""Generate the barge-in evaluation corpus: caller speech, short noises and agent echo.

    .venv/bin/python scripts/make_barge_in_corpus.py --out tests/corpus

Every clip is 8 kHz mono G.711 mu-law, raw (no header), as Twilio Media Streams deliver it. Each
starts with 500 ms (plus a random 0-19 ms, so onsets do not sit on frame boundaries) of a low
noise floor before the event. `manifest.json` describes each clip:

- `kind` `speech`: espeak-ng Hebrew or English (several voices and speeds, short words and
  sentences), some over background babble or over the agent's echo. `onset_ms` and
  `speech_end_ms` are the ground truth, measured on the clean speech before mixing.
- `kind` `noise`: clicks, pops, white and pink bursts, coughs, DTMF, keyboard taps, a door,
  quiet babble. `onset_ms` is null (no speech); `event_ms` says where the noise starts.
- `kind` `echo`: the agent's own audio coming back attenuated and delayed. `reference` is the
  agent audio as sent (mu-law, in `reference/`), `reference_start_ms` when it started playing on
  the clip's timeline, `echo_delay_ms` and `echo_attenuation_db` the echo path.

Deterministic: the same seed, espeak-ng and sox versions give the same bytes (sox runs without
dither). Needs espeak-ng and
sox on PATH (scripts/ensure-system-packages.sh installs them).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw
from agentlocator.simulator.noises import (
    at_level,
    band_pass,
    cough,
    ms_to_samples,
    pink,
    white,
)
from agentlocator.simulator.speech import dtmf_tone

RATE_HZ = mulaw.SAMPLE_RATE_HZ
SAMPLES_PER_MS = RATE_HZ // 1000
FULL_SCALE = 32768.0
PAD_MS = 500
TAIL_MS = 500
MAX_SPEECH_MS = 2000
DEFAULT_SEED = 20261123

Signal = npt.NDArray[np.float64]

# (text, voice, speed in words per minute, active-speech level in dBFS)
SHORT_WORDS: list[tuple[str, str, int, float]] = [
    ("כן", "he", 175, -20.0), ("כן", "he+f3", 210, -26.0), ("כן", "he+m3", 140, -32.0),
    ("רֶגַע", "he", 140, -26.0), ("רֶגַע", "he+f3", 175, -32.0), ("רֶגַע", "he+m3", 210, -20.0),
    ("לא", "he", 210, -32.0), ("לא", "he+f3", 140, -20.0), ("לא", "he+m3", 175, -26.0),
    ("stop", "en-us", 175, -20.0), ("stop", "en-gb", 210, -26.0), ("stop", "en-us+f3", 140, -32.0),
    ("wait", "en-gb", 140, -26.0), ("wait", "en-us+f3", 175, -32.0), ("wait", "en-us", 210, -20.0),
    ("yes", "en-us+f3", 210, -20.0), ("yes", "en-us", 140, -26.0), ("yes", "en-gb", 175, -32.0),
]  # fmt: skip
SENTENCES: list[tuple[str, str, int, float]] = [
    ("רֶגַע, אני רוצה לשאול משהו", "he", 175, -20.0),
    ("רֶגַע, אני רוצה לשאול משהו", "he+f3", 210, -32.0),
    ("לא, זה לא מתאים לי", "he+m3", 140, -26.0),
    ("לא, זה לא מתאים לי", "he+f3", 175, -20.0),
    ("אפשר לקבוע תור למחר בבוקר?", "he", 210, -26.0),
    ("אפשר לקבוע תור למחר בבוקר?", "he+m3", 175, -32.0),
    ("Wait, I have a question.", "en-us", 175, -26.0),
    ("Wait, I have a question.", "en-gb", 140, -20.0),
    ("No, that doesn't work for me.", "en-us+f3", 210, -26.0),
    ("No, that doesn't work for me.", "en-gb-x-rp+m5", 175, -32.0),
    ("Can I book an appointment for tomorrow?", "en-us", 140, -20.0),
    ("Can I book an appointment for tomorrow?", "en-us+f3", 175, -26.0),
]
# What the agent says (the echo reference): (id, text, voice, speed).
AGENT_LINES: list[tuple[str, str, str, int]] = [
    ("agent_he_1", "שלום, הגעתם למרפאת השיניים של דוקטור כהן, איך אפשר לעזור?", "he+f2", 175),
    ("agent_he_2", "יש לנו תור פנוי ביום שלישי בעשר בבוקר, זה מתאים לך?", "he+f4", 175),
    (
        "agent_en_1",
        "Hello, you have reached the clinic. How can I help you today?",
        "en-us+f2",
        175,
    ),
    ("agent_en_2", "We have a free slot on Tuesday at ten in the morning.", "en-gb+f4", 175),
]
AGENT_LEVEL_DBFS = -18.0
AGENT_MAX_MS = 2500
BABBLE_LINES: list[tuple[str, str]] = [
    ("מה שלומך היום, הכל בסדר בבית?", "he+m2"),
    ("אני חושב שנלך לים בשבת בבוקר", "he+f5"),
    ("The weather is lovely this afternoon, isn't it?", "en-us+m4"),
    ("I will call you back after the meeting tonight.", "en-gb+f1"),
    ("תביא את הילדים מהגן בארבע", "he+m6"),
]


@dataclass
class Clip:
    """One generated clip and its manifest entry."""

    id: str
    kind: str
    label: str
    audio: Signal
    onset_ms: float | None
    extra: dict[str, Any] = field(default_factory=dict)


def decode(ulaw: bytes) -> Signal:
    return mulaw.decode(ulaw).astype(np.float64)


def encode(signal: Signal) -> bytes:
    return mulaw.encode(np.clip(np.round(signal), -32768, 32767).astype(np.int16))


def active_span(signal: Signal, relative_db: float = -40.0) -> tuple[int, int]:
    """First and one-past-last sample of 2 ms blocks louder than `relative_db` below the peak."""
    block = 2 * SAMPLES_PER_MS
    usable = signal.size // block * block
    blocks = np.sqrt(np.mean(signal[:usable].reshape(-1, block) ** 2, axis=1))
    loud = np.nonzero(blocks > blocks.max() * 10.0 ** (relative_db / 20.0))[0]
    return int(loud[0]) * block, (int(loud[-1]) + 1) * block


@functools.cache
def espeak(text: str, voice: str, speed_wpm: int) -> Signal:
    """espeak-ng speech as 8 kHz linear samples, bit-reproducible.

    Unlike `agentlocator.simulator.speech.espeak`, sox runs with `-R -D` (repeatable, no
    dither): sox dithers with a fresh random seed by default, which would make every run differ.
    """
    espeak_path, sox_path = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak_path is None or sox_path is None:
        raise SystemExit("espeak-ng and sox are needed: run scripts/ensure-system-packages.sh")
    wav = subprocess.run(  # noqa: S603  (fixed argv from shutil.which, text on stdin)
        [espeak_path, "-v", voice, "-s", str(speed_wpm), "--stdin", "--stdout"],
        input=text.encode("utf-8"), capture_output=True, check=True,
    ).stdout  # fmt: skip
    pcm = subprocess.run(  # noqa: S603  (fixed argv from shutil.which)
        [sox_path, "-R", "-D", "-q", "-t", "wav", "-", "-r", str(RATE_HZ), "-c", "1",
         "-e", "signed", "-b", "16", "-t", "raw", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def speech(text: str, voice: str, speed_wpm: int, dbfs: float, max_ms: int) -> Signal:
    """espeak-ng speech trimmed to its active span, at `dbfs` active level, at most `max_ms`."""
    raw = espeak(text, voice, speed_wpm)
    start, end = active_span(raw)
    trimmed = raw[start:end][: ms_to_samples(max_ms)].copy()
    fade = min(ms_to_samples(10), trimmed.size)
    trimmed[trimmed.size - fade :] *= np.linspace(1.0, 0.0, fade)
    return at_level(trimmed, dbfs)


def noise_floor(rng: np.random.Generator, count: int) -> Signal:
    """A quiet line: pink noise between -62 and -55 dBFS."""
    return at_level(pink(rng, count), float(rng.uniform(-62.0, -55.0)))


def place(canvas: Signal, signal: Signal, at: int) -> None:
    end = min(canvas.size, at + signal.size)
    canvas[at:end] += signal[: end - at]


def click(rng: np.random.Generator) -> Signal:
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return np.array([sign * 0.9 * FULL_SCALE, -sign * 0.3 * FULL_SCALE])


def pop(rng: np.random.Generator, dbfs_peak: float) -> Signal:
    """A plosive-like thump: a step plus a fast-decaying low tone."""
    count = ms_to_samples(60)
    t = np.arange(count) / RATE_HZ
    tone = np.sin(2 * np.pi * rng.uniform(60.0, 120.0) * t) * np.exp(-t / 0.012)
    tone[:4] += np.linspace(1.0, 0.2, 4)
    return tone / np.abs(tone).max() * FULL_SCALE * 10.0 ** (dbfs_peak / 20.0)


def burst(rng: np.random.Generator, duration_ms: int, dbfs: float, color: str) -> Signal:
    count = ms_to_samples(duration_ms)
    noise = white(rng, count) if color == "white" else pink(rng, count)
    ramp = min(ms_to_samples(2), count // 2)
    envelope = np.ones(count)
    envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
    envelope[count - ramp :] = np.linspace(1.0, 0.0, ramp)
    return at_level(noise, dbfs) * envelope


def key_tap(rng: np.random.Generator, dbfs_peak: float) -> Signal:
    """One key: a 2 ms noise tick ringing at a few kHz, then a soft low bottom-out."""
    count = ms_to_samples(25)
    t = np.arange(count) / RATE_HZ
    ring = np.sin(2 * np.pi * rng.uniform(2000.0, 3500.0) * t) * np.exp(-t / 0.003)
    tick = np.zeros(count)
    tick[: ms_to_samples(2)] = white(rng, ms_to_samples(2))
    thock = np.sin(2 * np.pi * rng.uniform(150.0, 300.0) * t) * np.exp(-t / 0.006) * 0.5
    tap = ring + tick * 0.6 + np.roll(thock, ms_to_samples(8))
    return tap / np.abs(tap).max() * FULL_SCALE * 10.0 ** (dbfs_peak / 20.0)


def door(rng: np.random.Generator) -> Signal:
    """A door closing: a low thump and a short rattle of decaying noise bursts."""
    count = ms_to_samples(400)
    t = np.arange(count) / RATE_HZ
    thump = np.sin(2 * np.pi * rng.uniform(50.0, 80.0) * t) * np.exp(-t / 0.05)
    rattle = band_pass(white(rng, count), 800.0, 3500.0) * np.exp(-t / 0.08) * 0.3
    signal = thump + rattle
    return signal / np.abs(signal).max() * FULL_SCALE * 10.0 ** (-8.0 / 20.0)


def babble(rng: np.random.Generator, count: int, dbfs: float) -> Signal:
    """`count` samples of several espeak voices talking at once, summed and set to `dbfs`."""
    mix = np.zeros(count)
    for text, voice in BABBLE_LINES:
        line = espeak(text, voice, int(rng.integers(150, 200)))
        line = np.tile(line, count // line.size + 2)
        offset = int(rng.integers(0, line.size - count))
        mix += at_level(line[offset : offset + count], -30.0)
    return at_level(mix, dbfs)


class Builder:
    """Collects clips; every clip gets its own generator seeded from the corpus seed and its id."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.clips: list[Clip] = []
        self.references: dict[str, Signal] = {}

    def rng(self, clip_id: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(clip_id.encode())])

    def canvas(self, rng: np.random.Generator, event_ms: float) -> tuple[Signal, int]:
        """A noise-floor canvas long enough for the event, and where the event starts."""
        start = ms_to_samples(PAD_MS) + int(rng.integers(0, 20 * SAMPLES_PER_MS))
        total = start + ms_to_samples(event_ms + TAIL_MS)
        return noise_floor(rng, total), start

    def add_speech(
        self,
        clip_id: str,
        label: str,
        voice_line: tuple[str, str, int, float],
        background: Callable[[np.random.Generator, int], Signal] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        text, voice, speed_wpm, dbfs = voice_line
        rng = self.rng(clip_id)
        spoken = speech(text, voice, speed_wpm, dbfs, MAX_SPEECH_MS)
        audio, start = self.canvas(rng, spoken.size / SAMPLES_PER_MS)
        if background is not None:
            audio += background(rng, audio.size)
        place(audio, spoken, start)
        self.clips.append(
            Clip(
                id=clip_id,
                kind="speech",
                label=label,
                audio=audio,
                onset_ms=start / SAMPLES_PER_MS,
                extra={
                    "speech_end_ms": (start + spoken.size) / SAMPLES_PER_MS,
                    "text": text,
                    "voice": voice,
                    "speed_wpm": speed_wpm,
                    "level_dbfs": dbfs,
                    **(extra or {}),
                },
            )
        )

    def add_noise(
        self,
        clip_id: str,
        label: str,
        make: Callable[[np.random.Generator], Signal],
        extra: dict[str, Any] | None = None,
    ) -> None:
        rng = self.rng(clip_id)
        event = make(rng)
        audio, start = self.canvas(rng, max(event.size / SAMPLES_PER_MS, 1000.0))
        place(audio, event, start)
        self.clips.append(
            Clip(
                id=clip_id,
                kind="noise",
                label=label,
                audio=audio,
                onset_ms=None,
                extra={
                    "event_ms": start / SAMPLES_PER_MS,
                    "event_duration_ms": event.size / SAMPLES_PER_MS,
                    **(extra or {}),
                },
            )
        )

    def agent(self, line_id: str) -> Signal:
        """The agent line as sent: espeak at the agent level, mu-law round-tripped."""
        if line_id not in self.references:
            _, text, voice, speed = next(line for line in AGENT_LINES if line[0] == line_id)
            sent = speech(text, voice, speed, AGENT_LEVEL_DBFS, AGENT_MAX_MS)
            self.references[line_id] = decode(encode(sent))
        return self.references[line_id]

    def echo_of(
        self, rng: np.random.Generator, line_id: str, delay_ms: int, attenuation_db: float
    ) -> tuple[Signal, int, dict[str, Any]]:
        """A canvas with the agent line echoed back, its start, and the manifest fields."""
        reference = self.agent(line_id)
        audio, start = self.canvas(rng, reference.size / SAMPLES_PER_MS + delay_ms)
        echo = reference * 10.0 ** (-attenuation_db / 20.0)
        place(audio, echo, start + ms_to_samples(delay_ms))
        fields = {
            "reference": f"reference/{line_id}.ulaw",
            "reference_start_ms": start / SAMPLES_PER_MS,
            "echo_delay_ms": delay_ms,
            "echo_attenuation_db": attenuation_db,
        }
        return audio, start, fields

    def add_echo(self, clip_id: str, line_id: str, delay_ms: int, attenuation_db: float) -> None:
        rng = self.rng(clip_id)
        audio, _, fields = self.echo_of(rng, line_id, delay_ms, attenuation_db)
        label = f"agent echo -{attenuation_db:g} dB, {delay_ms} ms"
        self.clips.append(Clip(clip_id, "echo", label, audio, None, fields))

    def add_double_talk(
        self,
        clip_id: str,
        line_id: str,
        delay_ms: int,
        attenuation_db: float,
        voice_line: tuple[str, str, int, float],
    ) -> None:
        """The caller starts speaking 600-900 ms into the agent's echo."""
        rng = self.rng(clip_id)
        audio, start, fields = self.echo_of(rng, line_id, delay_ms, attenuation_db)
        text, voice, speed_wpm, dbfs = voice_line
        spoken = speech(text, voice, speed_wpm, dbfs, MAX_SPEECH_MS)
        onset = start + ms_to_samples(int(rng.integers(600, 900)))
        audio = np.concatenate((audio, np.zeros(max(0, onset + spoken.size - audio.size))))
        place(audio, spoken, onset)
        self.clips.append(
            Clip(
                id=clip_id,
                kind="speech",
                label=f"{text} over agent echo -{attenuation_db:g} dB",
                audio=audio,
                onset_ms=onset / SAMPLES_PER_MS,
                extra={
                    "speech_end_ms": (onset + spoken.size) / SAMPLES_PER_MS,
                    "text": text,
                    "voice": voice,
                    "speed_wpm": speed_wpm,
                    "level_dbfs": dbfs,
                    **fields,
                },
            )
        )


def build(seed: int) -> Builder:
    builder = Builder(seed)
    for index, line in enumerate(SHORT_WORDS):
        builder.add_speech(f"speech_word_{index:02d}", f"word {line[0]!r}", line)
    for index, line in enumerate(SENTENCES):
        builder.add_speech(f"speech_sentence_{index:02d}", f"sentence {line[0]!r}", line)

    def quiet_babble(rng: np.random.Generator, count: int) -> Signal:
        return babble(rng, count, -46.0)

    builder.add_speech("speech_babble_00", "'wait' over babble", ("wait", "en-us", 175, -26.0),
                       quiet_babble, {"background": "babble -46 dBFS"})  # fmt: skip
    builder.add_speech("speech_babble_01", "'רגע' over babble", ("רֶגַע", "he", 175, -26.0),
                       quiet_babble, {"background": "babble -46 dBFS"})  # fmt: skip
    builder.add_double_talk("speech_echo_00", "agent_he_1", 60, 15.0, ("לא", "he", 175, -26.0))
    builder.add_double_talk(
        "speech_echo_01", "agent_en_1", 100, 15.0, ("stop", "en-us", 175, -26.0)
    )
    builder.add_double_talk(
        "speech_echo_02", "agent_he_2", 80, 25.0, ("רֶגַע, אני רוצה לשאול משהו", "he+f3", 175, -32.0)
    )
    builder.add_double_talk(
        "speech_echo_03", "agent_en_2", 120, 25.0, ("Wait, I have a question.", "en-gb", 175, -26.0)
    )

    def clicks(count: int, spacing_ms: float) -> Callable[[np.random.Generator], Signal]:
        def make(rng: np.random.Generator) -> Signal:
            out = np.zeros(ms_to_samples(spacing_ms * count + 10))
            for index in range(count):
                place(out, click(rng), ms_to_samples(index * spacing_ms + rng.uniform(0, 10)))
            return out

        return make

    def taps(count: int, level: float) -> Callable[[np.random.Generator], Signal]:
        def make(rng: np.random.Generator) -> Signal:
            gaps = rng.uniform(80.0, 220.0, count)
            out = np.zeros(ms_to_samples(float(gaps.sum()) + 30))
            for index in range(count):
                place(out, key_tap(rng, level), ms_to_samples(float(gaps[:index].sum())))
            return out

        return make

    def dtmf(digits: str, tone_ms: int, gap_ms: int) -> Callable[[np.random.Generator], Signal]:
        def make(rng: np.random.Generator) -> Signal:
            del rng
            parts = []
            for digit in digits:
                parts += [decode(dtmf_tone(digit, tone_ms)), np.zeros(ms_to_samples(gap_ms))]
            return np.concatenate(parts)

        return make

    def cough_over_babble(rng: np.random.Generator) -> Signal:
        background = babble(rng, ms_to_samples(1500), -42.0)
        place(background, cough(rng, 250, -14.0), ms_to_samples(600))
        return background

    def taps_over_babble(rng: np.random.Generator) -> Signal:
        background = babble(rng, ms_to_samples(1500), -46.0)
        place(background, taps(6, -10.0)(rng), ms_to_samples(300))
        return background

    noises: list[tuple[str, Callable[[np.random.Generator], Signal]]] = [
        ("click, single", clicks(1, 50.0)),
        ("clicks, 3 in 150 ms", clicks(3, 50.0)),
        ("clicks, 10 in 1 s", clicks(10, 100.0)),
        ("pop, -6 dBFS peak", lambda rng: pop(rng, -6.0)),
        ("pop, -16 dBFS peak", lambda rng: pop(rng, -16.0)),
        ("white burst 50 ms -20 dBFS", lambda rng: burst(rng, 50, -20.0, "white")),
        ("white burst 100 ms -14 dBFS", lambda rng: burst(rng, 100, -14.0, "white")),
        ("white burst 200 ms -24 dBFS", lambda rng: burst(rng, 200, -24.0, "white")),
        ("white burst 200 ms -12 dBFS", lambda rng: burst(rng, 200, -12.0, "white")),
        ("pink burst 50 ms -16 dBFS", lambda rng: burst(rng, 50, -16.0, "pink")),
        ("pink burst 100 ms -22 dBFS", lambda rng: burst(rng, 100, -22.0, "pink")),
        ("pink burst 200 ms -16 dBFS", lambda rng: burst(rng, 200, -16.0, "pink")),
        ("cough 180 ms", lambda rng: cough(rng, 180, -14.0)),
        ("cough 250 ms quiet", lambda rng: cough(rng, 250, -24.0)),
        ("cough 300 ms loud", lambda rng: cough(rng, 300, -10.0)),
        (
            "double cough",
            lambda rng: np.concatenate((cough(rng, 220, -14.0), cough(rng, 260, -16.0))),
        ),
        ("DTMF '5' 100 ms", dtmf("5", 100, 0)),
        ("DTMF '0' 250 ms", dtmf("0", 250, 0)),
        ("DTMF '1234' 100/60 ms", dtmf("1234", 100, 60)),
        ("DTMF '#' 400 ms", dtmf("#", 400, 0)),
        ("keyboard, 8 taps", taps(8, -14.0)),
        ("keyboard, 12 taps loud", taps(12, -6.0)),
        ("door closing", door),
        ("babble -46 dBFS, 1.5 s", lambda rng: babble(rng, ms_to_samples(1500), -46.0)),
        ("babble -42 dBFS, 1.5 s", lambda rng: babble(rng, ms_to_samples(1500), -42.0)),
        ("cough over babble -42 dBFS", cough_over_babble),
        ("keyboard over babble -46 dBFS", taps_over_babble),
    ]
    for index, (label, make) in enumerate(noises):
        builder.add_noise(f"noise_{index:02d}", label, make)

    echoes = [
        ("agent_he_1", 40, 15.0), ("agent_he_1", 120, 25.0), ("agent_he_1", 80, 15.0),
        ("agent_he_2", 80, 25.0), ("agent_he_2", 40, 25.0), ("agent_he_2", 120, 15.0),
        ("agent_en_1", 120, 15.0), ("agent_en_1", 60, 25.0), ("agent_en_1", 100, 15.0),
        ("agent_en_2", 100, 25.0), ("agent_en_2", 40, 15.0), ("agent_en_2", 80, 25.0),
    ]  # fmt: skip
    for index, (line_id, delay_ms, attenuation_db) in enumerate(echoes):
        builder.add_echo(f"echo_{index:02d}", line_id, delay_ms, attenuation_db)
    return builder


def tool_versions() -> dict[str, str]:
    """espeak-ng and sox versions: the same seed and versions give the same bytes."""
    versions = {}
    for name in ("espeak-ng", "sox"):
        path = shutil.which(name)
        if path is None:
            continue
        completed = subprocess.run(  # noqa: S603  (fixed argv from shutil.which)
            [path, "--version"], capture_output=True, text=True, check=False
        )
        found = re.search(r"\d+\.\d+(?:\.\d+)?", completed.stdout)
        versions[name] = found.group(0) if found else "unknown"
    return versions


def write(builder: Builder, out: Path) -> int:
    """Write clips, references and the manifest under `out`; return the bytes written."""
    for folder in ("clips", "reference"):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for stale in (out / folder).glob("*.ulaw"):
            stale.unlink()
    written = 0
    entries = []
    for clip in builder.clips:
        data = encode(clip.audio)
        (out / "clips" / f"{clip.id}.ulaw").write_bytes(data)
        written += len(data)
        entries.append(
            {
                "id": clip.id,
                "file": f"clips/{clip.id}.ulaw",
                "kind": clip.kind,
                "label": clip.label,
                "onset_ms": clip.onset_ms,
                "duration_ms": len(data) / mulaw.BYTES_PER_MS,
                **clip.extra,
            }
        )
    for line_id, reference in builder.references.items():
        data = encode(reference)
        (out / "reference" / f"{line_id}.ulaw").write_bytes(data)
        written += len(data)
    manifest = {
        "description": "Barge-in evaluation corpus, generated by scripts/make_barge_in_corpus.py",
        "encoding": "mu-law (G.711), raw, mono",
        "sample_rate_hz": RATE_HZ,
        "seed": builder.seed,
        "tools": tool_versions(),
        "clips": entries,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return written + len(text.encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/corpus"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    builder = build(args.seed)
    size = write(builder, args.out)
    kinds = {
        kind: sum(clip.kind == kind for clip in builder.clips)
        for kind in ("speech", "noise", "echo")
    }
    summary = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    sys.stdout.write(f"{len(builder.clips)} clips ({summary}), {size / 1e6:.2f} MB in {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
