"""Migration 0002 (booking rules, leads, lead events, appointments and the overlap guard):
up, down to 0001 keeping the businesses, and up again, on both backends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from crm_testkit import book, jlm
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from agentlocator.db.engine import downgrade, session_factory, upgrade
from agentlocator.db.models import Business
from agentlocator.services.appointments import Booked, SlotTaken
from agentlocator.services.businesses import get_business

MakeBusiness = Callable[..., Awaitable[Business]]

NEW_TABLES = {"leads", "lead_events", "appointments"}
TEN = jlm(2026, 6, 7, 10, 0)


def _schema(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    if connection.dialect.name == "sqlite":
        guards = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        guards = "SELECT conname FROM pg_constraint WHERE contype = 'x'"
    return {
        "tables": set(inspector.get_table_names()),
        "business_columns": {c["name"] for c in inspector.get_columns("businesses")},
        "guards": {row[0] for row in connection.exec_driver_sql(guards)},
    }


async def _inspect(engine: AsyncEngine) -> dict[str, Any]:
    await engine.dispose()  # SQLite connections cache the schema they saw
    async with engine.connect() as connection:
        return await connection.run_sync(_schema)


async def test_head_has_the_tables_and_the_guard(db_engine: AsyncEngine) -> None:
    schema = await _inspect(db_engine)
    assert schema["tables"] >= NEW_TABLES
    assert "booking" in schema["business_columns"]
    expected = (
        {"trg_appointments_no_overlap_insert", "trg_appointments_no_overlap_update"}
        if db_engine.dialect.name == "sqlite"
        else {"ex_appointments_no_overlap"}
    )
    assert schema["guards"] == expected


async def test_down_to_0001_and_up_again_keeps_businesses_and_the_guard(
    database_url: str, db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    sessions = session_factory(db_engine)
    assert isinstance(await book(sessions, business, TEN), Booked)

    assert await downgrade(database_url, "0001") == "0001"
    schema = await _inspect(db_engine)
    assert not NEW_TABLES & schema["tables"]
    assert "booking" not in schema["business_columns"]
    assert schema["guards"] == set()
    async with db_engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM businesses")) == 1

    assert await upgrade(database_url) == "0004"  # back up to head
    schema = await _inspect(db_engine)
    assert schema["tables"] >= NEW_TABLES
    assert len(schema["guards"]) >= 1

    assert isinstance(await book(sessions, business, TEN), Booked)
    assert isinstance(await book(sessions, business, TEN), SlotTaken)


async def test_the_booking_rules_document_round_trips(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    assert business.booking is None
    rules = {
        "timezone": "Asia/Jerusalem",
        "weekly_hours": {
            "sun": [["09:00", "13:00"], ["14:00", "17:00"]],
            "fri": [["09:00", "13:00"]],
        },
        "overrides": {"2026-04-02": []},
        "slot_minutes": 30,
        "buffer_minutes": 10,
    }
    async with session_factory(db_engine)() as session:
        stored = await get_business(session, business.id)
        assert stored is not None
        stored.booking = rules
        await session.commit()
    async with session_factory(db_engine)() as session:
        again = await get_business(session, business.id)
    assert again is not None and again.booking == rules
