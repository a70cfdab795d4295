"""What a simulated caller says, as 8 kHz mu-law: espeak-ng speech, synthetic voice, DTMF, silence.

espeak-ng + sox give real (robotic) speech when they are installed; `synthetic_speech` is a
deterministic stand-in that an energy VAD treats as speech, for machines without them and for
fast tests.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import subprocess

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw

_ESPEAK = "espeak-ng"
_SOX = "sox"
_SYNTHESIS_TIMEOUT_SECS = 30.0

# Row and column frequencies of the DTMF keypad (ITU-T Q.23).
_DTMF_HZ: dict[str, tuple[float, float]] = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip
_SYNTHETIC_RMS = 5000.0  # conversational level: ~-16 dBFS, far above any energy-VAD threshold
_DTMF_TONE_AMPLITUDE = 7000.0  # per tone, about -13 dBFS: a typical keypad level


class SpeechSynthesisError(RuntimeError):
    """espeak-ng or sox failed to turn the text into audio."""


class SpeechUnavailable(SpeechSynthesisError):
    """espeak-ng or sox is not installed, so `espeak` cannot synthesise anything."""


_CALLER_RMS = 3277.0  # -20 dBFS on the 16-bit scale
_FIRST_SOUND_LEVEL = 1000  # 16-bit sample magnitude: espeak-ng's leading silence is far below


def speech_available() -> bool:
    """True when both espeak-ng and sox are on PATH."""
    return shutil.which(_ESPEAK) is not None and shutil.which(_SOX) is not None


def espeak(text: str, voice: str = "he", speed_wpm: int = 175) -> bytes:
    """`text` spoken by espeak-ng as 8 kHz mono mu-law bytes (raw, no header).

    Results are memoised per (text, voice, speed), so repeating a line across many simulated
    calls costs one synthesis. Raises `SpeechUnavailable` when espeak-ng or sox is missing and
    `SpeechSynthesisError` when either fails (an unknown voice, for instance).
    """
    return _espeak_cached(text, voice, speed_wpm)


async def espeak_async(text: str, voice: str = "he", speed_wpm: int = 175) -> bytes:
    """`espeak` in a worker thread, so a first synthesis never stalls the calls on the loop."""
    return await asyncio.to_thread(espeak, text, voice, speed_wpm)


@functools.lru_cache(maxsize=512)
def _espeak_cached(text: str, voice: str, speed_wpm: int) -> bytes:
    espeak_path = shutil.which(_ESPEAK)
    sox_path = shutil.which(_SOX)
    if espeak_path is None or sox_path is None:
        missing = [name for name, path in ((_ESPEAK, espeak_path), (_SOX, sox_path)) if not path]
        raise SpeechUnavailable(
            f"{' and '.join(missing)} not found on PATH; install the espeak-ng and sox packages"
        )
    # The text goes through stdin so that text starting with "-" is never read as an option.
    wav = _run(
        [espeak_path, "-v", voice, "-s", str(speed_wpm), "--stdin", "--stdout"],
        text.encode("utf-8"),
    )
    ulaw = _run(
        [sox_path, "-q", "-t", "wav", "-", "-r", "8000", "-c", "1", "-e", "u-law", "-b", "8",
         "-t", "raw", "-"],
        wav,
    )  # fmt: skip
    if not ulaw:
        raise SpeechSynthesisError("espeak-ng produced no audio")
    return ulaw


def _run(command: list[str], stdin: bytes) -> bytes:
    try:
        completed = subprocess.run(  # noqa: S603  (fixed argv from shutil.which, no shell)
            command,
            input=stdin,
            capture_output=True,
            timeout=_SYNTHESIS_TIMEOUT_SECS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SpeechSynthesisError(f"{command[0]} failed: {error}") from error
    if completed.returncode != 0 or not completed.stdout:
        detail = completed.stderr.decode("utf-8", "replace").strip() or "no output"
        raise SpeechSynthesisError(f"{command[0]} exited with {completed.returncode}: {detail}")
    return completed.stdout


CALLER_LINES: tuple[tuple[str, str], ...] = (
    ("אני רוצה לקבוע תור למחר בבוקר, אם אפשר", "he"),
    ("רגע יש לי שאלה על המחירים שלכם", "he"),
    ("Sorry, I need to book an appointment for Sunday morning", "en"),
    ("סליחה, אפשר לדבר עם מישהו מהמרפאה בבקשה", "he"),
)
"""What simulated callers say in whole-call scenarios (real speech, so any VAD hears speech)."""


async def warm_caller_speech() -> None:
    """Synthesise `CALLER_LINES` off the loop, so `caller_speech` never blocks a running call."""
    if speech_available():
        await asyncio.gather(*(espeak_async(text, voice) for text, voice in CALLER_LINES))


def caller_speech(duration_ms: int, seed: int = 0) -> bytes:
    """`duration_ms` of a caller talking from its first syllable: one of `CALLER_LINES` (looped
    if short), or `synthetic_speech` where espeak-ng is not installed."""
    if not speech_available():
        return synthetic_speech(duration_ms, seed)
    text, voice = CALLER_LINES[seed % len(CALLER_LINES)]
    spoken = _at_caller_level(_from_first_sound(espeak(text, voice)))
    count = duration_ms * mulaw.BYTES_PER_MS
    return (spoken * (count // len(spoken) + 1))[:count]


def _from_first_sound(audio: bytes) -> bytes:
    pcm = np.abs(mulaw.decode(audio).astype(np.int32))
    loud = np.flatnonzero(pcm > _FIRST_SOUND_LEVEL)
    return audio[int(loud[0]) :] if loud.size else audio


def _at_caller_level(audio: bytes) -> bytes:
    """espeak-ng's level varies by voice; a caller close to the phone is about -20 dBFS."""
    pcm = mulaw.decode(audio).astype(np.float64)
    level = float(np.sqrt(np.mean(pcm * pcm))) or 1.0
    scaled = np.clip(pcm * (_CALLER_RMS / level), -32000.0, 32000.0)
    return mulaw.encode(scaled.astype(np.int16))


def synthetic_speech(duration_ms: int, seed: int = 0) -> bytes:
    """A deterministic speech-like signal: voiced harmonics shaped into syllables.

    A gliding fundamental (100-220 Hz) with harmonics under two formant bumps, amplitude
    modulated into 120-280 ms syllables with short dips between them. Its RMS is about 5000 on
    the 16-bit scale, far above what an energy VAD calls silence, and the same `seed` always gives
    the same bytes.
    """
    count = duration_ms * mulaw.BYTES_PER_MS
    if count <= 0:
        return b""
    rng = np.random.default_rng(seed)
    t = np.arange(count) / mulaw.SAMPLE_RATE_HZ
    base_hz = rng.uniform(100.0, 220.0)
    glide = 1.0 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.3, 0.8) * t + rng.uniform(0, 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(base_hz * glide) / mulaw.SAMPLE_RATE_HZ
    formants_hz = (rng.uniform(400.0, 800.0), rng.uniform(1100.0, 2000.0))
    voiced = np.zeros(count)
    for harmonic in range(1, 16):
        frequency_hz = base_hz * harmonic
        if frequency_hz >= 3600.0:
            break
        weight = sum(np.exp(-(((frequency_hz - f) / 250.0) ** 2)) for f in formants_hz)
        voiced += (0.15 + weight) / harmonic * np.sin(harmonic * phase)
    shaped = voiced * _syllable_envelope(count, rng)
    level = float(np.sqrt(np.mean(shaped * shaped))) or 1.0
    pcm = np.clip(shaped * (_SYNTHETIC_RMS / level), -32000.0, 32000.0)
    return mulaw.encode(pcm.astype(np.int16))


def _syllable_envelope(count: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    envelope = np.empty(count)
    position = 0
    while position < count:
        length = int(rng.uniform(0.12, 0.28) * mulaw.SAMPLE_RATE_HZ)
        rise = np.sin(np.linspace(0.0, np.pi, length))
        # The floor keeps syllable joins audible but never silent: a VAD must see one utterance.
        syllable = 0.3 + 0.7 * rise
        end = min(count, position + length)
        envelope[position:end] = syllable[: end - position]
        position = end
    return envelope


def dtmf_tone(digit: str, duration_ms: int = 100) -> bytes:
    """The dual tone of one keypad key (`0-9`, `*`, `#`, `A-D`) as mu-law bytes."""
    key = digit.upper()
    if key not in _DTMF_HZ:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    low_hz, high_hz = _DTMF_HZ[key]
    t = np.arange(duration_ms * mulaw.BYTES_PER_MS) / mulaw.SAMPLE_RATE_HZ
    pcm = _DTMF_TONE_AMPLITUDE * (np.sin(2 * np.pi * low_hz * t) + np.sin(2 * np.pi * high_hz * t))
    return mulaw.encode(pcm.astype(np.int16))


def silence(duration_ms: int) -> bytes:
    """Mu-law digital silence."""
    return mulaw.silence(duration_ms)
