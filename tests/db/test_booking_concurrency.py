"""Racing bookings: the database lets exactly one of many concurrent callers win a slot.

Each task books through its own session from the factory. On PostgreSQL the transactions run
at the same time and the exclusion constraint decides; on SQLite `BEGIN IMMEDIATE` queues them
on the busy timeout, and none may fail with "database is locked".
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest
from crm_testkit import CALLER, book, jlm, kinds, make_call, new_business
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import Appointment, Business, LeadEvent
from agentlocator.services.appointments import AlreadyBooked, Booked, SlotTaken, busy_intervals
from agentlocator.services.booking_claims import Claims
from agentlocator.services.leads import get_lead, upsert_lead_for_call

MakeBusiness = Callable[..., Awaitable[Business]]

TEN = jlm(2026, 6, 7, 10, 0)


async def test_fifty_concurrent_bookings_of_one_slot_make_one_appointment(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    results = await asyncio.gather(
        *(book(sessions, business, TEN, 30, idempotency_key=f"call_{n}") for n in range(50))
    )
    assert kinds(results) == {"Booked": 1, "SlotTaken": 49}
    async with sessions() as session:
        stored = await busy_intervals(session, business.id, TEN, TEN + timedelta(hours=1))
    assert stored == [(TEN, TEN + timedelta(minutes=30))]


async def test_concurrent_overlapping_starts_never_overlap_when_stored(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    starts = [TEN + timedelta(minutes=5 * n) for n in range(24)]  # 10:00 … 11:55
    results = await asyncio.gather(*(book(sessions, business, s, 30, buffer=5) for s in starts))

    async with sessions() as session:
        spans = await busy_intervals(session, business.id, TEN, TEN + timedelta(hours=3))
    assert len(spans) == kinds(results)["Booked"] >= 2
    assert kinds(results)["Booked"] + kinds(results)["SlotTaken"] == len(starts)
    for (_, blocked_until), (next_start, _) in itertools.pairwise(spans):
        assert blocked_until <= next_start


async def test_concurrent_retries_of_one_tool_call_return_one_appointment(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    results = await asyncio.gather(
        *(book(sessions, business, TEN, 30, idempotency_key="CA1:call_same") for _ in range(20))
    )
    assert kinds(results) == {"Booked": 1, "AlreadyBooked": 19}
    ids = {r.appointment.id for r in results if isinstance(r, Booked | AlreadyBooked)}
    assert len(ids) == 1


async def test_the_same_call_re_asking_with_new_tool_call_ids_books_once(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    call = await make_call(db_session, business)
    results = await asyncio.gather(
        *(
            book(sessions, business, TEN, 30, call_id=call.id, idempotency_key=f"k{n}")
            for n in range(10)
        )
    )
    assert kinds(results) == {"Booked": 1, "AlreadyBooked": 9}


async def test_concurrent_bookings_for_one_lead_neither_deadlock_nor_lose_events(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None
    await db_session.commit()

    # Ten distinct slots and ten contenders for the first one, all for the same lead.
    starts = [TEN + timedelta(hours=n) for n in range(10)] + [TEN] * 10
    results = await asyncio.gather(
        *(book(sessions, business, s, 30, lead_id=lead.id) for s in starts)
    )
    assert kinds(results) == {"Booked": 10, "SlotTaken": 10}

    async with sessions() as session:
        refreshed = await get_lead(session, business.id, lead.id)
        booked_events = await session.scalar(
            select(func.count())
            .select_from(LeadEvent)
            .where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "appointment_booked")
        )
        status_events = await session.scalar(
            select(func.count())
            .select_from(LeadEvent)
            .where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "status_changed")
        )
        appointments = await session.scalar(select(func.count()).select_from(Appointment))
    assert refreshed is not None and refreshed.status == "booked"
    assert (booked_events, status_events, appointments) == (10, 1, 10)


async def test_a_deadlock_with_a_writer_that_takes_no_lock_is_retried(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL: two transactions inserting overlapping rows can deadlock inside the exclusion
    constraint. A writer outside the service (raw ORM, no advisory lock) holds 10:00-10:30
    uncommitted; the booking of 10:20 waits for it; the writer then adds 10:40, which waits for
    the booking. PostgreSQL aborts one of them; the booking retries and answers, never raises.
    """
    caplog.set_level(logging.INFO, logger="agentlocator.services.booking_guard")
    engine = create_engine(postgres_url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            business = await new_business(session)

        async with sessions() as writer:
            writer.add(_appointment(business, TEN, 30))
            await writer.flush()
            booking = asyncio.create_task(book(sessions, business, TEN + timedelta(minutes=20), 30))
            await _until_someone_waits_for_a_lock(engine)
            writer.add(_appointment(business, TEN + timedelta(minutes=40), 20))
            try:
                await writer.flush()
                await writer.commit()
                writer_won = True
            except DBAPIError:
                await writer.rollback()
                writer_won = False
            result = await booking
    finally:
        await engine.dispose()
    assert isinstance(result, SlotTaken if writer_won else Booked)
    retried = [r for r in caplog.records if r.getMessage() == "appointment.write_retried"]
    assert bool(retried) == writer_won


def _appointment(business: Business, start: datetime, minutes: int) -> Appointment:
    end = start + timedelta(minutes=minutes)
    return Appointment(business_id=business.id, starts_at=start, ends_at=end, blocked_until=end)


async def _until_someone_waits_for_a_lock(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        for _ in range(200):
            waiting = await connection.scalar(
                text("SELECT count(*) FROM pg_locks WHERE NOT granted")
            )
            await connection.rollback()
            if waiting:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the booking never waited for the writer")


async def test_the_schema_guard_still_refuses_when_the_early_check_is_skipped(
    sessions: async_sessionmaker[AsyncSession],
    make_business: MakeBusiness,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read before the insert only saves work: the database's own guard still decides."""
    business = await make_business()
    first = await book(sessions, business, TEN, 30, idempotency_key="call_first")
    assert isinstance(first, Booked)

    async def no_claims(*_args: object) -> Claims:
        return Claims(previous=None, is_taken=False)

    monkeypatch.setattr("agentlocator.services.appointments.read_claims", no_claims)
    overlapping = TEN + timedelta(minutes=15)
    results = await asyncio.gather(
        *(book(sessions, business, overlapping, 30, idempotency_key=f"call_{n}") for n in range(5))
    )
    assert kinds(results) == {"SlotTaken": 5}
    async with sessions() as session:
        stored = await busy_intervals(session, business.id, TEN, TEN + timedelta(hours=1))
    assert stored == [(TEN, TEN + timedelta(minutes=30))]
