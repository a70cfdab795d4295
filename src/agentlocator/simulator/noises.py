"""Synthesised line noises for simulated callers: coughs and the building blocks of others.

Shared by the whole-call scenarios (a cough during a reply) and the barge-in corpus script.
Levels are in dBFS, where 0 dBFS is the RMS of full scale (32768).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw

RATE_HZ = mulaw.SAMPLE_RATE_HZ
SAMPLES_PER_MS = RATE_HZ // 1000
FULL_SCALE = 32768.0

Signal = npt.NDArray[np.float64]


def db_to_rms(dbfs: float) -> float:
    """RMS on the 16-bit scale of a level in dBFS (0 dBFS = RMS of full scale, 32768)."""
    return FULL_SCALE * float(10.0 ** (dbfs / 20.0))


def ms_to_samples(ms: float) -> int:
    return round(ms * SAMPLES_PER_MS)


def white(rng: np.random.Generator, count: int) -> Signal:
    return rng.standard_normal(count)


def pink(rng: np.random.Generator, count: int) -> Signal:
    """Unit-RMS 1/f noise, shaped in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(max(count, 2)))
    frequencies = np.fft.rfftfreq(max(count, 2), d=1.0 / RATE_HZ)
    spectrum /= np.sqrt(np.maximum(frequencies, 20.0))
    shaped = np.fft.irfft(spectrum, n=max(count, 2))[:count]
    return shaped / (np.sqrt(np.mean(shaped**2)) or 1.0)


def band_pass(signal: Signal, low_hz: float, high_hz: float) -> Signal:
    """Brick-wall band-pass in the frequency domain (fine for generated noise)."""
    spectrum = np.fft.rfft(signal)
    frequencies = np.fft.rfftfreq(signal.size, d=1.0 / RATE_HZ)
    spectrum[(frequencies < low_hz) | (frequencies > high_hz)] = 0.0
    return np.fft.irfft(spectrum, n=signal.size)


def at_level(signal: Signal, dbfs: float) -> Signal:
    level = float(np.sqrt(np.mean(signal**2))) or 1.0
    return signal * (db_to_rms(dbfs) / level)


def cough(rng: np.random.Generator, duration_ms: int, dbfs: float) -> Signal:
    """Band-passed noise (about 300-3000 Hz) with a fast attack and an exponential decay."""
    count = ms_to_samples(duration_ms)
    noise = band_pass(white(rng, count), rng.uniform(250.0, 400.0), rng.uniform(2500.0, 3400.0))
    t = np.arange(count) / RATE_HZ
    attack = np.minimum(t / 0.006, 1.0)
    envelope = attack * np.exp(-t / rng.uniform(0.05, 0.09))
    shaped: Signal = noise * envelope
    peak_part = shaped[: ms_to_samples(60)]
    return shaped * (db_to_rms(dbfs) / (float(np.sqrt(np.mean(peak_part**2))) or 1.0))


def cough_audio(duration_ms: int = 180, dbfs: float = -14.0, seed: int = 0) -> bytes:
    """A cough as 8 kHz mu-law: loud, short and not speech."""
    signal = cough(np.random.default_rng(seed), duration_ms, dbfs)
    return mulaw.encode(np.clip(np.round(signal), -32768, 32767).astype(np.int16))
