"""Audio for the fake Realtime engine: the three GA formats and a deterministic speech-like voice.

The engine hears the caller by decoding whatever format the session declares, and speaks by
synthesising a waveform per output item. The voice is not speech, but it looks like speech to an
energy VAD and to a person reading a level meter: a few harmonics of a 120-220 Hz fundamental with
a syllable-rate envelope. Everything about it is derived from (item id, text), so a test can match
what the phone played against one item's bytes and spot audio that was played twice or skipped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw

FormatType = Literal["audio/pcm", "audio/pcmu", "audio/pcma"]

_PCM_RATE_HZ = 24000
_G711_RATE_HZ = 8000
_FRAME_MS = 20


@dataclass(frozen=True)
class AudioFormat:
    """One of the session's `audio.*.format` values, with the byte arithmetic it implies."""

    type: FormatType

    @classmethod
    def from_wire(cls, value: dict[str, Any] | None) -> AudioFormat:
        """Read `{"type": "audio/pcmu"}` and friends; a missing type means the pcm default."""
        kind = (value or {}).get("type") or "audio/pcm"
        if kind == "audio/pcmu":
            return cls("audio/pcmu")
        if kind == "audio/pcma":
            return cls("audio/pcma")
        if kind == "audio/pcm":
            return cls("audio/pcm")
        raise ValueError(f"unsupported audio format {kind!r}")

    def to_wire(self) -> dict[str, Any]:
        """The format as the session object spells it."""
        if self.type == "audio/pcm":
            return {"type": "audio/pcm", "rate": _PCM_RATE_HZ}
        return {"type": self.type}

    @property
    def sample_rate_hz(self) -> int:
        """Samples per second (24 kHz for pcm, 8 kHz for G.711)."""
        return _PCM_RATE_HZ if self.type == "audio/pcm" else _G711_RATE_HZ

    @property
    def sample_bytes(self) -> int:
        """Bytes per sample: 16-bit little-endian pcm, one byte for G.711."""
        return 2 if self.type == "audio/pcm" else 1

    @property
    def bytes_per_ms(self) -> int:
        """48 for pcm 24 kHz, 8 for pcmu/pcma."""
        return self.sample_rate_hz * self.sample_bytes // 1000

    @property
    def frame_bytes(self) -> int:
        """The size of 20 ms, the unit telephony audio usually arrives in."""
        return self.bytes_per_ms * _FRAME_MS

    def duration_ms(self, byte_count: int) -> float:
        """Playing time of `byte_count` bytes of this format."""
        return byte_count / self.bytes_per_ms

    def to_linear(self, data: bytes) -> npt.NDArray[np.int16]:
        """Decode to 16-bit samples (a trailing odd byte of pcm is ignored)."""
        if self.type == "audio/pcmu":
            return mulaw.decode(data)
        if self.type == "audio/pcma":
            return alaw_decode(data)
        usable = len(data) - len(data) % 2
        return np.frombuffer(data[:usable], dtype="<i2").astype(np.int16)

    def from_linear(self, samples: npt.NDArray[np.int16]) -> bytes:
        """Encode 16-bit samples in this format."""
        if self.type == "audio/pcmu":
            return mulaw.encode(samples)
        if self.type == "audio/pcma":
            return alaw_encode(samples)
        return samples.astype("<i2").tobytes()


def _build_alaw_tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int16]]:
    # A port of CPython audioop's st_linear2alaw / st_alaw2linear16, as numpy tables.
    values = np.arange(-32768, 32768, dtype=np.int32) >> 3
    negative = values < 0
    mask = np.where(negative, 0x55, 0xD5)
    magnitude = np.where(negative, -values - 1, values)
    segment = np.searchsorted(
        np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]), magnitude
    )
    shift = np.where(segment < 2, 1, segment)
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> shift) & 0xF))
    encode = (code ^ mask).astype(np.uint8)

    a_val = np.arange(256) ^ 0x55
    mantissa = (a_val & 0xF) << 4
    seg = (a_val & 0x70) >> 4
    linear = np.where(seg == 0, mantissa + 8, (mantissa + 0x108) << np.maximum(seg - 1, 0))
    decode = np.where(a_val & 0x80, linear, -linear).astype(np.int16)
    return encode, decode


_ALAW_ENCODE, _ALAW_DECODE = _build_alaw_tables()


def alaw_encode(pcm: npt.NDArray[np.int16]) -> bytes:
    """Linear 16-bit samples to G.711 A-law bytes."""
    return bytes(_ALAW_ENCODE[pcm.astype(np.int32) + 32768])


def alaw_decode(data: bytes) -> npt.NDArray[np.int16]:
    """G.711 A-law bytes to linear 16-bit samples."""
    return _ALAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


@dataclass(frozen=True)
class VoiceConfig:
    """How long and how loud the synthetic voice is."""

    ms_per_char: float = 65.0
    min_ms: int = 600
    max_ms: int = 8000
    peak_amplitude: int = 10000


def speech_duration_ms(text: str, voice: VoiceConfig) -> int:
    """Roughly 65 ms per character, clamped so short replies still last a moment."""
    return int(min(max(round(len(text) * voice.ms_per_char), voice.min_ms), voice.max_ms))


def synthesize_speech(
    item_id: str, text: str, audio_format: AudioFormat, voice: VoiceConfig | None = None
) -> bytes:
    """Deterministic speech-like audio for one output item, encoded in `audio_format`."""
    voice = voice or VoiceConfig()
    digest = hashlib.sha256(f"{item_id}\x00{text}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    rate = audio_format.sample_rate_hz
    count = speech_duration_ms(text, voice) * rate // 1000
    t = np.arange(count) / rate

    fundamental_hz = rng.uniform(120.0, 220.0)
    vibrato = 1.0 + 0.03 * np.sin(2 * np.pi * rng.uniform(3.0, 6.0) * t + rng.uniform(0, 6.3))
    phase = 2 * np.pi * np.cumsum(fundamental_hz * vibrato) / rate
    weights = rng.uniform(0.3, 1.0, size=5) / np.arange(1, 6)
    carrier = sum(w * np.sin((k + 1) * phase + rng.uniform(0, 6.3)) for k, w in enumerate(weights))
    carrier = carrier / np.max(np.abs(carrier))
    # Syllables: a 3.5-5.5 Hz envelope that never drops below 30 %, so every 20 ms window
    # stays well above an energy VAD threshold while still sounding "spoken" on a meter.
    syllable_hz = rng.uniform(3.5, 5.5)
    envelope = 0.65 + 0.35 * np.sin(2 * np.pi * syllable_hz * t + rng.uniform(0, 6.3))
    fade = np.minimum(1.0, np.minimum(np.arange(count), np.arange(count)[::-1]) / (0.015 * rate))
    signal = voice.peak_amplitude * carrier * envelope * fade
    signal += rng.normal(0.0, 120.0, size=count)
    samples = np.clip(np.round(signal), -32768, 32767).astype(np.int16)
    return audio_format.from_linear(samples)
