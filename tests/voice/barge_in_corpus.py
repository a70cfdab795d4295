"""Load the barge-in corpus (tests/corpus) and replay its clips through a detector.

Also runnable, to print the per-kind comparison of our detector and the two baselines, or the
CPU cost of each component per 20 ms frame:

    .venv/bin/python tests/voice/barge_in_corpus.py [-v]
    .venv/bin/python tests/voice/barge_in_corpus.py --bench
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agentlocator.audio import mulaw
from agentlocator.voice import BargeInDetector

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
FRAME_MS = mulaw.FRAME_MS
FRAME_BYTES = mulaw.FRAME_BYTES
# The agent line played (without echo) while clips that carry no reference of their own are
# replayed: the detector runs only while the agent talks, so the echo guard is always busy.
BACKGROUND_AGENT_LINE = "reference/agent_he_1.ulaw"


@dataclass(frozen=True, slots=True)
class CorpusClip:
    """One clip of the corpus with its ground truth."""

    id: str
    kind: str
    label: str
    audio: bytes
    onset_ms: float | None
    speech_end_ms: float | None
    reference: bytes | None
    reference_start_ms: float | None

    @property
    def speech_duration_ms(self) -> float | None:
        if self.onset_ms is None or self.speech_end_ms is None:
            return None
        return self.speech_end_ms - self.onset_ms


@dataclass(frozen=True, slots=True)
class ClipOutcome:
    """What a detector did on one clip (times are frame ends, clip timeline)."""

    clip: CorpusClip
    first_candidate_ms: float | None
    candidate_after_onset_ms: float | None
    confirmed_ms: float | None
    candidate_frames: int
    longest_candidate_ms: float

    @property
    def candidate_latency_ms(self) -> float | None:
        if self.clip.onset_ms is None or self.candidate_after_onset_ms is None:
            return None
        return self.candidate_after_onset_ms - self.clip.onset_ms

    @property
    def confirm_latency_ms(self) -> float | None:
        if self.clip.onset_ms is None or self.confirmed_ms is None:
            return None
        return self.confirmed_ms - self.clip.onset_ms

    @property
    def is_early_candidate(self) -> bool:
        """A candidate fired before the speech started (noise in the lead-in)."""
        onset = self.clip.onset_ms
        return (
            onset is not None
            and self.first_candidate_ms is not None
            and (self.first_candidate_ms < onset)
        )


def load_corpus(root: Path = CORPUS_DIR) -> list[CorpusClip]:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    clips = []
    for entry in manifest["clips"]:
        reference = entry.get("reference")
        clips.append(
            CorpusClip(
                id=entry["id"],
                kind=entry["kind"],
                label=entry["label"],
                audio=(root / entry["file"]).read_bytes(),
                onset_ms=entry["onset_ms"],
                speech_end_ms=entry.get("speech_end_ms"),
                reference=(root / reference).read_bytes() if reference else None,
                reference_start_ms=entry.get("reference_start_ms"),
            )
        )
    return clips


def agent_audio_for(clip: CorpusClip, root: Path = CORPUS_DIR) -> tuple[bytes, float]:
    """The agent audio playing during the clip and when it starts (clip timeline, ms)."""
    if clip.reference is not None and clip.reference_start_ms is not None:
        return clip.reference, clip.reference_start_ms
    line = (root / BACKGROUND_AGENT_LINE).read_bytes()
    repeats = len(clip.audio) // len(line) + 1
    return line * repeats, 0.0


def replay(detector: BargeInDetector, clip: CorpusClip, *, with_agent: bool = True) -> ClipOutcome:
    """Feed the clip frame by frame; agent audio is sent in 20 ms chunks as it plays."""
    detector.reset()
    agent, agent_start_ms = agent_audio_for(clip) if with_agent else (b"", 0.0)
    agent_chunks = [
        (agent_start_ms + index * FRAME_MS, agent[offset : offset + FRAME_BYTES])
        for index, offset in enumerate(range(0, len(agent), FRAME_BYTES))
    ]
    next_chunk = 0
    first_candidate = candidate_after_onset = confirmed = None
    candidate_frames = run_frames = longest_run = 0
    onset = clip.onset_ms
    for offset in range(0, len(clip.audio) - FRAME_BYTES + 1, FRAME_BYTES):
        now_ms = offset / mulaw.BYTES_PER_MS
        while next_chunk < len(agent_chunks) and agent_chunks[next_chunk][0] <= now_ms:
            detector.push_agent_audio(agent_chunks[next_chunk][1], agent_chunks[next_chunk][0])
            next_chunk += 1
        result = detector.process(clip.audio[offset : offset + FRAME_BYTES], now_ms)
        end_ms = now_ms + FRAME_MS
        run_frames = run_frames + 1 if result.is_candidate else 0
        longest_run = max(longest_run, run_frames)
        if result.is_candidate:
            candidate_frames += 1
            if first_candidate is None:
                first_candidate = end_ms
            if candidate_after_onset is None and onset is not None and end_ms > onset:
                candidate_after_onset = end_ms
        if result.is_confirmed and confirmed is None:
            confirmed = end_ms
    return ClipOutcome(
        clip=clip,
        first_candidate_ms=first_candidate,
        candidate_after_onset_ms=candidate_after_onset,
        confirmed_ms=confirmed,
        candidate_frames=candidate_frames,
        longest_candidate_ms=longest_run * FRAME_MS,
    )


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation), None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(outcomes: list[ClipOutcome]) -> dict[str, dict[str, float | int | None]]:
    """Per-kind counts and latencies: missed speech, false commits, onset latency p50/p95."""
    table: dict[str, dict[str, float | int | None]] = {}
    for kind in ("speech", "noise", "echo"):
        rows = [outcome for outcome in outcomes if outcome.clip.kind == kind]
        if kind == "speech":
            latencies = [o.candidate_latency_ms for o in rows if o.candidate_latency_ms is not None]
            confirms = [o.confirm_latency_ms for o in rows if o.confirm_latency_ms is not None]
            table[kind] = {
                "clips": len(rows),
                "missed": sum(o.confirmed_ms is None for o in rows),
                "late_confirm": sum(
                    o.confirm_latency_ms is not None and o.confirm_latency_ms > 360.0 for o in rows
                ),
                "early_candidate": sum(o.is_early_candidate for o in rows),
                "onset_p50_ms": statistics.median(latencies) if latencies else None,
                "onset_p95_ms": percentile(latencies, 0.95),
                "confirm_p50_ms": statistics.median(confirms) if confirms else None,
                "confirm_p95_ms": percentile(confirms, 0.95),
            }
        else:
            table[kind] = {
                "clips": len(rows),
                "false_commits": sum(o.confirmed_ms is not None for o in rows),
                "false_candidates": sum(o.first_candidate_ms is not None for o in rows),
            }
    return table


def cpu_per_frame_us(clips: list[CorpusClip], make: Callable[[], BargeInDetector]) -> float:
    """Mean CPU time per 20 ms frame of a detector replaying the clips (agent audio included)."""
    frames = sum(len(clip.audio) // FRAME_BYTES for clip in clips)
    started = time.process_time()
    for clip in clips:
        replay(make(), clip)
    return (time.process_time() - started) * 1e6 / frames


def _line_noise(duration_ms: int) -> bytes:
    """A quiet telephone line: white noise at about -58 dBFS."""
    rng = np.random.default_rng(0)
    samples = rng.standard_normal(duration_ms * mulaw.BYTES_PER_MS) * 40.0
    return mulaw.encode(samples.astype(np.int16))


def bench() -> dict[str, float]:
    """CPU microseconds per 20 ms frame of each component, on the corpus (one thread)."""
    from agentlocator.voice import (  # a script entry point: the detectors load lazily
        EchoGuard,
        EnergyGate,
        RmsBaseline,
        SileroVad,
        SpeechDetector,
        WebrtcVadBaseline,
        frame_rms,
        shared_session,
    )

    clips = load_corpus()
    session = shared_session()
    frames = [
        clip.audio[offset : offset + FRAME_BYTES]
        for clip in clips
        for offset in range(0, len(clip.audio) - FRAME_BYTES + 1, FRAME_BYTES)
    ]
    results: dict[str, float] = {}

    def timed(name: str, count: int, run: Callable[[], object]) -> None:
        best = math.inf
        for _ in range(3):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
        results[name] = best * 1e6 / count

    gate = EnergyGate()
    timed("energy_gate", len(frames), lambda: [gate.process(frame) for frame in frames])
    vad = SileroVad(session)
    timed("silero (every frame)", len(frames), lambda: [vad.process(frame) for frame in frames])
    echo_frames: list[tuple[bytes, float, float, bytes]] = []
    speech_frames: list[tuple[bytes, float, float, bytes]] = []
    for clip in clips:
        if clip.kind == "noise":
            continue
        agent, start_ms = agent_audio_for(clip)
        for offset in range(0, len(clip.audio) - FRAME_BYTES + 1, FRAME_BYTES):
            frame = clip.audio[offset : offset + FRAME_BYTES]
            if frame_rms(frame) > 150.0:
                target = echo_frames if clip.kind == "echo" else speech_frames
                target.append((agent, start_ms, offset / mulaw.BYTES_PER_MS, frame))

    def assess_all(items: list[tuple[bytes, float, float, bytes]]) -> None:
        guard, current = EchoGuard(), b""
        for agent, start_ms, now_ms, frame in items:
            if agent is not current:
                guard, current = EchoGuard(), agent
                guard.push_agent_audio(agent, start_ms)
            guard.assess(frame, now_ms, quiet_rms=150.0)

    timed("echo_guard (loud echo frame)", len(echo_frames), lambda: assess_all(echo_frames))
    timed(
        "echo_guard (loud caller frame, agent talking)",
        len(speech_frames),
        lambda: assess_all(speech_frames),
    )
    results["detector (whole corpus, agent talking)"] = cpu_per_frame_us(
        clips, lambda: SpeechDetector(session)
    )
    for kind in ("speech", "noise", "echo"):
        results[f"detector ({kind} clips)"] = cpu_per_frame_us(
            [clip for clip in clips if clip.kind == kind], lambda: SpeechDetector(session)
        )
    quiet_line = CorpusClip(
        id="quiet_line",
        kind="noise",
        label="10 s of a quiet line while the agent talks",
        audio=_line_noise(10_000),
        onset_ms=None,
        speech_end_ms=None,
        reference=None,
        reference_start_ms=None,
    )
    results["detector (quiet line, agent talking)"] = cpu_per_frame_us(
        [quiet_line], lambda: SpeechDetector(session)
    )
    results["rms baseline"] = cpu_per_frame_us(clips, RmsBaseline)
    results["webrtcvad baseline"] = cpu_per_frame_us(clips, WebrtcVadBaseline)
    return results


def _main() -> int:
    from agentlocator.voice import (  # a script entry point: the detectors load lazily
        RmsBaseline,
        SpeechDetector,
        WebrtcVadBaseline,
        shared_session,
    )

    if "--bench" in sys.argv:
        for name, micros in bench().items():
            sys.stdout.write(f"{name:48s} {micros:7.1f} us per 20 ms frame\n")
        return 0

    clips = load_corpus()
    makers: list[tuple[str, Callable[[], BargeInDetector]]] = [
        ("ours", lambda: SpeechDetector(shared_session())),
        ("rms", RmsBaseline),
        ("webrtcvad", WebrtcVadBaseline),
    ]
    for name, make in makers:
        outcomes = [replay(make(), clip) for clip in clips]
        sys.stdout.write(f"{name}: {json.dumps(summarise(outcomes))}\n")
        for outcome in outcomes:
            clip = outcome.clip
            bad = (clip.kind == "speech" and (outcome.confirm_latency_ms or 1e9) > 360.0) or (
                clip.kind != "speech" and outcome.confirmed_ms is not None
            )
            if bad or "-v" in sys.argv:
                sys.stdout.write(
                    f"  {clip.id:20s} {clip.label[:40]:40s} cand={outcome.candidate_latency_ms}"
                    f" confirm={outcome.confirm_latency_ms} first={outcome.first_candidate_ms}"
                    f" frames={outcome.candidate_frames} dur={clip.speech_duration_ms}\n"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
