"""The whole system on loopback for one process: our real server plus every fake around it.

`LocalStack` starts, in the current event loop: the fake OpenAI Realtime server, the fake Twilio
REST API, and the AgentLocator app itself under uvicorn on a free port, configured exactly as in
production (Twilio signatures enforced, REST and Realtime URLs pointed at the fakes). It also
creates a business to call. Tests, `simulate-call` and the benchmarks all drive calls through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from agentlocator.app import create_app
from agentlocator.db.engine import create_engine, session_factory, upgrade
from agentlocator.services.businesses import BusinessCreate, business_as_json, create_business
from agentlocator.settings import Settings
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import RealtimeScript
from agentlocator.simulator.realtime_server import FakeRealtimeServer
from agentlocator.simulator.twilio_rest import FakeTwilioRest

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "simulated-auth-token"  # noqa: S105  a fake token for the fake Twilio
BUSINESS_PHONE = "+97235550199"
CALLER_PHONE = "+972501234567"


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside an existing loop: it must not take over the process's signal handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


class LocalStack:
    """`async with LocalStack(...) as stack:` then `stack.base_url`, `stack.business_id`..."""

    def __init__(
        self,
        *,
        database_url: str | None = None,
        realtime_config: FakeRealtimeConfig | None = None,
        script_factory: Callable[[], RealtimeScript] | None = None,
        settings_overrides: dict[str, Any] | None = None,
        business: dict[str, Any] | None = None,
    ) -> None:
        self._database_url = database_url
        self._realtime_config = realtime_config or FakeRealtimeConfig()
        self._script_factory = script_factory
        self._overrides = settings_overrides or {}
        self._business = business or {}
        self._exit = contextlib.AsyncExitStack()
        self.realtime: FakeRealtimeServer
        self.rest: FakeTwilioRest
        self.settings: Settings
        self.base_url = ""
        self.business_id = ""
        self.business_json: dict[str, Any] = {}
        self.http: httpx.AsyncClient

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self._exit.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._exit.aclose()

    async def _start(self) -> None:
        if self._database_url is None:
            folder = self._exit.enter_context(tempfile.TemporaryDirectory(prefix="agentlocator-"))
            self._database_url = f"sqlite+aiosqlite:///{Path(folder) / 'calls.db'}"
        await upgrade(self._database_url)
        self.realtime = await self._exit.enter_async_context(
            FakeRealtimeServer(config=self._realtime_config, script_factory=self._script_factory)
        )
        self.rest = await self._exit.enter_async_context(FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN))
        # IPPROTO_TCP explicitly: asyncio only disables Nagle on sockets whose proto says TCP.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.settings = Settings(
            database_url=self._database_url,
            OPENAI_API_KEY="sk-simulated",
            realtime_url=self.realtime.url,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            public_url=self.base_url,
            twilio_api_url=self.rest.url,
            summary_model="",  # the fakes have no text model: summaries use the local fallback
            **self._overrides,
        )
        await self._create_business()
        self.app = create_app(self.settings)
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
        )
        server = _EmbeddedServer(config)
        task = asyncio.get_running_loop().create_task(server.serve(sockets=[listener]))

        async def stop_server() -> None:
            server.should_exit = True
            await task
            listener.close()

        self._exit.push_async_callback(stop_server)
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("the AgentLocator server stopped during start-up")
            await asyncio.sleep(0.005)
        self.http = await self._exit.enter_async_context(httpx.AsyncClient(timeout=10.0))

    async def _create_business(self) -> None:
        assert self._database_url is not None
        engine = create_engine(self._database_url)
        try:
            async with session_factory(engine)() as session:
                data = {
                    "name": "מרפאת בדיקה",
                    "phone": BUSINESS_PHONE,
                    "timezone": "Asia/Jerusalem",
                    "call_goal": "booking",
                    "greeting": "שלום, הגעתם למרפאת בדיקה. איך אפשר לעזור?",
                    **self._business,
                }
                business = await create_business(session, BusinessCreate.model_validate(data))
                await session.commit()
                self.business_id = str(business.id)
                self.business_json = business_as_json(business)
        finally:
            await engine.dispose()

    async def call_row(self, call_sid: str) -> dict[str, Any] | None:
        """The stored call record, read through the same services the server uses."""
        from agentlocator.services.call_log import find_call_by_sid

        assert self._database_url is not None
        engine = create_engine(self._database_url)
        try:
            async with session_factory(engine)() as session:
                call = await find_call_by_sid(session, call_sid)
                if call is None:
                    return None
                return {column.name: getattr(call, column.key) for column in call.__table__.columns}
        finally:
            await engine.dispose()

    async def wait_for_jobs(self) -> None:
        """Let the server's background work (call records, summaries) finish."""
        await self.app.state.runtime.wait_for_jobs()

    async def booking_facts(self, call_sid: str) -> dict[str, Any]:
        """What the database says about the appointments a call booked."""
        from sqlalchemy import select

        from agentlocator.db.models import Appointment, Call, Lead

        assert self._database_url is not None
        engine = create_engine(self._database_url)
        try:
            async with session_factory(engine)() as session:
                call = (
                    await session.execute(select(Call).where(Call.call_sid == call_sid))
                ).scalar_one()
                booked = list(
                    (
                        await session.execute(
                            select(Appointment).where(Appointment.call_id == call.id)
                        )
                    ).scalars()
                )
                everything = list((await session.execute(select(Appointment))).scalars())
                lead = (
                    await session.get(Lead, booked[0].lead_id)
                    if booked and booked[0].lead_id
                    else None
                )
                return {
                    "appointments": len(everything),
                    "linked_to_call": len(booked) == 1,
                    "linked_to_lead": lead is not None and lead.id == call.lead_id,
                    "lead_name": lead.full_name if lead else None,
                    "appointment_transcript_turns": len(booked[0].transcript or [])
                    if booked
                    else 0,
                    "has_summaries": bool(call.summary) and bool(booked and booked[0].summary),
                    "summary": call.summary,
                }
        finally:
            await engine.dispose()

    async def count_calls(self) -> int:
        from sqlalchemy import func, select

        from agentlocator.db.models import Call

        assert self._database_url is not None
        engine = create_engine(self._database_url)
        try:
            async with session_factory(engine)() as session:
                return int(
                    (await session.execute(select(func.count()).select_from(Call))).scalar_one()
                )
        finally:
            await engine.dispose()
