"""The three barge-in policies compared, how the business is switched to one, and detector CPU.

The business's `barge_in` JSON is replaced through the same service the dashboard API uses
(`services.businesses.update_barge_in`); every call placed afterwards reads it at call setup.

Detector CPU: while the bench runs, `call_setup.detector_for` is wrapped so that each call's
detector is a proxy timing `process` and `push_agent_audio` with `time.process_time()` (the
server runs in this process; onnxruntime's own threads are included). Nothing else changes.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agentlocator.call.barge_in import BargeInSettings
from agentlocator.call.speech_watch import BargeInDetector, DetectorVerdict
from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import BusinessId
from agentlocator.services.businesses import update_barge_in
from agentlocator.telephony import call_setup


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    title: str
    settings: BargeInSettings


POLICIES: dict[str, Policy] = {
    "local": Policy("local", "ours (local)", BargeInSettings(detector="local")),
    "rms": Policy(
        "rms",
        "RMS 350",
        BargeInSettings(detector="rms", min_speech_ms=300, cooldown_ms=800),
    ),
    "webrtcvad": Policy("webrtcvad", "webrtcvad", BargeInSettings(detector="webrtcvad")),
}


async def set_policy(database_url: str, business_id: str, policy: Policy) -> None:
    """Store `policy` as the business's barge-in document."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            business = await update_barge_in(
                session, BusinessId(uuid.UUID(business_id)), policy.settings.as_json()
            )
            if business is None:
                raise RuntimeError(f"no business {business_id}")
            await session.commit()
    finally:
        await engine.dispose()


class DetectorClock:
    """CPU seconds spent in detectors, and frames judged, since `reset`."""

    def __init__(self) -> None:
        self.cpu_secs = 0.0
        self.frames = 0

    def reset(self) -> None:
        self.cpu_secs = 0.0
        self.frames = 0


class _TimedDetector:
    """Forwards to the real detector, adding its CPU time to a `DetectorClock`."""

    def __init__(self, inner: BargeInDetector, clock: DetectorClock) -> None:
        self._inner = inner
        self._clock = clock

    def process(self, frame: bytes, now_ms: float) -> DetectorVerdict:
        started = time.process_time()
        verdict = self._inner.process(frame, now_ms)
        self._clock.cpu_secs += time.process_time() - started
        self._clock.frames += 1
        return verdict

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        started = time.process_time()
        self._inner.push_agent_audio(audio, sent_at_ms)
        self._clock.cpu_secs += time.process_time() - started

    def discard_unplayed(self, now_ms: float) -> None:
        self._inner.discard_unplayed(now_ms)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


DetectorFactory = Callable[[BargeInSettings], BargeInDetector | None]


@contextlib.contextmanager
def timed_detectors(clock: DetectorClock) -> Iterator[None]:
    """Wrap every detector built at call setup while inside the block."""
    original: DetectorFactory = getattr(call_setup, "detector_for")  # noqa: B009

    def detector_for(settings: BargeInSettings) -> BargeInDetector | None:
        inner = original(settings)
        return None if inner is None else _TimedDetector(inner, clock)

    setattr(call_setup, "detector_for", detector_for)  # noqa: B010
    try:
        yield
    finally:
        setattr(call_setup, "detector_for", original)  # noqa: B010
