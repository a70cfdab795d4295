"""Racers for one slot in one process: the first takes the write transaction, the rest read.

`services.booking_flights` makes a booking wait, without a connection, for this process's
bookings already in flight over an overlapping span, then read its answer from the rows. These
tests count the write transactions to show the losers skipped the locked queue, and show a
waiter still books when the flight it waited for did not take the slot.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from crm_testkit import book, jlm, kinds, new_business
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import Business, BusinessId, LeadId
from agentlocator.services import appointments
from agentlocator.services.booking_flights import BookingFlights
from agentlocator.services.leads import NotInBusinessError, upsert_lead_for_call

MakeBusiness = Callable[..., Awaitable[Business]]

TEN = jlm(2026, 6, 7, 10, 0)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The start of every booking that took the locked write transaction, in order."""
    started: list[datetime] = []
    real = appointments.write_transaction

    async def counted(sessions: Any, business_id: Any, work: Any, span: Any = None) -> Any:
        started.append(span[0])
        return await real(sessions, business_id, work, span)

    monkeypatch.setattr(appointments, "write_transaction", counted)
    return started


async def test_losers_of_a_race_answer_from_the_rows_without_a_write_transaction(
    sessions: async_sessionmaker[AsyncSession],
    make_business: MakeBusiness,
    writes: list[datetime],
) -> None:
    business = await make_business()
    overlapping = [TEN] * 8 + [TEN + timedelta(minutes=15), TEN - timedelta(minutes=15)]
    results = await asyncio.gather(
        *(
            book(sessions, business, start, 30, idempotency_key=f"call_{n}")
            for n, start in enumerate(overlapping)
        )
    )
    assert kinds(results) == {"Booked": 1, "SlotTaken": 9}
    assert writes == [TEN]


async def test_a_retry_waiting_behind_its_own_booking_gets_that_appointment(
    sessions: async_sessionmaker[AsyncSession],
    make_business: MakeBusiness,
    writes: list[datetime],
) -> None:
    business = await make_business()
    results = await asyncio.gather(
        *(book(sessions, business, TEN, 30, idempotency_key="CA1:call_same") for _ in range(5))
    )
    assert kinds(results) == {"Booked": 1, "AlreadyBooked": 4}
    assert len({result.appointment.id for result in results}) == 1  # type: ignore[union-attr]
    assert len(writes) == 1


async def test_a_waiter_books_when_the_flight_before_it_did_not_take_the_slot(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
    writes: list[datetime],
) -> None:
    business = await make_business()
    other = await new_business(db_session, phone="+97235550999")
    foreign = await upsert_lead_for_call(db_session, other.id, "+972501111111", call_id=None)
    assert foreign is not None
    await db_session.commit()

    # The first booking names another business's lead: it is refused inside its transaction,
    # after the second started waiting for it. The second must still get the slot.
    refused, booked = await asyncio.gather(
        book(sessions, business, TEN, 30, lead_id=LeadId(foreign.id)),
        book(sessions, business, TEN, 30),
        return_exceptions=True,
    )
    assert isinstance(refused, NotInBusinessError)
    assert isinstance(booked, appointments.Booked)
    assert writes == [TEN, TEN]


async def test_flights_hold_back_only_overlapping_spans_of_the_same_business() -> None:
    flights = BookingFlights(asyncio.get_running_loop())
    business, neighbour = BusinessId(uuid.uuid4()), BusinessId(uuid.uuid4())
    ten_to_half_past = (TEN, TEN + timedelta(minutes=30))
    landed = asyncio.Event()

    async def in_flight() -> None:
        with flights.flying(business, ten_to_half_past):
            await landed.wait()

    flight = asyncio.create_task(in_flight())
    await asyncio.sleep(0)
    # Touching spans do not overlap; another business never waits.
    later = (TEN + timedelta(minutes=30), TEN + timedelta(hours=1))
    assert await flights.wait_for_overlapping(business, later) is False
    assert await flights.wait_for_overlapping(neighbour, ten_to_half_past) is False

    overlapping = (TEN + timedelta(minutes=29), TEN + timedelta(hours=1))
    waiter = asyncio.create_task(flights.wait_for_overlapping(business, overlapping))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    landed.set()
    assert await asyncio.wait_for(waiter, 1) is True
    await flight
    assert await flights.wait_for_overlapping(business, overlapping) is False


async def test_a_flight_that_fails_still_lands() -> None:
    flights = BookingFlights(asyncio.get_running_loop())
    business = BusinessId(uuid.uuid4())
    span = (TEN, TEN + timedelta(minutes=30))
    release = asyncio.Event()

    async def failing() -> None:
        with flights.flying(business, span):
            await release.wait()
            raise RuntimeError("the database went away")

    flight = asyncio.create_task(failing())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(flights.wait_for_overlapping(business, span))
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(RuntimeError):
        await flight
    assert await asyncio.wait_for(waiter, 1) is True
