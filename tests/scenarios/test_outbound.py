"""Outbound: the agent calls a lead through Twilio REST, and the stream runs as `outbound`."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from agentlocator.cli import main
from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import BusinessId
from agentlocator.services import leads
from agentlocator.simulator.local_stack import AUTH_TOKEN, LocalStack
from agentlocator.simulator.realtime_script import ScriptStep
from agentlocator.simulator.scenario_kit import ScenarioOptions, stack_for, stored_call, wait_until
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_twiml import parse_twiml

pytestmark = pytest.mark.slow

OPERATOR_TOKEN = "operator-test-token"
LEAD_PHONE = "+972521234567"


async def make_lead(stack: LocalStack) -> str:
    engine = create_engine(stack.settings.database_url)
    try:
        async with session_factory(engine)() as session:
            lead = await leads.upsert_lead_for_call(
                session, BusinessId(uuid.UUID(stack.business_id)), LEAD_PHONE, call_id=None
            )
            await session.commit()
            assert lead is not None
            return str(lead.id)
    finally:
        await engine.dispose()


async def test_operator_api_places_an_outbound_call_that_streams_as_outbound() -> None:
    options = ScenarioOptions(settings_overrides={"api_token": OPERATOR_TOKEN})
    async with stack_for(options, steps=[ScriptStep(say="שלום, מדברים ממרפאת בדיקה.")]) as stack:
        lead_id = await make_lead(stack)
        path = f"/api/v1/businesses/{stack.business_id}/leads/{lead_id}/call"
        refused = await stack.http.post(stack.base_url + path)
        assert refused.status_code == 401
        reply = await stack.http.post(
            stack.base_url + path, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}
        )
        assert reply.status_code == 201, reply.text
        call_sid = reply.json()["call_sid"]
        created = [r for r in stack.rest.requests if r.path.endswith("/Calls.json")]
        assert len(created) == 1 and created[0].form["To"] == LEAD_PHONE
        twiml = parse_twiml(created[0].form["Twiml"])
        assert twiml.stream is not None
        parameters = dict(twiml.stream.custom_parameters)
        assert parameters["direction"] == "outbound" and parameters["caller"] == LEAD_PHONE

        # Twilio connects the stream when the lead answers.
        sessions_before = len(stack.realtime.sessions)
        phone = SimulatedCall(
            twiml.stream.url, call_sid=call_sid, custom_parameters=parameters, auth_token=AUTH_TOKEN
        )
        await phone.start()
        await wait_until(lambda: len(stack.realtime.sessions) > sessions_before, "Realtime session")
        engine = stack.realtime.sessions[-1]
        await wait_until(lambda: engine.record.responses != {}, "greeting")
        assert "You placed this call" in engine.session["instructions"]
        await phone.hang_up()
        row = await stored_call(stack, call_sid)
        assert row["direction"] == "outbound" and row["to_number"] == LEAD_PHONE
        assert row["lead_id"] is not None and str(row["lead_id"]) == lead_id


async def test_call_lead_cli_places_the_call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with stack_for(ScenarioOptions()) as stack:
        lead_id = await make_lead(stack)
        settings = stack.settings
        monkeypatch.setenv("AGENTLOCATOR_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", settings.twilio_account_sid or "")
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        monkeypatch.setenv("AGENTLOCATOR_TWILIO_API_URL", settings.twilio_api_url)
        monkeypatch.setenv("AGENTLOCATOR_PUBLIC_URL", settings.public_url)
        code = await asyncio.to_thread(main, ["call-lead", "--lead", lead_id])
        assert code == 0
        placed = json.loads(capsys.readouterr().out)
        assert placed["lead_id"] == lead_id and placed["call_sid"].startswith("CA")
        assert await asyncio.to_thread(main, ["call-lead", "--lead", "not-an-id"]) == 2
