"""The bench's phases: one stack (the real server + fakes, in this process), one policy at a time.

For each policy: the business's `barge_in` document is set, then every selected clip is played
in its own call, `concurrency` calls at a time. Process CPU (`time.process_time()`: server,
fakes and simulated phones together) and the detectors' own CPU are read around the phase and
divided by the phase's call-minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from _shared.procfs import machine_busy_secs
from agentlocator.simulator.local_stack import LocalStack
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.speech import warm_caller_speech
from agentlocator.voice.silero_model import shared_session
from barge_in_bench.corpus import BenchClip
from barge_in_bench.figures import PhaseContext, PolicyFigures, aggregate, percentile
from barge_in_bench.one_call import GREETING, REPLY, ClipResult, play_clip
from barge_in_bench.policies import POLICIES, DetectorClock, set_policy, timed_detectors

Progress = Callable[[str, ClipResult], None]


@dataclass
class BenchRun:
    figures: list[PolicyFigures] = field(default_factory=list)
    results: dict[str, list[ClipResult]] = field(default_factory=dict)


def bench_stack(seed: int = 7) -> LocalStack:
    """The real server with the fakes; the business greets briefly, then the agent's one scripted
    reply is the long one the clips are played over (later answers use the fallback line)."""
    return LocalStack(
        realtime_config=FakeRealtimeConfig(seed=seed),
        script_factory=lambda: RealtimeScript(steps=[ScriptStep(say=REPLY)]),
        business={"greeting": GREETING},
    )


@contextlib.asynccontextmanager
async def loop_lag(samples: list[float], period_secs: float = 0.05) -> AsyncIterator[None]:
    """Sample the event loop's lag (how late a timer fires) while inside the block."""

    async def sample() -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + period_secs
            await asyncio.sleep(period_secs)
            samples.append((loop.time() - due) * 1000.0)

    task = asyncio.create_task(sample())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_policy(
    stack: LocalStack,
    policy_name: str,
    clips: Sequence[BenchClip],
    concurrency: int,
    progress: Progress | None = None,
) -> tuple[PolicyFigures, list[ClipResult]]:
    policy = POLICIES[policy_name]
    await set_policy(stack.settings.database_url, stack.business_id, policy)
    clock = DetectorClock()
    slots = asyncio.Semaphore(concurrency)
    dial_lock = asyncio.Lock()
    min_speech_ms = float(policy.settings.min_speech_ms)

    async def one(clip: BenchClip) -> ClipResult:
        async with slots:
            result = await play_clip(stack, clip, policy_name, min_speech_ms, dial_lock)
        # Every finished call stays in memory (the fakes keep their sessions and recordings),
        # so full collections grow with the run and stall the one loop that server, fakes and
        # phones share: 60-180 ms by the last calls, more than the phone's lead. Freezing the
        # finished calls' objects keeps collections to what is live, as in a server process.
        gc.freeze()
        if progress is not None:
            progress(policy_name, result)
        return result

    lags: list[float] = []
    with timed_detectors(clock):
        wall, cpu, busy = time.monotonic(), time.process_time(), machine_busy_secs()
        async with loop_lag(lags):
            results = await asyncio.gather(*(one(clip) for clip in clips))
        context = PhaseContext(
            wall_secs=time.monotonic() - wall,
            process_cpu_secs=time.process_time() - cpu,
            detector_cpu_secs=clock.cpu_secs,
            detector_frames=clock.frames,
            machine_busy_secs=machine_busy_secs() - busy,
            loop_lag_p99_ms=percentile(lags, 99),
        )
    return aggregate(policy_name, policy.title, clips, results, context), list(results)


async def run_bench(
    policy_names: Sequence[str],
    clips: Sequence[BenchClip],
    *,
    concurrency: int,
    progress: Progress | None = None,
) -> BenchRun:
    """Every policy over `clips`, one after the other, against one server (the same run)."""
    shared_session()  # load the Silero model before any phase is timed
    await warm_caller_speech()
    run = BenchRun()
    async with bench_stack() as stack:
        for name in policy_names:
            figures, results = await run_policy(stack, name, clips, concurrency, progress)
            run.figures.append(figures)
            run.results[name] = results
    return run
