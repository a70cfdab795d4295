"""SQLite writers of one process queue on `write_turn`; PostgreSQL writers do not wait."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agentlocator.db.engine import create_engine, write_turn


async def test_sqlite_writers_take_turns_first_come_first_served(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    order: list[str] = []
    inside = 0
    most_inside = 0

    async def writer(name: str) -> None:
        nonlocal inside, most_inside
        async with write_turn(engine):
            inside += 1
            most_inside = max(most_inside, inside)
            order.append(name)
            await asyncio.sleep(0.01)
            inside -= 1

    try:
        await asyncio.gather(*(writer(str(n)) for n in range(5)))
    finally:
        await engine.dispose()
    assert most_inside == 1
    assert order == ["0", "1", "2", "3", "4"]


async def test_a_task_may_reenter_its_own_turn(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    try:
        async with write_turn(engine), write_turn(engine):
            pass
        async with asyncio.timeout(1):  # released: another task gets it at once
            await asyncio.create_task(_take(engine))
    finally:
        await engine.dispose()


async def _take(engine: object) -> None:
    async with write_turn(engine):
        pass


async def test_postgresql_and_unknown_binds_wait_for_nothing() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        async with write_turn(engine), write_turn(engine), write_turn(None):
            inner = asyncio.create_task(_take(engine))
            await asyncio.wait_for(inner, 1)  # not blocked by the turn held outside
    finally:
        await engine.dispose()
