"""When does caller speech interrupt the agent? A pluggable policy with per-business knobs.

The conversation machine owns the mechanics of a barge-in (clear, cancel, truncate); a policy only
answers "does this speech interrupt now?". `ServerVadPolicy` trusts the Realtime server's speech
events, filtered by the business's guard window, cooldown and greeting setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class BargeInSettings:
    """Per-business barge-in knobs (stored as JSON on the business)."""

    min_speech_ms: int = 300
    guard_ms: int = 0
    cooldown_ms: int = 800
    is_greeting_interruptible: bool = True
    echo_window_ms: int = 350

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BargeInSettings:
        """Build from stored JSON: defaults for absent keys, unknown keys ignored."""
        if not data:
            return cls()
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


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


class ServerVadPolicy:
    """Interrupt on the server's `speech_started` while the agent is audible, within the knobs."""

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
