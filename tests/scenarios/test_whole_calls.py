"""Whole calls through the real server (uvicorn on loopback) with the fakes on the other side.

Each scenario places a signed call through `/twilio/voice`, streams it over `/twilio/media` with
the Twilio call simulator (real-time audio, marks, clear), talks to the fake OpenAI Realtime server,
and checks what it measured: the audio the caller heard against what the model generated, the
truncates, the Realtime errors, how and when the call ended, and the stored call record.
"""

from __future__ import annotations

import pytest

from agentlocator.simulator.scenarios import SCENARIOS, ScenarioOptions

pytestmark = pytest.mark.slow


def explain(report: object) -> str:
    from agentlocator.simulator.scenario_kit import ScenarioReport

    assert isinstance(report, ScenarioReport)
    return "; ".join(f"{c.name}: {c.detail}" for c in report.failures())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_on_sqlite(name: str) -> None:
    report = await SCENARIOS[name](ScenarioOptions(database_url=None))
    assert report.checks, "a scenario must check something"
    assert report.passed, explain(report)


@pytest.mark.parametrize("name", ["booking", "barge_in_every_reply", "status_callback_ends_call"])
async def test_scenario_on_postgres(name: str, postgres_url: str) -> None:
    report = await SCENARIOS[name](ScenarioOptions(database_url=postgres_url))
    assert report.passed, explain(report)
