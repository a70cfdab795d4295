"""G.711 mu-law codec with numpy lookup tables (bit-exact with CPython's audioop).

Twilio Media Streams and the Realtime `audio/pcmu` format are both mu-law at 8 kHz: one byte per
sample, so 8 bytes are one millisecond and a 20 ms frame is 160 bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_RATE_HZ = 8000
BYTES_PER_MS = 8
FRAME_MS = 20
FRAME_BYTES = FRAME_MS * BYTES_PER_MS


def _build_encode_table() -> npt.NDArray[np.uint8]:
    values = np.arange(-32768, 32768, dtype=np.int32) >> 2
    negative = values < 0
    magnitude = np.minimum(np.where(negative, -values, values), 8159) + 0x21
    segment = np.searchsorted(
        np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), magnitude
    )
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0xF))
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8)


def _build_decode_table() -> npt.NDArray[np.int16]:
    inverted = ~np.arange(256) & 0xFF
    magnitude = ((((inverted & 0xF) << 3) + 0x84) << ((inverted >> 4) & 7)) - 0x84
    return np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16)


_ENCODE = _build_encode_table()
_DECODE = _build_decode_table()

#: The mu-law byte for digital silence (linear 0).
SILENCE_BYTE = int(_ENCODE[32768])


def encode(pcm: npt.NDArray[np.int16]) -> bytes:
    """Linear 16-bit samples to mu-law bytes."""
    return bytes(_ENCODE[pcm.astype(np.int32) + 32768])


def decode(ulaw: bytes) -> npt.NDArray[np.int16]:
    """Mu-law bytes to linear 16-bit samples."""
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)]


def rms(ulaw: bytes) -> float:
    """Root mean square of the decoded samples (16-bit scale); 0.0 for no audio."""
    if not ulaw:
        return 0.0
    samples = decode(ulaw).astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples)))


def silence(duration_ms: int) -> bytes:
    """Mu-law digital silence of the given length."""
    return bytes([SILENCE_BYTE]) * (duration_ms * BYTES_PER_MS)


def duration_ms(ulaw: bytes | int) -> float:
    """Playing time of mu-law audio, given as bytes or as a byte count."""
    count = ulaw if isinstance(ulaw, int) else len(ulaw)
    return count / BYTES_PER_MS
