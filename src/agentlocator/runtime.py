"""Everything a running instance shares between requests, built once by `app.create_app`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agentlocator.call.live_calls import EndSignalBus, LiveCalls, build_end_bus
from agentlocator.db.engine import create_engine, session_factory
from agentlocator.realtime.connection import WebSocketRealtimeLink
from agentlocator.realtime.link import RealtimeLink
from agentlocator.settings import Settings
from agentlocator.telephony.rest import TwilioRest
from agentlocator.telephony.signature import TwilioSignatureCheck

log = logging.getLogger(__name__)


def monotonic_ms() -> float:
    return time.monotonic() * 1000.0


@dataclass
class Runtime:
    """Shared adapters: database, live calls, signalling, Twilio, Realtime."""

    settings: Settings
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
    live_calls: LiveCalls
    end_bus: EndSignalBus
    signatures: TwilioSignatureCheck
    twilio_rest: TwilioRest | None
    open_realtime: Callable[[], Awaitable[RealtimeLink]]
    clock_ms: Callable[[], float] = monotonic_ms
    jobs: set[asyncio.Task[None]] = field(default_factory=set)

    def write_session(self) -> AsyncSession:
        """A session for read-then-write work: on SQLite it takes the write lock up front, so
        concurrent webhooks queue on the busy timeout instead of failing with "database is
        locked" when two readers both try to become the writer."""
        return self.db(execution_options={"sqlite_begin": "IMMEDIATE"})

    def start_job(self, work: Coroutine[Any, Any, None]) -> None:
        """Run background work (record keeping, summaries) owned by the runtime, not a request."""
        task = asyncio.get_running_loop().create_task(work)
        self.jobs.add(task)
        task.add_done_callback(self._job_done)

    def _job_done(self, task: asyncio.Task[None]) -> None:
        self.jobs.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("job.failed", exc_info=task.exception())

    async def wait_for_jobs(self, timeout_secs: float = 10.0) -> None:
        """Let pending background work finish (shutdown, tests)."""
        if self.jobs:
            await asyncio.wait(set(self.jobs), timeout=timeout_secs)

    async def close(self) -> None:
        await self.wait_for_jobs()
        await self.end_bus.stop()
        await self.engine.dispose()


def _realtime_opener(settings: Settings) -> Callable[[], Awaitable[RealtimeLink]]:
    if settings.uses_simulated_realtime:
        from agentlocator.simulator.realtime_inprocess import InProcessRealtimeLink

        async def open_simulated() -> RealtimeLink:
            return InProcessRealtimeLink()

        return open_simulated
    assert settings.openai_api_key is not None
    api_key = settings.openai_api_key.get_secret_value()

    async def open_openai() -> RealtimeLink:
        return await WebSocketRealtimeLink.open(
            settings.realtime_url, settings.realtime_model, api_key
        )

    return open_openai


def build_runtime(settings: Settings) -> Runtime:
    engine = create_engine(settings.database_url)
    live_calls = LiveCalls()
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    rest = None
    if settings.twilio_account_sid and token:
        rest = TwilioRest(settings.twilio_account_sid, token, settings.twilio_api_url)
    if settings.uses_simulated_realtime:
        log.warning(
            "realtime.simulated",
            extra={"note": "OPENAI_API_KEY is not set: calls use the built-in SIMULATED engine"},
        )
    return Runtime(
        settings=settings,
        engine=engine,
        db=session_factory(engine),
        live_calls=live_calls,
        end_bus=build_end_bus(live_calls, settings.redis_url),
        signatures=TwilioSignatureCheck(token),
        twilio_rest=rest,
        open_realtime=_realtime_opener(settings),
    )
