"""The bench's databases: a fresh one per backend, the business, and what the calls left in it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from agentlocator.db.engine import create_engine, session_factory, upgrade
from agentlocator.db.models import Appointment, Call
from agentlocator.services.businesses import BusinessCreate, create_business
from agentlocator.simulator.local_stack import BUSINESS_PHONE
from tools_bench.callers import CallResult, RunBroke
from tools_bench.plans import BOOKING_RULES, GREETING

DEFAULT_POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_ENV = "AGENTLOCATOR_TEST_POSTGRES_URL"
RECORD_TIMEOUT_SECS = 30.0
_SAFE_DATABASE_NAME = re.compile(r"^[a-z0-9_]+$")


def postgres_server() -> str:
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_SERVER


def hidden(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextlib.asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A temporary SQLite file, or a new PostgreSQL database dropped (WITH (FORCE)) afterwards;
    migrated, with the clinic the callers dial."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="agentlocator-bench-tools-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'calls.db'}"
            await _prepare(url)
            yield url
        return
    server = postgres_server()
    name = f"agentlocator_bench_tools_{uuid.uuid4().hex[:16]}"
    if not _SAFE_DATABASE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    try:
        await _admin(server, f'CREATE DATABASE "{name}"')
    except Exception as error:
        where = hidden(server)
        raise RunBroke(f"cannot create a PostgreSQL database on {where}: {error}") from None
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        await _prepare(url)
        yield url
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _prepare(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            data = {
                "name": "מרפאת בדיקה",
                "phone": BUSINESS_PHONE,
                "timezone": "Asia/Jerusalem",
                "call_goal": "booking",
                "greeting": GREETING,
                "booking": BOOKING_RULES,
            }
            await create_business(session, BusinessCreate.model_validate(data))
            await session.commit()
    finally:
        await engine.dispose()


async def load_rows(database_url: str, results: Sequence[CallResult]) -> None:
    """Each call's finalised row (end reason, tool calls, latency figures)."""
    engine = create_engine(database_url)
    wanted = {result.call_sid: result for result in results}
    deadline = time.monotonic() + RECORD_TIMEOUT_SECS
    try:
        while True:
            async with session_factory(engine)() as session:
                calls = (
                    await session.execute(select(Call).where(Call.call_sid.in_(list(wanted))))
                ).scalars()
                for call in calls:
                    if call.end_reason:
                        wanted[call.call_sid].row = {
                            "end_reason": call.end_reason,
                            "latency": dict(call.latency or {}),
                            "summarised": bool(call.summary),
                        }
            missing = [sid for sid, result in wanted.items() if not result.row]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise RunBroke(f"{len(missing)} call records were never finalised: {missing[:3]}")
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


async def booked_appointments(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            count = await session.scalar(
                select(func.count()).select_from(Appointment).where(Appointment.status == "booked")
            )
            return int(count or 0)
    finally:
        await engine.dispose()
