"""Local barge-in detection from the inbound Twilio audio.

A cheap energy gate, a reference-based echo guard and the Silero neural VAD (ONNX through
onnxruntime, no torch), combined by `SpeechDetector`; plus two naive baselines for comparison.
Everything here is pure computation on bytes and timestamps: no I/O, no clocks, no logging.

    detector = SpeechDetector(shared_session(), DetectorSettings(min_speech_ms=300))
    detector.push_agent_audio(chunk, sent_at_ms=now_ms)     # every chunk sent to the caller
    result = detector.process(frame, now_ms=now_ms)         # every inbound 20 ms frame
    if result.is_confirmed: ...                             # barge in
"""

from agentlocator.voice.baselines import RmsBaseline, WebrtcVadBaseline
from agentlocator.voice.detector import (
    BargeInDetector,
    DetectorResult,
    DetectorSettings,
    SpeechDetector,
)
from agentlocator.voice.echo import EchoAssessment, EchoGuard
from agentlocator.voice.energy_gate import EnergyGate, GateReading, frame_rms
from agentlocator.voice.silero import SileroVad
from agentlocator.voice.silero_model import (
    SileroModelMissing,
    create_session,
    shared_session,
    silero_model_path,
)

__all__ = [
    "BargeInDetector",
    "DetectorResult",
    "DetectorSettings",
    "EchoAssessment",
    "EchoGuard",
    "EnergyGate",
    "GateReading",
    "RmsBaseline",
    "SileroModelMissing",
    "SileroVad",
    "SpeechDetector",
    "WebrtcVadBaseline",
    "create_session",
    "frame_rms",
    "shared_session",
    "silero_model_path",
]
