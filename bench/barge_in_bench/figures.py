"""Per-policy figures from the raw `ClipResult`s of one phase."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from barge_in_bench.corpus import BenchClip
from barge_in_bench.one_call import ClipResult


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile; None when there are no values."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else None


@dataclass
class PhaseContext:
    """What the run measured around one policy's phase (not per call)."""

    wall_secs: float = 0.0
    process_cpu_secs: float = 0.0
    detector_cpu_secs: float = 0.0
    detector_frames: int = 0
    machine_busy_secs: float = 0.0
    loop_lag_p99_ms: float | None = None


@dataclass
class PolicyFigures:
    """The bench's columns for one policy."""

    policy: str
    title: str
    calls: int = 0
    call_minutes: float = 0.0
    problems: list[str] = field(default_factory=list)
    speech_clips: int = 0
    missed: list[str] = field(default_factory=list)
    noise_clips: int = 0
    noise_false_commits: list[str] = field(default_factory=list)
    echo_clips: int = 0
    echo_false_commits: list[str] = field(default_factory=list)
    speech_early_commits: list[str] = field(default_factory=list)
    resumes: dict[str, int] = field(default_factory=dict)
    pause_latencies_ms: list[float] = field(default_factory=list)
    paused_before_onset: list[str] = field(default_factory=list)
    never_paused: list[str] = field(default_factory=list)
    commit_latencies_ms: list[float] = field(default_factory=list)
    pause_decisions_ms: list[float] = field(default_factory=list)
    slips: list[str] = field(default_factory=list)
    truncate_errors_ms: list[float] = field(default_factory=list)
    repeated_bytes: int = 0
    lost_bytes: int = 0
    resumed_calls: int = 0
    resumed_calls_lost_or_repeated: int = 0
    underruns_ms: list[float] = field(default_factory=list)
    underrun_calls: list[str] = field(default_factory=list)
    context: PhaseContext = field(default_factory=PhaseContext)

    @property
    def resumed_total(self) -> int:
        return sum(self.resumes.values())

    @property
    def cpu_per_call_minute(self) -> float | None:
        if not self.call_minutes:
            return None
        return self.context.process_cpu_secs / self.call_minutes

    @property
    def detector_cpu_per_call_minute(self) -> float | None:
        if not self.call_minutes:
            return None
        return self.context.detector_cpu_secs / self.call_minutes

    def pause_decision(self, q: float) -> float | None:
        return percentile(self.pause_decisions_ms, q)

    def pause(self, q: float) -> float | None:
        return percentile(self.pause_latencies_ms, q)

    def commit(self, q: float) -> float | None:
        return percentile(self.commit_latencies_ms, q)

    @property
    def truncate_worst_ms(self) -> float | None:
        return max((abs(e) for e in self.truncate_errors_ms), default=None)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = {
            "pause_p50_ms": self.pause(50),
            "pause_p95_ms": self.pause(95),
            "pause_decision_p50_ms": self.pause_decision(50),
            "pause_decision_p95_ms": self.pause_decision(95),
            "commit_p50_ms": self.commit(50),
            "commit_p95_ms": self.commit(95),
            "truncate_worst_ms": self.truncate_worst_ms,
            "cpu_secs_per_call_minute": self.cpu_per_call_minute,
            "detector_cpu_secs_per_call_minute": self.detector_cpu_per_call_minute,
        }
        return data


def aggregate(
    policy: str,
    title: str,
    clips: Sequence[BenchClip],
    results: Sequence[ClipResult],
    context: PhaseContext,
) -> PolicyFigures:
    figures = PolicyFigures(policy, title, context=context)
    kinds = {clip.id: clip.kind for clip in clips}
    for result in results:
        figures.calls += 1
        figures.call_minutes += result.call_ms / 60000.0
        if result.problem:
            figures.problems.append(f"{result.clip_id}: {result.problem}")
        kind = kinds[result.clip_id]
        figures.resumes[kind] = figures.resumes.get(kind, 0) + result.resumes
        figures.truncate_errors_ms += result.truncate_errors_ms
        figures.repeated_bytes += result.repeated_bytes
        figures.lost_bytes += result.lost_bytes
        figures.slips += [f"{result.clip_id}:{jump:+d}" for _, jump in result.slips]
        figures.underruns_ms += result.underruns_ms
        if result.underruns_ms:
            figures.underrun_calls.append(result.clip_id)
        if result.resumes:
            figures.resumed_calls += 1
            if result.repeated_bytes or result.lost_bytes:
                figures.resumed_calls_lost_or_repeated += 1
        if kind == "speech":
            _speech(figures, result)
        elif kind == "noise":
            figures.noise_clips += 1
            if result.commits:
                figures.noise_false_commits.append(result.clip_id)
        else:
            figures.echo_clips += 1
            if result.commits:
                figures.echo_false_commits.append(result.clip_id)
    return figures


def _speech(figures: PolicyFigures, result: ClipResult) -> None:
    figures.speech_clips += 1
    if result.commits_before_clip:
        figures.speech_early_commits.append(result.clip_id)
    if not result.is_committed_on_clip or result.commit_latency_ms is None:
        figures.missed.append(result.clip_id)
    else:
        figures.commit_latencies_ms.append(result.commit_latency_ms)
    if result.pause_decision_ms is not None:
        figures.pause_decisions_ms.append(result.pause_decision_ms)
    if result.pause_latency_ms is None:
        figures.never_paused.append(result.clip_id)
    else:
        figures.pause_latencies_ms.append(result.pause_latency_ms)
        if result.paused_before_onset:
            figures.paused_before_onset.append(result.clip_id)
