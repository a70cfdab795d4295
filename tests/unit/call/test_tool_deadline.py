"""A slow tool gets a truthful answer: a slow booking is never reported as failed.

`ToolWatch` gives exactly one answer per tool: the tool's own, or a stand-in at its deadline.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any

from agentlocator.call.tool_watch import TOOL_FAILURE, ToolWatch


async def slow(answer: str, seconds: float) -> str:
    await asyncio.sleep(seconds)
    return answer


async def watched(
    work: Coroutine[Any, Any, str],
    *,
    timeout_secs: float,
    has_side_effects: bool,
    grace_secs: float = 30.0,
    settle_secs: float = 0.0,
) -> tuple[list[str], asyncio.Task[str]]:
    """Every answer the watch gave until the work ended (and `settle_secs` more)."""
    answers: list[str] = []
    task = asyncio.ensure_future(work)
    ToolWatch(
        task,
        timeout_secs=timeout_secs,
        has_side_effects=has_side_effects,
        answer=answers.append,
        context={},
        grace_secs=grace_secs,
    )
    await asyncio.wait([task])
    await asyncio.sleep(settle_secs)
    return answers, task


async def test_a_slow_booking_keeps_its_real_answer() -> None:
    booked = json.dumps({"status": "booked", "appointment_id": "a1"})
    answers, task = await watched(slow(booked, 0.2), timeout_secs=0.05, has_side_effects=True)
    assert answers == [booked]
    assert not task.cancelled()


async def test_a_booking_slower_than_the_grace_is_unconfirmed_not_failed() -> None:
    answers, task = await watched(
        slow("{}", 0.3), timeout_secs=0.05, has_side_effects=True, grace_secs=0.05
    )
    assert [json.loads(answer)["status"] for answer in answers] == ["unconfirmed"]
    assert task.result() == "{}"  # the write was not cut off, only its answer was replaced


async def test_a_slow_read_is_cut_off() -> None:
    answers, task = await watched(slow("{}", 1.0), timeout_secs=0.05, has_side_effects=False)
    assert answers == [TOOL_FAILURE]
    assert task.cancelled()


async def test_a_broken_tool_is_a_failure_answer() -> None:
    async def broken() -> str:
        raise RuntimeError("boom")

    answers, _ = await watched(broken(), timeout_secs=1.0, has_side_effects=True)
    assert answers == [TOOL_FAILURE]


async def test_a_fast_tool_answers_once_and_its_deadline_never_fires() -> None:
    answers, _ = await watched(
        slow('{"status": "ok"}', 0.0), timeout_secs=0.02, has_side_effects=False, settle_secs=0.1
    )
    assert answers == ['{"status": "ok"}']


async def test_an_abandoned_watch_answers_nothing_and_stops_only_reads() -> None:
    answers: list[str] = []
    read = asyncio.ensure_future(slow("{}", 0.2))
    write = asyncio.ensure_future(slow("{}", 0.05))
    for work, has_side_effects in ((read, False), (write, True)):
        watch = ToolWatch(
            work,
            timeout_secs=1.0,
            has_side_effects=has_side_effects,
            answer=answers.append,
            context={},
        )
        watch.abandon()
    await asyncio.wait([read, write])
    await asyncio.sleep(0.01)
    assert answers == []
    assert read.cancelled()
    assert write.result() == "{}"
