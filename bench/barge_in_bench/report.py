"""The bench's printout: one column per policy (same rows, same run), verdicts for ours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from barge_in_bench.figures import PolicyFigures

PAUSE_P95_TARGET_MS = 100.0
COMMIT_P95_TARGET_MS = 60.0
TRUNCATE_TARGET_MS = 20.0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pair(low: float | None, high: float | None, count: int) -> str:
    return f"{_ms(low)} / {_ms(high)} (n={count})"


def _of(found: Sequence[str], total: int) -> str:
    return f"{len(found)} / {total}"


Row = tuple[str, Callable[[PolicyFigures], str]]

ROWS: list[Row] = [
    ("missed barge-ins on speech", lambda f: _of(f.missed, f.speech_clips)),
    ("false commits on noise", lambda f: _of(f.noise_false_commits, f.noise_clips)),
    ("false commits on echo", lambda f: _of(f.echo_false_commits, f.echo_clips)),
    (
        "pauses that resumed (noise/echo/speech)",
        lambda f: (
            f"{f.resumed_total} ({f.resumes.get('noise', 0)}/{f.resumes.get('echo', 0)}"
            f"/{f.resumes.get('speech', 0)})"
        ),
    ),
    (
        "pause latency after onset p50 / p95 ms",
        lambda f: _pair(f.pause(50), f.pause(95), len(f.pause_latencies_ms)),
    ),
    (
        "  server's pause decision after onset p50 / p95 (approx.)",
        lambda f: _pair(f.pause_decision(50), f.pause_decision(95), len(f.pause_decisions_ms)),
    ),
    (
        "commit latency after onset+300 ms p50 / p95 ms",
        lambda f: _pair(f.commit(50), f.commit(95), len(f.commit_latencies_ms)),
    ),
    (
        "truncate error vs heard, worst |ms| (n)",
        lambda f: (
            f"{_ms(f.truncate_worst_ms)} (n={len(f.truncate_errors_ms)})"
            if f.truncate_errors_ms
            else "- (n=0)"
        ),
    ),
    (
        "bytes repeated / lost (all calls)",
        lambda f: f"{f.repeated_bytes} / {f.lost_bytes}",
    ),
    ("resume slips (calls)", lambda f: str(len(f.slips))),
    (
        "resumed calls with bytes lost or repeated",
        lambda f: f"{f.resumed_calls_lost_or_repeated} / {f.resumed_calls}",
    ),
    (
        "underruns before the clip: gaps / calls, total ms",
        lambda f: f"{len(f.underruns_ms)} / {len(f.underrun_calls)}, {sum(f.underruns_ms):.0f}",
    ),
    (
        "CPU s per call-minute (whole process)",
        lambda f: "-" if f.cpu_per_call_minute is None else f"{f.cpu_per_call_minute:.2f}",
    ),
    (
        "  of which the detector",
        lambda f: (
            "-"
            if f.detector_cpu_per_call_minute is None
            else f"{f.detector_cpu_per_call_minute:.3f}"
        ),
    ),
    ("calls / call-minutes", lambda f: f"{f.calls} / {f.call_minutes:.1f}"),
    ("calls that did not run as planned", lambda f: str(len(f.problems))),
    (
        "machine busy (cores) / loop lag p99 ms",
        lambda f: (
            f"{f.context.machine_busy_secs / max(f.context.wall_secs, 1e-9):.2f} / "
            f"{_ms(f.context.loop_lag_p99_ms)}"
        ),
    ),
]


def table(columns: Sequence[PolicyFigures], *, markdown: bool = False) -> str:
    header = ["figure", *(f.title for f in columns)]
    body = [[name, *(cell(f) for f in columns)] for name, cell in ROWS]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in [header, *body]
    ]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)


@dataclass(frozen=True)
class Verdict:
    name: str
    passed: bool | None
    detail: str

    def line(self) -> str:
        state = "n/a" if self.passed is None else ("MET" if self.passed else "NOT MET")
        return f"VERDICT ours {self.name}: {state} ({self.detail})"


def verdicts(ours: PolicyFigures) -> list[Verdict]:
    pause95, commit95 = ours.pause(95), ours.commit(95)
    worst = ours.truncate_worst_ms
    false_commits = ours.noise_false_commits + ours.echo_false_commits
    return [
        Verdict(
            "0 missed on speech",
            not ours.missed if ours.speech_clips else None,
            f"{len(ours.missed)} of {ours.speech_clips}: {', '.join(ours.missed) or 'none'}",
        ),
        Verdict(
            "0 false commits on noise+echo",
            not false_commits if ours.noise_clips + ours.echo_clips else None,
            f"{len(false_commits)} of {ours.noise_clips + ours.echo_clips}: "
            f"{', '.join(false_commits) or 'none'}",
        ),
        Verdict(
            f"pause p95 <= {PAUSE_P95_TARGET_MS:.0f} ms",
            None if pause95 is None else pause95 <= PAUSE_P95_TARGET_MS,
            f"p95 {_ms(pause95)} ms",
        ),
        Verdict(
            f"commit p95 <= {COMMIT_P95_TARGET_MS:.0f} ms after min speech",
            None if commit95 is None else commit95 <= COMMIT_P95_TARGET_MS,
            f"p95 {_ms(commit95)} ms",
        ),
        Verdict(
            f"truncate error <= {TRUNCATE_TARGET_MS:.0f} ms",
            None if worst is None else worst <= TRUNCATE_TARGET_MS,
            f"worst {_ms(worst)} ms over {len(ours.truncate_errors_ms)} truncates",
        ),
        Verdict(
            "0 bytes lost/repeated",
            ours.repeated_bytes == 0 and ours.lost_bytes == 0,
            f"repeated {ours.repeated_bytes}, lost {ours.lost_bytes}; "
            f"{ours.resumed_calls} calls resumed",
        ),
    ]


def details(columns: Sequence[PolicyFigures]) -> str:
    """Which clips each policy got wrong, and calls that did not run as planned."""
    lines = []
    for f in columns:
        parts = [
            ("missed", f.missed),
            ("false commit (noise)", f.noise_false_commits),
            ("false commit (echo)", f.echo_false_commits),
            ("speech clip, commit before the clip", f.speech_early_commits),
            ("speech clip, already paused at onset", f.paused_before_onset),
            ("speech clip, audio never stopped", f.never_paused),
            ("resume slips (clip:bytes, - = played twice, + = skipped)", f.slips),
            ("underruns before the clip", f.underrun_calls),
        ]
        for label, ids in parts:
            if ids:
                lines.append(f"{f.title}: {label}: {', '.join(ids)}")
        lines += [f"{f.title}: problem: {problem}" for problem in f.problems]
    return "\n".join(lines)
