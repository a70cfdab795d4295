"""The browser test call runs the phone's call path and lands in the call log with a transcript."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from api_testkit import PASSWORD, Api, Owner
from browser_phone import BrowserPhone, served
from websockets.exceptions import InvalidStatus

from agentlocator.realtime.link import RealtimeLink
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_inprocess import InProcessRealtimeLink
from agentlocator.simulator.realtime_script import RealtimeScript
from agentlocator.simulator.speech import silence, synthetic_speech

pytestmark = pytest.mark.slow


@pytest.fixture
def quick_engine(api: Api) -> None:
    """The built-in simulated engine (no OpenAI key), at test speed."""

    async def open_fast() -> RealtimeLink:
        return InProcessRealtimeLink(
            config=FakeRealtimeConfig.fast(), script=RealtimeScript.receptionist()
        )

    api.runtime.open_realtime = open_fast


async def _session_cookie(base: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 200
        return f"al_session={client.cookies['al_session']}"


async def test_a_browser_call_is_logged_with_its_transcript(
    api: Api, owner: Owner, quick_engine: None
) -> None:
    async with served(api.app) as base:
        cookie = await _session_cookie(base, owner.email)
        async with BrowserPhone.dial(f"ws://{base}/api/v1/test-call", cookie) as phone:
            await asyncio.sleep(0.5)  # the greeting plays
            # In real time: our barge-in detector judges speech by its duration.
            await phone.play(synthetic_speech(1200), is_paced=True)
            await phone.play(silence(2000), is_paced=True)
            await phone.hang_up()
        await api.runtime.wait_for_jobs()

    assert phone.events("media"), "the agent's audio reaches the browser"
    assert {m["streamSid"] for m in phone.received if "streamSid" in m} == {phone.stream_sid}
    calls = (await owner.get("/api/v1/calls", direction="browser")).json()
    [listed] = calls["items"]
    assert listed["from_number"] == "browser"
    assert listed["to_number"] == (await owner.get("/api/v1/business")).json()["phone"]
    assert listed["outcome"] == "completed"
    call = (await owner.get(f"/api/v1/calls/{listed['id']}")).json()
    roles = [turn["role"] for turn in call["transcript"]]
    assert roles[:2] == ["agent", "caller"], call["transcript"]
    assert call["transcript"][1]["text"] == "שלום, אני רוצה לקבוע תור."
    assert "agent" in roles[2:]
    assert call["end_reason"] == "caller_hung_up"
    assert call["summary"]
    assert call["latency"]["replies"] >= 1


async def test_the_test_call_needs_a_session(api: Api, owner: Owner, quick_engine: None) -> None:
    async with served(api.app) as base:
        for cookie in ("", "al_session=forged"):
            with pytest.raises(InvalidStatus) as refused:
                async with BrowserPhone.dial(f"ws://{base}/api/v1/test-call", cookie):
                    pass
            assert refused.value.response.status_code == 403

    assert (await owner.get("/api/v1/calls")).json()["total"] == 0


async def test_the_test_call_refuses_another_site(
    api: Api, owner: Owner, quick_engine: None
) -> None:
    async with served(api.app) as base:
        cookie = await _session_cookie(base, owner.email)
        with pytest.raises(InvalidStatus) as refused:
            async with BrowserPhone.dial(
                f"ws://{base}/api/v1/test-call", cookie, origin="https://evil.example"
            ):
                pass
        assert refused.value.response.status_code == 403


async def test_a_dev_server_on_loopback_may_open_it(
    api: Api, owner: Owner, quick_engine: None
) -> None:
    async with served(api.app) as base:
        cookie = await _session_cookie(base, owner.email)
        async with BrowserPhone.dial(
            f"ws://{base}/api/v1/test-call", cookie, origin="http://localhost:5173"
        ) as phone:
            await phone.hang_up()
        await api.runtime.wait_for_jobs()

    assert (await owner.get("/api/v1/calls", direction="browser")).json()["total"] == 1
