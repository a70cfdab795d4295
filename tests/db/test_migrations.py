"""Migrations on both backends (up, down to base, up again) and the engine's SQLite tuning."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from agentlocator.db.engine import create_engine, downgrade, session_factory, upgrade, upgrade_sync
from agentlocator.db.models import Base

HEAD = "0004"


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def _revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        return None if revision is None else str(revision)


async def test_fixture_database_is_at_head(db_engine: AsyncEngine) -> None:
    assert await _revision(db_engine) == HEAD
    assert {"businesses", "calls"} <= await _tables(db_engine)


async def test_upgrade_is_idempotent(database_url: str, db_engine: AsyncEngine) -> None:
    assert await upgrade(database_url) == HEAD
    assert await upgrade(database_url) == HEAD
    assert await _revision(db_engine) == HEAD


async def test_downgrade_to_base_then_up_again(database_url: str, db_engine: AsyncEngine) -> None:
    assert await downgrade(database_url, "base") is None
    await db_engine.dispose()
    assert await _tables(db_engine) <= {"alembic_version"}

    assert await upgrade(database_url) == HEAD
    await db_engine.dispose()
    assert {"businesses", "calls"} <= await _tables(db_engine)


async def test_migrations_match_the_models(db_engine: AsyncEngine) -> None:
    """Alembic autogenerate finds nothing to do: the hand-written revision and the models agree."""

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db_engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_foreign_keys_are_enforced(db_engine: AsyncEngine) -> None:
    insert_orphan = text(
        "INSERT INTO calls (id, business_id, call_sid, direction, from_number, to_number) "
        "VALUES (:id, :business_id, 'CA-orphan', 'inbound', '+972521234567', '+97235550100')"
    )
    async with db_engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(
                insert_orphan,
                {"id": "0" * 32, "business_id": "f" * 32}
                if db_engine.dialect.name == "sqlite"
                else {
                    "id": "00000000-0000-0000-0000-000000000000",
                    "business_id": "ffffffff-ffff-ffff-ffff-ffffffffffff",
                },
            )


async def test_sqlite_engine_creates_its_folder_and_uses_wal(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'deeper' / 'agentlocator.db'}"
    assert await upgrade(url) == HEAD
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()
    assert (tmp_path / "nested" / "deeper" / "agentlocator.db").exists()


def test_upgrade_sync_works_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert upgrade_sync("sqlite+aiosqlite:///relative/agentlocator.db") == HEAD
    assert (tmp_path / "relative" / "agentlocator.db").exists()


@pytest.mark.parametrize("mode", ["DEFERRED", "IMMEDIATE"])
async def test_sqlite_transactions_begin_as_asked(sqlite_url: str, mode: str) -> None:
    engine = create_engine(sqlite_url)
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_args: statements.append(statement),
    )
    options = {} if mode == "DEFERRED" else {"sqlite_begin": mode}
    try:
        async with session_factory(engine)(execution_options=options) as session:
            await session.execute(text("SELECT 1"))
            await session.commit()
    finally:
        await engine.dispose()
    assert statements[statements.index(f"BEGIN {mode}") + 1] == "SELECT 1"


async def test_sqlite_begin_option_is_checked(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with pytest.raises(ValueError, match="sqlite_begin"):
            async with engine.connect() as connection:
                await connection.execution_options(sqlite_begin="NOW; DROP")
                await connection.begin()
    finally:
        await engine.dispose()


async def test_instances_starting_together_migrate_in_turn(database_url: str) -> None:
    await downgrade(database_url, "base")
    revisions = await asyncio.gather(*(upgrade(database_url) for _ in range(4)))
    assert revisions == [HEAD] * 4
