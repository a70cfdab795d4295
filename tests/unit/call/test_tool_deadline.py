"""A slow tool gets a truthful answer: a slow booking is never reported as failed."""

from __future__ import annotations

import asyncio
import json

import pytest

from agentlocator.call import session
from agentlocator.call.session import TOOL_FAILURE, answer_within


async def slow(answer: str, seconds: float) -> str:
    await asyncio.sleep(seconds)
    return answer


async def test_a_slow_booking_keeps_its_real_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    booked = json.dumps({"status": "booked", "appointment_id": "a1"})
    answer = await answer_within(
        slow(booked, 0.2), timeout_secs=0.05, has_side_effects=True, context={}
    )
    assert answer == booked


async def test_a_booking_slower_than_the_grace_is_unconfirmed_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session, "WRITE_GRACE_SECS", 0.05)
    answer = await answer_within(
        slow("{}", 1.0), timeout_secs=0.05, has_side_effects=True, context={}
    )
    assert json.loads(answer)["status"] == "unconfirmed"


async def test_a_slow_read_is_cut_off() -> None:
    answer = await answer_within(
        slow("{}", 1.0), timeout_secs=0.05, has_side_effects=False, context={}
    )
    assert answer == TOOL_FAILURE


async def test_a_broken_tool_is_a_failure_answer() -> None:
    async def broken() -> str:
        raise RuntimeError("boom")

    answer = await answer_within(broken(), timeout_secs=1.0, has_side_effects=True, context={})
    assert answer == TOOL_FAILURE
