"""When does caller speech interrupt the agent? Per-business knobs and the policy that reads them.

The conversation machine owns the mechanics of a barge-in (pause, resume, clear, cancel, truncate);
a policy only answers "may speech interrupt now?" (guard window, cooldown, greeting), and a
`SpeechDetector` (see `voice/`) answers "is this speech?" from the inbound audio.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, Protocol

DetectorKind = Literal["local", "server", "rms", "webrtcvad"]
DETECTOR_KINDS: tuple[DetectorKind, ...] = ("local", "server", "rms", "webrtcvad")

# Inclusive ranges of the numeric knobs: what the dashboard accepts and what a call trusts.
KNOB_RANGES: dict[str, tuple[float, float]] = {
    "min_speech_ms": (100, 2000),
    "guard_ms": (0, 3000),
    "cooldown_ms": (0, 5000),
    "echo_window_ms": (0, 1000),
    "sensitivity": (0.0, 1.0),
}


class InvalidBargeInSetting(ValueError):
    """A stored or submitted knob is out of range or of the wrong type; names the knob."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class BargeInSettings:
    """Per-business barge-in knobs (stored as JSON on the business).

    Attributes:
        min_speech_ms: sustained caller speech that commits a barge-in.
        guard_ms: after the agent starts a reply, speech this early does not interrupt it
            (0 by default: callers who are ignored feel it more than an early stop).
        cooldown_ms: the least time between two barge-ins.
        is_greeting_interruptible: whether the caller may cut the greeting short.
        echo_window_ms: how long after agent audio its echo on the line is expected.
        sensitivity: 0 (only loud, clear speech) to 1 (quiet speech too); 0.5 suits a mobile call.
        detector: who decides: `local` (our detector, pause then commit or resume), `server`
            (the Realtime server's speech events), or the naive baselines `rms` and `webrtcvad`
            that the benchmark compares against.
    """

    min_speech_ms: int = 300
    guard_ms: int = 0
    cooldown_ms: int = 800
    is_greeting_interruptible: bool = True
    echo_window_ms: int = 350
    sensitivity: float = 0.5
    detector: DetectorKind = "local"

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BargeInSettings:
        """Build from stored JSON for a call: defaults for absent or invalid knobs, unknown keys
        ignored (a bad stored value must never keep a call from being answered)."""
        settings = cls()
        for name, value in (data or {}).items():
            try:
                settings = settings.replace_checked(**{name: value})
            except (InvalidBargeInSetting, TypeError):
                continue
        return settings

    @classmethod
    def parse(cls, data: dict[str, Any]) -> BargeInSettings:
        """Build from submitted JSON, strictly: the first invalid or unknown knob raises."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise InvalidBargeInSetting(unknown[0], "unknown setting")
        return cls().replace_checked(**data)

    def replace_checked(self, **changes: Any) -> BargeInSettings:
        for name, value in changes.items():
            _check(name, value)
        return dataclasses.replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check(name: str, value: Any) -> None:
    if name == "is_greeting_interruptible":
        if not isinstance(value, bool):
            raise InvalidBargeInSetting(name, "must be true or false")
        return
    if name == "detector":
        if value not in DETECTOR_KINDS:
            raise InvalidBargeInSetting(name, f"must be one of {', '.join(DETECTOR_KINDS)}")
        return
    if name not in KNOB_RANGES:
        raise TypeError(name)
    low, high = KNOB_RANGES[name]
    allowed: tuple[type, ...] = (int, float) if name == "sensitivity" else (int,)
    is_number = isinstance(value, allowed) and not isinstance(value, bool)
    if not is_number or not low <= float(value) <= high:
        kind = "a number" if name == "sensitivity" else "a whole number"
        raise InvalidBargeInSetting(name, f"must be {kind} from {low:g} to {high:g}")


@dataclass(frozen=True, slots=True)
class SpeechSituation:
    """What the machine knows when the caller starts speaking."""

    now_ms: float
    is_agent_audible: bool
    is_greeting: bool
    agent_started_speaking_at_ms: float | None
    last_barge_in_at_ms: float | None


class BargeInPolicy(Protocol):
    """Decides whether caller speech interrupts the agent."""

    def should_interrupt(self, situation: SpeechSituation) -> bool:
        """True when the machine should stop the agent now."""


class KnobPolicy:
    """Speech interrupts while the agent is audible, within the guard, cooldown and greeting knobs.

    The same rule holds whoever detects the speech (the server's VAD or our detector).
    """

    def __init__(self, settings: BargeInSettings) -> None:
        self.settings = settings

    def should_interrupt(self, situation: SpeechSituation) -> bool:
        if not situation.is_agent_audible:
            return False
        if situation.is_greeting and not self.settings.is_greeting_interruptible:
            return False
        started = situation.agent_started_speaking_at_ms
        if started is not None and situation.now_ms - started < self.settings.guard_ms:
            return False
        last = situation.last_barge_in_at_ms
        return last is None or situation.now_ms - last >= self.settings.cooldown_ms
