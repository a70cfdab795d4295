"""Everything a running instance shares between requests, built once by `app.create_app`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agentlocator.call.live_calls import EndSignalBus, LiveCalls, build_end_bus
from agentlocator.db.engine import create_engine, session_factory, write_turn
from agentlocator.jobs.summary import SummaryModel
from agentlocator.realtime.connection import WebSocketRealtimeLink
from agentlocator.realtime.link import RealtimeLink
from agentlocator.settings import Settings
from agentlocator.telephony.rest import TwilioRest
from agentlocator.telephony.signature import TwilioSignatureCheck

log = logging.getLogger(__name__)


def monotonic_ms() -> float:
    return time.monotonic() * 1000.0


MAX_NOTED_STREAM_STARTS = 10_000


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
    summaries: SummaryModel = field(default_factory=lambda: SummaryModel(None, ""))
    """After-call summaries: one OpenAI client for the whole process, built on first use."""
    _stream_starts: OrderedDict[str, None] = field(default_factory=OrderedDict)

    @contextlib.asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session for read-then-write work, as `async with runtime.write_session() as s`.

        On SQLite it first waits for this process's turn to write (`db.engine.write_turn`, an
        asyncio queue, no connection held meanwhile), then begins IMMEDIATE, taking the write
        lock up front, so concurrent webhooks queue instead of failing with "database is
        locked" when two readers both try to become the writer.
        """
        async with (
            write_turn(self.engine),
            self.db(execution_options={"sqlite_begin": "IMMEDIATE"}) as session,
        ):
            yield session

    def note_stream_started(self, call_sid: str) -> None:
        """Call set-up recorded the stream's start with the lead (one transaction)."""
        self._stream_starts[call_sid] = None
        while len(self._stream_starts) > MAX_NOTED_STREAM_STARTS:
            self._stream_starts.popitem(last=False)

    def take_stream_started(self, call_sid: str) -> bool:
        """Whether call set-up already recorded this call's stream start (asked once)."""
        return self._stream_starts.pop(call_sid, 0) is None

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
        await self.summaries.close()
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
        summaries=SummaryModel(
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            settings.summary_model,
        ),
    )
