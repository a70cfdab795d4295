"""Streaming Silero VAD over onnxruntime, fed Twilio's 20 ms mu-law frames.

The 8 kHz Silero graph takes 256-sample (32 ms) windows preceded by the last 32 samples of the
previous window as context, plus a recurrent state it returns updated. `SileroVad` buffers
20 ms frames into those windows, carries the context and the state, and returns the speech
probability of every window a frame completes (none or one for a 20 ms frame).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw

WINDOW_SAMPLES = 256
CONTEXT_SAMPLES = 32
WINDOW_MS = WINDOW_SAMPLES * 1000 / mulaw.SAMPLE_RATE_HZ  # 32.0
_STATE_SHAPE = (2, 1, 128)
_SAMPLE_RATE = np.array(mulaw.SAMPLE_RATE_HZ, dtype=np.int64)
# Decoded mu-law straight to the model's float scale ([-1, 1)), one table lookup per sample.
_DECODE_FLOAT = (mulaw.decode(bytes(range(256))).astype(np.float32) / 32768.0).astype(np.float32)


class SileroVad:
    """Speech probability per 32 ms window of a mu-law stream, from one shared ONNX session.

    Not thread-safe (it holds one stream's state); the session it is given may be shared by any
    number of `SileroVad` instances (see `agentlocator.voice.silero_model.shared_session`).
    """

    def __init__(self, session: Any) -> None:
        self._session = session
        self._state = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._input = np.zeros((1, CONTEXT_SAMPLES + WINDOW_SAMPLES), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._last_probability = 0.0

    @property
    def last_probability(self) -> float:
        """Probability of the most recent complete window (0.0 before the first)."""
        return self._last_probability

    @property
    def pending_ms(self) -> float:
        """Audio buffered towards the next window, in milliseconds."""
        return self._pending.size * 1000.0 / mulaw.SAMPLE_RATE_HZ

    def reset(self) -> None:
        """Forget the stream: recurrent state, context and any partial window."""
        self._state = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._input[:] = 0.0
        self._pending = np.zeros(0, dtype=np.float32)
        self._last_probability = 0.0

    def process(self, frame: bytes) -> list[float]:
        """Feed mu-law audio; return the probability of each window it completes, in order."""
        return self.process_samples(_DECODE_FLOAT[np.frombuffer(frame, dtype=np.uint8)])

    def process_samples(self, samples: npt.NDArray[np.float32]) -> list[float]:
        """Feed float samples in [-1, 1) at 8 kHz; return the probability of each full window."""
        buffered = np.concatenate((self._pending, samples)) if self._pending.size else samples
        probabilities: list[float] = []
        start = 0
        while buffered.size - start >= WINDOW_SAMPLES:
            probabilities.append(self._run(buffered[start : start + WINDOW_SAMPLES]))
            start += WINDOW_SAMPLES
        self._pending = buffered[start:].astype(np.float32, copy=True)
        return probabilities

    def _run(self, window: npt.NDArray[np.float32]) -> float:
        self._input[0, CONTEXT_SAMPLES:] = window
        output, self._state = self._session.run(
            None, {"input": self._input, "state": self._state, "sr": _SAMPLE_RATE}
        )
        self._input[0, :CONTEXT_SAMPLES] = window[-CONTEXT_SAMPLES:]
        self._last_probability = float(output[0, 0])
        return self._last_probability
