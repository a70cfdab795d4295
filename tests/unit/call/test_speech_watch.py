"""Detector verdicts per frame become the machine's speech events, once per transition."""

from __future__ import annotations

from dataclasses import dataclass

from agentlocator.call import events as ev
from agentlocator.call.speech_watch import SpeechWatch


@dataclass(frozen=True)
class Verdict:
    is_candidate: bool = False
    is_speech: bool = False
    is_confirmed: bool = False
    speech_ms: float = 0.0


class ScriptedDetector:
    """Answers each frame with the next scripted verdict; records what it was told."""

    def __init__(self, verdicts: list[Verdict]) -> None:
        self.verdicts = verdicts
        self.agent_audio: list[tuple[bytes, float]] = []
        self.cleared_at: list[float] = []

    def process(self, frame: bytes, now_ms: float) -> Verdict:
        del frame, now_ms
        return self.verdicts.pop(0)

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        self.agent_audio.append((audio, sent_at_ms))

    def discard_unplayed(self, now_ms: float) -> None:
        self.cleared_at.append(now_ms)


FRAME = b"\xff" * 160


def run(verdicts: list[Verdict], *, audible: bool = True) -> list[ev.Event]:
    watch = SpeechWatch(ScriptedDetector(list(verdicts)))
    events: list[ev.Event] = []
    for n in range(len(verdicts)):
        events += watch.observe(FRAME, n * 20.0, is_agent_audible=audible)
    return events


def test_a_noise_is_suspected_then_dismissed() -> None:
    events = run([Verdict(is_candidate=True), Verdict(is_candidate=True), Verdict()])
    assert events == [ev.SpeechSuspected(0.0), ev.SpeechDismissed()]


def test_speech_is_suspected_likely_then_confirmed_once() -> None:
    events = run(
        [
            Verdict(is_candidate=True),
            Verdict(is_candidate=True, is_speech=True, speech_ms=32),
            Verdict(is_candidate=True, is_speech=True, is_confirmed=True, speech_ms=300),
            Verdict(is_candidate=True, is_speech=True, is_confirmed=True, speech_ms=320),
            Verdict(),
        ]
    )
    assert events == [
        ev.SpeechSuspected(0.0),
        ev.SpeechLikely(32),
        ev.SpeechConfirmed(300),
    ]


def test_nothing_is_judged_while_the_agent_is_silent() -> None:
    detector = ScriptedDetector([Verdict(is_candidate=True)])
    watch = SpeechWatch(detector)
    assert watch.observe(FRAME, 0.0, is_agent_audible=False) == []
    assert watch.frames_judged == 0
    assert detector.verdicts  # the detector was not asked


def test_agent_audio_and_clears_reach_the_detector() -> None:
    detector = ScriptedDetector([])
    watch = SpeechWatch(detector)
    watch.agent_audio(b"\x01\x02", 140.0)
    watch.playback_cleared(200.0)
    assert detector.agent_audio == [(b"\x01\x02", 140.0)]
    assert detector.cleared_at == [200.0]


def test_a_suspicion_is_likely_speech_only_when_the_detector_hears_speech() -> None:
    lasting_noise = [Verdict(is_candidate=True)] * 5 + [Verdict()]
    assert run(lasting_noise) == [ev.SpeechSuspected(0.0), ev.SpeechDismissed()]
