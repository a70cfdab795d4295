"""Caller speech while the agent talks: energy gate -> echo discount -> Silero, per 20 ms frame.

`SpeechDetector` is fed every inbound Twilio frame with its time and every chunk of agent audio
with the time it was sent. Per frame it answers three questions for the call's state machine:

- `is_candidate`: caller speech may be starting: pause the agent now, resume when it drops
  without `is_confirmed` (a cough, a click, a door: Silero rules them out within ~100 ms);
- `is_confirmed`: near-field speech has lasted `min_speech_ms`, or a short near word of at
  least `min_word_ms` has just ended: commit the barge-in;
- `speech_ms`: how much of that speech there is so far.

The stages keep it cheap: the energy gate passes only loud frames; while agent audio may be
echoing, a loud frame is first explained by the agent's own audio and only its residual counts;
the neural VAD wakes on a loud frame (with a little pre-roll) and sleeps again after a quiet spell.
The detector is pure: it reads no clock, does no I/O and never logs.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from agentlocator.audio import mulaw
from agentlocator.voice.echo import EchoGuard
from agentlocator.voice.energy_gate import EnergyGate, frame_rms
from agentlocator.voice.silero import WINDOW_MS, SileroVad

_DECODE_FLOAT = mulaw.decode(bytes(range(256))).astype(np.float32)
_TO_MODEL_SCALE = np.float32(1.0 / 32768.0)


@dataclass(frozen=True, slots=True)
class DetectorResult:
    """The detector's view after one inbound frame.

    Attributes:
        is_candidate: an utterance may be starting or is going on: pause the agent.
        is_speech: the latest 32 ms window was speech, and the utterance has come near.
        speech_ms: continuous speech so far, counted towards `is_confirmed`.
        is_confirmed: the speech has lasted the minimum, or was a complete short word: barge in.
    """

    is_candidate: bool
    is_speech: bool
    speech_ms: float
    is_confirmed: bool


SILENT = DetectorResult(is_candidate=False, is_speech=False, speech_ms=0.0, is_confirmed=False)
_CANDIDATE = DetectorResult(is_candidate=True, is_speech=False, speech_ms=0.0, is_confirmed=False)


class BargeInDetector(Protocol):
    """What the call state machine needs from any barge-in detector."""

    def process(self, frame: bytes, now_ms: float) -> DetectorResult:
        """Judge one inbound mu-law frame that starts at `now_ms`."""

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Tell the detector about agent audio (mu-law) sent to the caller at `sent_at_ms`."""

    def reset(self) -> None:
        """Forget the current utterance and any streaming state."""


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Knobs of `SpeechDetector`; the defaults follow SPEC section 9.

    Attributes:
        speech_threshold: Silero probability at or above which a 32 ms window is speech
            (lower is more sensitive).
        candidate_threshold: a lower probability that already raises `is_candidate` on a loud
            stretch, so the agent pauses before speech is certain.
        min_speech_ms: utterance length that confirms a barge-in.
        min_word_ms: near speech at least this long followed by `word_end_ms` without speech
            is a complete short word ("stop", "כן"): it confirms a barge-in when it ends, even
            under `min_speech_ms`. Noise does not reach it (Silero does not call it speech)
            and neither does background talk (it never comes near).
        word_end_ms: the silence that ends such a word (two Silero windows).
        max_gap_ms: a pause inside an utterance shorter than this does not end it.
        onset_backdate_ms: how far before its first speech window an utterance may be dated,
            when the energy gate opened earlier (Silero needs a window or two to be sure).
        echo_window_ms: how long after agent audio its echo is still expected.
        max_echo_delay_ms: the largest echo delay searched.
        gate_threshold_rms: absolute energy-gate threshold (16-bit RMS; 150 is about -47 dBFS).
        gate_floor_ratio: how far above the noise floor a frame must be to pass the gate.
        min_peak_rms: a frame of the utterance must reach this level (600 is about -35 dBFS)
            for it to count: the caller is near the microphone, background voices are not.
        background_after_ms: speech that stays below `min_peak_rms` this long is background
            talk; something near that starts over it is judged afresh.
        candidate_hold_ms: how long such a fresh start over background talk is a candidate.
        candidate_loud_ms: a loud stretch this long is a candidate before Silero has spoken.
        max_onset_crest: a stretch whose first loud frame is this smooth (peak / RMS at most
            this) is a candidate from that frame on. Speech starts smoothly (2-4 here); clicks
            and key taps are impulses (5-12) and wait for `candidate_loud_ms`, so a tapping
            keyboard does not make the agent stutter.
        veto_windows: Silero windows under `candidate_threshold` that rule a loud stretch out.
        release_ms: quiet time after which the neural VAD goes back to sleep.
        preroll_ms: audio before a loud frame replayed to the VAD when it wakes.
    """

    speech_threshold: float = 0.5
    candidate_threshold: float = 0.15
    min_speech_ms: float = 300.0
    min_word_ms: float = 200.0
    word_end_ms: float = 60.0
    max_gap_ms: float = 100.0
    onset_backdate_ms: float = 150.0
    echo_window_ms: float = 350.0
    max_echo_delay_ms: float = 150.0
    gate_threshold_rms: float = 150.0
    gate_floor_ratio: float = 3.0
    min_peak_rms: float = 600.0
    background_after_ms: float = 100.0
    candidate_hold_ms: float = 100.0
    candidate_loud_ms: float = 40.0
    max_onset_crest: float = 4.5
    veto_windows: int = 3
    release_ms: float = 200.0
    preroll_ms: float = 40.0


class SpeechDetector:
    """Gate -> echo discount -> Silero, with utterance tracking. One instance per call.

    Times are the caller stream's milliseconds (`now_ms` is where a frame starts); agent audio
    is stamped on the same clock. Not thread-safe; the ONNX session may be shared.

    An utterance opens on the first Silero window at or above `speech_threshold` (dated back to
    the start of the loud stretch, by at most `onset_backdate_ms`) and survives pauses up to
    `max_gap_ms`. It counts towards a barge-in only from its first window that is also near the
    microphone (a frame of it reaches `min_peak_rms`): distant voices keep Silero busy but never
    get that loud, and a cough over them is not speech either.
    """

    def __init__(self, session: Any, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self._gate = EnergyGate(
            threshold_rms=self.settings.gate_threshold_rms,
            floor_ratio=self.settings.gate_floor_ratio,
        )
        self._echo = EchoGuard(
            echo_window_ms=self.settings.echo_window_ms,
            max_delay_ms=self.settings.max_echo_delay_ms,
        )
        self._vad = SileroVad(session)
        preroll_frames = round(self.settings.preroll_ms / mulaw.FRAME_MS)
        self._preroll: collections.deque[npt.NDArray[np.float32]] = collections.deque(
            maxlen=max(preroll_frames, 1)
        )
        self._keep_preroll = preroll_frames > 0
        self._is_vad_awake = False
        # The loud stretch: frames passing the gate (after the echo discount), gaps bridged.
        self._loud_since_ms = -math.inf
        self._last_loud_end_ms = -math.inf
        self._stretch_windows = 0  # Silero windows scored since the stretch began
        self._is_smooth_onset = False  # the stretch's first frame was not an impulse
        # The last Silero window and the loudest frame since the window before it.
        self._probability = 0.0
        self._pending_peak_rms = 0.0
        # The utterance: Silero speech windows, gaps bridged.
        self._start_ms: float | None = None
        self._near_start_ms: float | None = None
        self._last_speech_end_ms = -math.inf
        self._last_near_end_ms = -math.inf
        self._is_background = False  # the utterance ran a while without getting near
        self._is_confirmed = False  # sticky until the utterance ends
        self._was_near_frame = False
        self._restart_ms = -math.inf  # when something near last started over background talk

    def reset(self) -> None:
        """Forget everything: utterance, VAD state, agent audio and noise floor."""
        self._gate.reset()
        self._echo.reset()
        self._sleep()
        self._loud_since_ms = -math.inf
        self._last_loud_end_ms = -math.inf

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Record agent audio sent at `sent_at_ms`, so that its echo is discounted."""
        self._echo.push_agent_audio(audio, sent_at_ms)

    def discard_unplayed(self, now_ms: float) -> None:
        """Agent audio after `now_ms` was cleared at Twilio and will never play."""
        self._echo.discard_unplayed(now_ms)

    def process(self, frame: bytes, now_ms: float) -> DetectorResult:
        """Judge one inbound mu-law frame that starts at `now_ms`."""
        end_ms = now_ms + mulaw.duration_ms(frame)
        samples = _DECODE_FLOAT[np.frombuffer(frame, dtype=np.uint8)]
        reading = self._gate.process_rms(frame_rms(frame))
        is_loud, level_rms = reading.is_loud, reading.rms
        if is_loud and self._echo.is_active(now_ms):
            echo = self._echo.assess_samples(samples, now_ms, reading.threshold_rms)
            samples, level_rms = echo.residual, echo.residual_rms
            is_loud = level_rms > reading.threshold_rms
        if is_loud:
            if now_ms - self._last_loud_end_ms > self.settings.max_gap_ms:
                self._loud_since_ms = now_ms
                self._stretch_windows = 0
                self._is_smooth_onset = _crest(samples, level_rms) <= self.settings.max_onset_crest
            self._last_loud_end_ms = end_ms
            if not self._is_vad_awake:
                self._wake()
        if not self._is_vad_awake:
            if self._keep_preroll:
                self._preroll.append(samples)
            return SILENT
        is_near_frame = level_rms >= self.settings.min_peak_rms
        is_rising = is_near_frame and not self._was_near_frame
        if is_rising and self._is_background and not self._is_confirmed:
            # Something near starts over background talk: judge it afresh, without the
            # background's context (Silero would otherwise call a cough over a TV speech).
            self._vad.reset()
            self._near_start_ms = None
            self._restart_ms = now_ms
        self._was_near_frame = is_near_frame
        self._listen(samples, level_rms, end_ms)
        if self._start_ms is None and end_ms - self._last_loud_end_ms >= self.settings.release_ms:
            self._sleep()
            return SILENT
        return self._result(end_ms)

    def _wake(self) -> None:
        self._is_vad_awake = True
        self._vad.reset()
        for earlier in self._preroll:
            self._vad.process_samples(earlier * _TO_MODEL_SCALE)
        self._preroll.clear()

    def _sleep(self) -> None:
        self._is_vad_awake = False
        self._vad.reset()
        self._preroll.clear()
        self._probability = 0.0
        self._pending_peak_rms = 0.0
        self._end_utterance()

    def _end_utterance(self) -> None:
        self._start_ms = None
        self._near_start_ms = None
        self._last_speech_end_ms = -math.inf
        self._last_near_end_ms = -math.inf
        self._is_background = False
        self._is_confirmed = False

    def _listen(self, samples: npt.NDArray[np.float32], level_rms: float, end_ms: float) -> None:
        probabilities = self._vad.process_samples(samples * _TO_MODEL_SCALE)
        peak_rms = max(self._pending_peak_rms, level_rms)
        # This frame's tail belongs to the next window too.
        self._pending_peak_rms = level_rms if probabilities else peak_rms
        last_window_end_ms = end_ms - self._vad.pending_ms
        for index, probability in enumerate(probabilities):
            window_end_ms = last_window_end_ms - (len(probabilities) - 1 - index) * WINDOW_MS
            self._score(probability, window_end_ms, peak_rms)
        if self._is_complete_word(end_ms):
            self._is_confirmed = True
        if self._start_ms is not None and end_ms - self._last_speech_end_ms > (
            self.settings.max_gap_ms
        ):
            self._end_utterance()
            return
        if (
            self._is_background
            and not self._is_confirmed
            and end_ms - self._last_near_end_ms > self.settings.max_gap_ms
        ):
            # Over background talk, only speech that stays near counts.
            self._near_start_ms = None
        if self._near_start_ms is not None and self._speech_ms() >= self.settings.min_speech_ms:
            self._is_confirmed = True

    def _score(self, probability: float, window_end_ms: float, peak_rms: float) -> None:
        self._probability = probability
        self._stretch_windows += 1
        if probability < self.settings.speech_threshold:
            return
        window_start_ms = window_end_ms - WINDOW_MS
        if self._start_ms is None:
            self._start_ms = self._backdate(window_start_ms, self._loud_since_ms)
        if peak_rms >= self.settings.min_peak_rms:
            if self._near_start_ms is None:
                self._near_start_ms = self._backdate(window_start_ms, self._start_ms)
            self._last_near_end_ms = window_end_ms
        elif self._near_start_ms is None and window_end_ms - self._start_ms >= (
            self.settings.background_after_ms
        ):
            self._is_background = True
        self._last_speech_end_ms = window_end_ms

    def _is_complete_word(self, end_ms: float) -> bool:
        """A short word said near the phone has just ended (`word_end_ms` without speech)."""
        return (
            not self._is_confirmed
            and not self._is_background
            and self._near_start_ms is not None
            and end_ms - self._last_speech_end_ms > self.settings.word_end_ms
            and self._speech_ms() >= self.settings.min_word_ms
        )

    def _backdate(self, window_start_ms: float, earliest_ms: float) -> float:
        """Silero needs a window or two to be sure: date speech back, a little, to `earliest_ms`."""
        earliest_ms = min(earliest_ms, window_start_ms)
        return max(earliest_ms, window_start_ms - self.settings.onset_backdate_ms)

    def _speech_ms(self) -> float:
        """The utterance so far: from its near start, if it has one (else from its start)."""
        start_ms = self._near_start_ms if self._near_start_ms is not None else self._start_ms
        return 0.0 if start_ms is None else max(self._last_speech_end_ms - start_ms, 0.0)

    def _result(self, end_ms: float) -> DetectorResult:
        if self._start_ms is None:
            return _CANDIDATE if self._is_onset_candidate(end_ms) else SILENT
        speech_ms = self._speech_ms()
        # Long but never near is background talk (a TV, another room): stop pausing for it,
        # except briefly when something near starts over it.
        is_background_talk = (
            self._near_start_ms is None
            and speech_ms >= self.settings.min_speech_ms
            and end_ms - self._restart_ms > self.settings.candidate_hold_ms
        )
        return DetectorResult(
            is_candidate=self._is_confirmed or not is_background_talk,
            # Speech far from the phone (a TV) may hold the agent but never clears it.
            is_speech=self._probability >= self.settings.speech_threshold
            and self._near_start_ms is not None,
            speech_ms=speech_ms,
            is_confirmed=self._is_confirmed,
        )

    def _is_onset_candidate(self, end_ms: float) -> bool:
        """Before any speech window: a loud stretch that Silero has not ruled out yet."""
        if end_ms - self._last_loud_end_ms > self.settings.max_gap_ms:
            return False
        if self._probability >= self.settings.candidate_threshold:
            return True
        loud_ms = self._last_loud_end_ms - self._loud_since_ms
        is_long_enough = self._is_smooth_onset or loud_ms >= self.settings.candidate_loud_ms
        return is_long_enough and self._stretch_windows < self.settings.veto_windows


def _crest(samples: npt.NDArray[np.float32], rms: float) -> float:
    """Peak over RMS of a frame: high for an impulse (a click), low for a voice."""
    return float(np.max(np.abs(samples))) / rms if rms > 0 else math.inf
