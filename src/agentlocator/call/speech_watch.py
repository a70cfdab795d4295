"""Turns a barge-in detector's per-frame verdicts into the machine's speech events (pure).

The detector (see `voice/`) judges each inbound 20 ms frame; the machine wants transitions:
`SpeechSuspected` when caller speech may be starting (stop feeding the phone), `SpeechLikely`
when it sounds like speech (clear what the phone holds), `SpeechConfirmed` when it lasted long
enough (commit the barge-in), `SpeechDismissed` when it stopped without being confirmed (resume).
Frames are judged only while the agent can be heard or a suspicion is open: caller speech in
their own turn is the Realtime server's business, not an interruption.
"""

from __future__ import annotations

from typing import Protocol

from agentlocator.call import events as ev


class DetectorVerdict(Protocol):
    """What the watch reads of a detector's answer for one frame."""

    @property
    def is_candidate(self) -> bool: ...

    @property
    def is_speech(self) -> bool: ...

    @property
    def is_confirmed(self) -> bool: ...

    @property
    def speech_ms(self) -> float: ...


class BargeInDetector(Protocol):
    """A per-call detector: `voice.SpeechDetector` or one of the baselines."""

    def process(self, frame: bytes, now_ms: float) -> DetectorVerdict:
        """Judge one inbound mu-law frame that starts at `now_ms`."""

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        """Agent audio that plays to the caller from `sent_at_ms` (its echo may come back)."""

    def discard_unplayed(self, now_ms: float) -> None:
        """Agent audio scheduled after `now_ms` was cleared at the phone: it will not echo."""


class SpeechWatch:
    """One call's detector, and whether a suspicion or a confirmation is open."""

    def __init__(self, detector: BargeInDetector) -> None:
        self.detector = detector
        self.frames_judged = 0
        self._is_suspected = False
        self._is_likely = False
        self._is_confirmed = False

    @property
    def is_suspected(self) -> bool:
        return self._is_suspected

    def agent_audio(self, audio: bytes, plays_at_ms: float) -> None:
        self.detector.push_agent_audio(audio, plays_at_ms)

    def playback_cleared(self, now_ms: float) -> None:
        self.detector.discard_unplayed(now_ms)

    def observe(self, frame: bytes, now_ms: float, *, is_agent_audible: bool) -> list[ev.Event]:
        """Judge a caller frame; returns the speech events it starts or ends."""
        if not is_agent_audible and not self._is_suspected:
            self._is_confirmed = False
            return []
        self.frames_judged += 1
        verdict = self.detector.process(frame, now_ms)
        events: list[ev.Event] = []
        if verdict.is_candidate and not self._is_suspected:
            self._is_suspected = True
            events.append(ev.SpeechSuspected(verdict.speech_ms))
        is_open = self._is_suspected and verdict.is_candidate
        if is_open and verdict.is_speech and not self._is_likely:
            self._is_likely = True
            events.append(ev.SpeechLikely(verdict.speech_ms))
        if verdict.is_confirmed and not self._is_confirmed:
            self._is_confirmed = True
            events.append(ev.SpeechConfirmed(verdict.speech_ms))
        if not verdict.is_candidate and not verdict.is_confirmed:
            if self._is_suspected and not self._is_confirmed:
                events.append(ev.SpeechDismissed())
            self._is_suspected = False
            self._is_likely = False
            self._is_confirmed = False
        return events
