"""PostgreSQL connections that died in the pool (a restart, a dropped link) are replaced
before use; connections in steady use are not pinged on every checkout."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from agentlocator.db import engine as db_engine
from agentlocator.db.engine import create_engine


async def backend_pid(engine: db_engine.AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid: int = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return pid


async def kill(postgres_url: str, pid: int) -> None:
    """What a database restart does to a pooled connection, from another connection."""
    killer = create_engine(postgres_url)
    try:
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await killer.dispose()


async def test_an_idle_connection_that_died_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE_SECS", 0.0)  # every pooled one is "idle"
    engine = create_engine(postgres_url)
    try:
        first = await backend_pid(engine)
        await kill(postgres_url, first)

        second = await backend_pid(engine)  # no error: the ping failed, the pool reconnected

        assert second != first
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(postgres_url)
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    try:
        for _ in range(5):
            await backend_pid(engine)
        assert pings == []
        monkeypatch.setattr(db_engine, "PING_AFTER_IDLE_SECS", 0.0)
        await backend_pid(engine)
        assert len(pings) == 1
    finally:
        await engine.dispose()
