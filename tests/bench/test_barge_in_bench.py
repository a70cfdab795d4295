"""`bench/barge_in.py` end to end on three clips, so the bench cannot silently rot.

Our detector, through the real server and the fakes (real time, about 15 s): a spoken sentence
must be committed, a cough and the agent's own echo must not; every figure of the table must be
computed, and the table and verdicts must render.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from barge_in_bench.corpus import load_clips, select  # noqa: E402
from barge_in_bench.report import table, verdicts  # noqa: E402
from barge_in_bench.run import bench_stack, run_policy  # noqa: E402

CLIPS = ["speech_sentence_00", "noise_12", "echo_02"]  # a sentence, a 180 ms cough, echo -15 dB


async def test_bench_measures_ours_on_speech_cough_and_echo() -> None:
    clips = select(load_clips(), ids=CLIPS, limit=None)
    assert clips[2].echo is not None and clips[2].residual_dbfs is not None
    assert clips[2].residual_dbfs < -45.0, "the pre-mixed echo must be gone"
    async with bench_stack() as stack:
        figures, results = await run_policy(stack, "local", clips, concurrency=3)
    by_id = {result.clip_id: result for result in results}
    assert all(result.problem is None for result in results), [r.problem for r in results]

    speech, cough, echo = (by_id[clip_id] for clip_id in CLIPS)
    assert speech.is_committed_on_clip, speech.decisions
    assert speech.pause_latency_ms is not None and speech.pause_latency_ms >= 0
    assert speech.commit_latency_ms is not None
    assert speech.truncate_errors_ms, "a commit truncates what the caller heard"
    assert cough.commits == 0, cough.decisions
    assert echo.commits == 0, echo.decisions

    assert figures.speech_clips == 1 and not figures.missed
    assert figures.noise_clips == 1 and figures.echo_clips == 1
    assert figures.pause(95) is not None and figures.commit(95) is not None
    assert figures.truncate_worst_ms is not None
    assert figures.cpu_per_call_minute is not None and figures.cpu_per_call_minute > 0
    assert figures.detector_cpu_per_call_minute is not None
    assert figures.context.detector_frames > 0
    assert figures.repeated_bytes == 0 and figures.lost_bytes == 0
    rendered = table([figures])
    assert "missed barge-ins on speech" in rendered and "ours (local)" in rendered
    lines = [verdict.line() for verdict in verdicts(figures)]
    assert len(lines) == 6 and all(line.startswith("VERDICT ours") for line in lines)
