"""Configuration of the fake Realtime engine: pacing, VAD, fault injection, and its clock.

Defaults imitate the real service (audio 3-10x faster than real time, first delta after
200-800 ms). Tests pass `FakeRealtimeConfig.fast()` so a whole turn takes milliseconds, and
fault fields to rehearse the failures a phone bridge must survive.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from agentlocator.simulator.realtime_audio import VoiceConfig

#: A close code the transport turns into a dropped TCP connection (no close frame is sent).
ABRUPT_CLOSE = 1006


class Clock(Protocol):
    """Where the engine's time comes from; inject one to scale or observe it."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""

    def wall(self) -> float:
        """Unix seconds, for `expires_at`."""

    async def sleep(self, seconds: float) -> None:
        """Wait this long on this clock."""


class LoopClock:
    """Real time: the running event loop's clock."""

    def monotonic(self) -> float:
        """The event loop's monotonic time."""
        return asyncio.get_running_loop().time()

    def wall(self) -> float:
        """The system's Unix time."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """`asyncio.sleep`."""
        await asyncio.sleep(max(seconds, 0.0))


@dataclass(frozen=True)
class FaultConfig:
    """Failures to inject; every field off by default. Response numbers count from 1."""

    server_error_after_responses: int | None = None
    """Send one `error{type: server_error}` right after this response's `response.done`."""
    fail_response_number: int | None = None
    """This response ends `status: failed` halfway through its first item."""
    close_after_responses: int | None = None
    """Drop the connection (with `close_code`) right after this response's `response.done`."""
    close_after_secs: float | None = None
    """Drop the connection (with `close_code`) this long after it opened."""
    close_code: int = 1011
    """1011 sends a close frame ("internal error"); 1006 drops TCP with no close frame."""
    session_max_secs: float = 3600.0
    """After this long: `error{code: session_expired}` then a close with `expired_close_code`."""
    expired_close_code: int = 1000
    slow_first_delta_ms: int | None = None
    """First-delta delay for the responses in `slow_first_delta_responses` (every one if empty)."""
    slow_first_delta_responses: frozenset[int] = frozenset()


@dataclass(frozen=True)
class FakeRealtimeConfig:
    """Everything tunable about one fake Realtime session."""

    first_delta_delay_ms: tuple[float, float] = (200.0, 800.0)
    """Uniform range of the wait between `response.created` and the first output."""
    speed_factor: tuple[float, float] = (3.0, 10.0)
    """Uniform range: how many times faster than real time audio deltas are sent."""
    delta_ms: tuple[float, float] = (40.0, 240.0)
    """Uniform range of the audio per delta, nudged off 20 ms multiples."""
    response_done_delay_ms: tuple[float, float] = (20.0, 120.0)
    """Uniform range of the pause between a response's last output and its `response.done`:
    the window in which a client that reacts to `function_call_arguments.done` by sending
    `response.create` straight away collides with the still-active response."""
    transcription_delay_ms: tuple[float, float] = (300.0, 2500.0)
    """Uniform range of the wait between `committed` and the input transcription."""
    vad_rms_threshold: float = 600.0
    """RMS (16-bit scale) of a 20 ms window that counts as speech at `threshold: 0.5`."""
    vad_min_speech_ms: int = 40
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    faults: FaultConfig = field(default_factory=FaultConfig)
    seed: int | None = None
    """Seed for ids, pacing and chunking; None draws a fresh one per engine."""

    @classmethod
    def fast(cls, **overrides: Any) -> FakeRealtimeConfig:
        """For tests: first delta after 10 ms, audio at 50x, transcription within 30 ms."""
        base = cls(
            first_delta_delay_ms=(10.0, 10.0),
            speed_factor=(50.0, 50.0),
            response_done_delay_ms=(15.0, 15.0),
            transcription_delay_ms=(5.0, 30.0),
        )
        return replace(base, **overrides)

    def with_faults(self, **faults: Any) -> FakeRealtimeConfig:
        """A copy with some fault fields set."""
        return replace(self, faults=replace(self.faults, **faults))
