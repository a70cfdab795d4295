"""Is an inbound frame the agent's own voice coming back? Correlate it with what we sent.

We know every byte of agent audio we sent and when. `EchoGuard` lays that audio on a playout
timeline (a chunk starts when it is sent or when the previous one ends, whichever is later, as
Twilio plays chunks back to back) and, for an inbound 20 ms frame, searches the reference over
delays 0..`max_delay_ms` for the segment that best explains it: normalised cross-correlation,
then the least-squares gain, accepted only inside a plausible echo attenuation range. When the
best single delay explains most but not all of the frame (a phone's echo path is a filter, not a
pure delay), a short FIR path around that delay is fitted by least squares. Subtracting the fit
leaves the residual: close to the noise floor for pure echo, close to the caller's voice when the
caller talks over the echo.

Once three frames in a row match almost perfectly at one delay, that delay is trusted (locked) and
checked first, over a few lags only: the common case, steady echo, then costs a small fraction
of the full search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw

_SAMPLES_PER_MS = mulaw.SAMPLE_RATE_HZ // 1000
_DECODE_FLOAT = mulaw.decode(bytes(range(256))).astype(np.float32)
_EMPTY = np.zeros(0, dtype=np.float32)
_TINY_ENERGY = 1e-3
_LOCK_TOLERANCE = _SAMPLES_PER_MS  # a trusted delay may drift by 1 ms
_LOCK_FRAMES = 3  # assessed frames in a row matching at one delay make it trusted
_GOOD_ENOUGH = 0.97  # a single delay explaining this share needs no FIR refinement...
# ...nor one that leaves less than the caller's `quiet_rms`.


@dataclass(frozen=True, slots=True)
class EchoAssessment:
    """How much of one inbound frame the agent's recent audio explains.

    Attributes:
        likelihood: share of the frame's energy explained by the agent's delayed, scaled (or
            filtered) audio, 0..1; 0.0 when no agent audio was played within reach or nothing
            matched well enough to be called echo.
        residual_rms: what is left after subtracting that echo (16-bit scale).
        residual: the left-over samples themselves (float, 16-bit scale).
        delay_ms: the echo delay found, if any.
        gain_db: the single-delay echo gain found, if any (negative: attenuation).
    """

    likelihood: float
    residual_rms: float
    residual: npt.NDArray[np.float32] = field(compare=False, repr=False)
    delay_ms: float | None = None
    gain_db: float | None = None


@dataclass(frozen=True, slots=True)
class _Match:
    lag: int  # index into the searched segment: delay = max_delay - lag (samples)
    likelihood: float
    gain: float
    fitted: npt.NDArray[np.float32]
    single_likelihood: float  # what the best single delay alone explains


class EchoGuard:
    """Reference-based echo detector for one call.

    A delay is trusted once three frames in a row match almost perfectly there
    (`lock_likelihood`); from then on a weaker match at that delay (`tracked_likelihood`, as
    when the caller talks over the echo) is still subtracted. Away from the trusted delay only
    a close match counts (`accept_likelihood`): voiced speech is periodic, so a caller's frame
    can resemble some 20 ms of agent audio at some delay by chance, but rarely that closely and
    not three times in a row at the same delay.

    Args:
        echo_window_ms: how long after agent audio stops playing its echo is still expected.
        max_delay_ms: the largest echo delay searched (round trip plus acoustic path).
        min_attenuation_db: the loudest echo accepted, in dB below the reference.
        max_attenuation_db: the quietest echo accepted, in dB below the reference.
        lock_likelihood: share of a frame's energy three matches in a row must explain to make
            their delay the trusted one.
        accept_likelihood: share a match away from the trusted delay must explain.
        tracked_likelihood: share a match at the trusted delay must explain.
        path_taps: length of the FIR echo path fitted around the best delay (1: a pure delay).
    """

    def __init__(
        self,
        echo_window_ms: float = 350.0,
        max_delay_ms: float = 150.0,
        min_attenuation_db: float = 9.0,
        max_attenuation_db: float = 40.0,
        lock_likelihood: float = 0.9,
        accept_likelihood: float = 0.8,
        tracked_likelihood: float = 0.25,
        path_taps: int = 9,
    ) -> None:
        self.echo_window_ms = echo_window_ms
        self.max_delay_ms = max_delay_ms
        self.lock_likelihood = lock_likelihood
        self.accept_likelihood = accept_likelihood
        self.tracked_likelihood = tracked_likelihood
        self.path_taps = max(path_taps, 1)
        self._max_delay = round(max_delay_ms * _SAMPLES_PER_MS)
        self._max_gain = 10.0 ** (-min_attenuation_db / 20.0)
        self._min_gain = 10.0 ** (-max_attenuation_db / 20.0)
        self._history = round((echo_window_ms + max_delay_ms) * _SAMPLES_PER_MS)
        self._reference = _EMPTY
        self._origin = 0  # absolute sample index of self._reference[0]
        self._audible_until = -math.inf  # absolute ms when the last pushed audio ends playing
        self._locked_delay: int | None = None  # in samples
        self._strong_delay: int | None = None  # delay of the previous frame, if it matched well
        self._strong_count = 0  # frames in a row that matched well at about that delay

    @property
    def locked_delay_ms(self) -> float | None:
        """The trusted echo delay, once three frames in a row matched the reference there."""
        return None if self._locked_delay is None else self._locked_delay / _SAMPLES_PER_MS

    def reset(self) -> None:
        """Forget all agent audio and the trusted delay."""
        self._reference = _EMPTY
        self._origin = 0
        self._audible_until = -math.inf
        self._locked_delay = None
        self._strong_delay = None
        self._strong_count = 0

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Record agent audio (mu-law) sent at `sent_at_ms`; it plays after what was sent before."""
        if not audio:
            return
        samples = _DECODE_FLOAT[np.frombuffer(audio, dtype=np.uint8)]
        start = round(sent_at_ms * _SAMPLES_PER_MS)
        self._forget_before(start - self._history)
        end = self._origin + self._reference.size
        if self._reference.size == 0:
            self._reference, self._origin = samples.copy(), start
        elif start <= end:
            self._reference = np.concatenate((self._reference, samples))
        else:
            gap = np.zeros(start - end, dtype=np.float32)
            self._reference = np.concatenate((self._reference, gap, samples))
        self._audible_until = (self._origin + self._reference.size) / _SAMPLES_PER_MS

    def discard_unplayed(self, now_ms: float) -> None:
        """Drop agent audio scheduled to play after `now_ms` (after a Twilio `clear`)."""
        keep = round(now_ms * _SAMPLES_PER_MS) - self._origin
        if keep < self._reference.size:
            self._reference = self._reference[: max(keep, 0)]
            self._audible_until = min(self._audible_until, now_ms)

    def is_active(self, now_ms: float) -> bool:
        """True while agent audio plays or its echo may still arrive (the echo window)."""
        return now_ms <= self._audible_until + self.echo_window_ms

    def assess(self, frame: bytes, now_ms: float, quiet_rms: float = 0.0) -> EchoAssessment:
        """Explain the inbound mu-law `frame`, which starts at `now_ms`, by recent agent audio.

        `quiet_rms` is a residual level the caller does not care to go below (the energy gate's
        threshold, say): a single-delay match that gets there is not refined further.
        """
        samples = _DECODE_FLOAT[np.frombuffer(frame, dtype=np.uint8)]
        return self.assess_samples(samples, now_ms, quiet_rms)

    def assess_samples(
        self, samples: npt.NDArray[np.float32], now_ms: float, quiet_rms: float = 0.0
    ) -> EchoAssessment:
        """`assess` for decoded samples (float32, 16-bit scale)."""
        count = samples.size
        frame_energy = float(np.dot(samples, samples))
        frame_rms = math.sqrt(frame_energy / count) if count else 0.0
        start = round(now_ms * _SAMPLES_PER_MS)
        self._forget_before(start - self._history)
        segment = self._segment(start - self._max_delay, start + count)
        match = None
        if count and frame_energy > _TINY_ENERGY and segment.any():
            good_enough = min(_GOOD_ENOUGH, 1.0 - quiet_rms * quiet_rms * count / frame_energy)
            match = self._match(samples, segment, frame_energy, good_enough)
        if match is None:
            return EchoAssessment(likelihood=0.0, residual_rms=frame_rms, residual=samples)
        residual = samples - match.fitted
        return EchoAssessment(
            likelihood=match.likelihood,
            residual_rms=math.sqrt(float(np.dot(residual, residual)) / count),
            residual=residual,
            delay_ms=(self._max_delay - match.lag) / _SAMPLES_PER_MS,
            gain_db=20.0 * math.log10(abs(match.gain)) if match.gain else None,
        )

    def _match(
        self,
        samples: npt.NDArray[np.float32],
        segment: npt.NDArray[np.float32],
        energy: float,
        good_enough: float,
    ) -> _Match | None:
        """The echo to subtract, if any, updating the trusted delay."""
        tracked = None
        search = (samples, segment, energy, good_enough)
        if self._locked_delay is not None:
            center = self._max_delay - self._locked_delay
            tracked = self._best(*search, center - _LOCK_TOLERANCE, center + _LOCK_TOLERANCE)
            if tracked is not None and tracked.likelihood >= self.lock_likelihood:
                return tracked
        found = self._best(*search, 0, self._max_delay)
        if found is not None and found.likelihood >= self.lock_likelihood:
            delay = self._max_delay - found.lag
            previous = self._strong_delay
            same = previous is not None and abs(previous - delay) <= _LOCK_TOLERANCE
            self._strong_count = self._strong_count + 1 if same else 1
            self._strong_delay = delay
            if self._strong_count >= _LOCK_FRAMES:
                self._locked_delay = delay
            return found
        self._strong_delay = None
        self._strong_count = 0
        # A fitted filter explains more by construction: away from the trusted delay, only a
        # single delay may count with less than `lock_likelihood`.
        if found is not None and found.single_likelihood >= self.accept_likelihood:
            return found
        if tracked is not None and tracked.likelihood >= self.tracked_likelihood:
            return tracked
        return None

    def _best(
        self,
        samples: npt.NDArray[np.float32],
        segment: npt.NDArray[np.float32],
        energy: float,
        good_enough: float,
        first_lag: int,
        last_lag: int,
    ) -> _Match | None:
        """Best single-delay match over lags first..last (clipped), refined by an FIR fit."""
        count = samples.size
        first_lag, last_lag = max(first_lag, 0), min(last_lag, segment.size - count)
        if first_lag > last_lag:
            return None
        part = segment[first_lag : last_lag + count]
        # correlation[k] = <samples, part[k : k + count]>; lag = first_lag + k
        correlation = np.correlate(part, samples, mode="valid").astype(np.float64)
        squares = np.empty(part.size + 1)
        squares[0] = 0.0
        np.cumsum(np.square(part, dtype=np.float64), out=squares[1:])
        lag_energy = squares[count:] - squares[:-count]
        magnitude = np.abs(correlation)
        plausible = (magnitude >= self._min_gain * lag_energy) & (
            magnitude <= self._max_gain * lag_energy
        )
        explained = np.where(
            plausible & (lag_energy > _TINY_ENERGY),
            correlation * correlation / np.maximum(lag_energy, _TINY_ENERGY),
            0.0,
        )
        index = int(np.argmax(explained))
        likelihood = float(explained[index]) / energy
        if likelihood <= 0.0:
            return None
        lag = first_lag + index
        gain = float(correlation[index] / lag_energy[index])
        fitted = np.float32(gain) * segment[lag : lag + count]
        likelihood = min(likelihood, 1.0)
        match = _Match(lag, likelihood, gain, fitted, single_likelihood=likelihood)
        if self.path_taps > 1 and 0.5 <= likelihood < good_enough:
            match = self._refine(samples, segment, energy, match)
        return match

    def _refine(
        self,
        samples: npt.NDArray[np.float32],
        segment: npt.NDArray[np.float32],
        energy: float,
        match: _Match,
    ) -> _Match:
        """Least-squares FIR echo path of `path_taps` lags centred on the match, if it helps."""
        count = samples.size
        half = self.path_taps // 2
        first = max(match.lag - half, 0)
        last = min(match.lag + half, segment.size - count)
        basis = np.stack([segment[lag : lag + count] for lag in range(first, last + 1)])
        basis64 = basis.astype(np.float64)
        gram = basis64 @ basis64.T
        gram[np.diag_indices_from(gram)] += _TINY_ENERGY + 1e-6 * float(np.trace(gram))
        weights = np.linalg.solve(gram, basis64 @ samples.astype(np.float64))
        fitted = (weights @ basis64).astype(np.float32)
        residual = samples - fitted
        likelihood = 1.0 - float(np.dot(residual, residual)) / energy
        if likelihood <= match.likelihood:
            return match
        return _Match(match.lag, likelihood, match.gain, fitted, match.single_likelihood)

    def _segment(self, start: int, end: int) -> npt.NDArray[np.float32]:
        """Reference samples for absolute indices [start, end), zeros where nothing played."""
        lo = start - self._origin
        hi = end - self._origin
        size = self._reference.size
        if lo >= 0 and hi <= size:
            return self._reference[lo:hi]
        out = np.zeros(end - start, dtype=np.float32)
        src_lo, src_hi = max(lo, 0), min(hi, size)
        if src_lo < src_hi:
            out[src_lo - lo : src_hi - lo] = self._reference[src_lo:src_hi]
        return out

    def _forget_before(self, start: int) -> None:
        drop = start - self._origin
        if drop <= 0 or self._reference.size == 0:
            return
        if drop >= self._reference.size:
            self._origin += self._reference.size
            self._reference = _EMPTY
            return
        self._reference = self._reference[drop:]  # a view: the next push copies anyway
        self._origin = start
