"""Booking, moving and cancelling appointments against the database guard, on both backends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from crm_testkit import CALLER, book, jlm, make_call, new_business
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import Appointment, Business, LeadStatus
from agentlocator.scheduling import BookingRules, Interval, check_slot, free_slots
from agentlocator.services.appointments import (
    AlreadyBooked,
    Booked,
    BookingResult,
    Moved,
    SlotTaken,
    appointment_spans,
    attach_call_summary,
    book_appointment,
    busy_intervals,
    cancel_appointment,
    get_appointment,
    list_appointments,
    move_appointment,
)
from agentlocator.services.leads import (
    Editor,
    get_lead,
    lead_timeline,
    set_status,
    upsert_lead_for_call,
)

MakeBusiness = Callable[..., Awaitable[Business]]

TEN = jlm(2026, 6, 7, 10, 0)
"""Sunday 7 June 2026, 10:00 in Jerusalem (07:00 UTC)."""


def booked(result: BookingResult) -> Appointment:
    assert isinstance(result, Booked), result
    return result.appointment


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


async def booked_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.status == "booked")
        )
    return int(count or 0)


async def test_booking_commits_the_appointment(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    appointment = booked(
        await book(sessions, business, TEN, 45, buffer=15, notes=" ראשונה ", idempotency_key="k1")
    )

    async with sessions() as session:
        stored = await get_appointment(session, business.id, appointment.id)
    assert stored is not None
    assert (stored.starts_at, stored.ends_at, stored.blocked_until) == (
        TEN,
        TEN + minutes(45),
        TEN + minutes(60),
    )
    assert stored.starts_at.tzinfo is UTC
    assert (stored.status, stored.customer_name, stored.notes) == ("booked", "דנה כהן", "ראשונה")
    assert stored.idempotency_key == "k1"
    assert stored.summary is None and stored.transcript is None
    assert appointment.created_at.tzinfo is UTC


OVERLAP_CASES = [
    ("starts-inside", TEN + minutes(15), 30, SlotTaken),
    ("ends-inside", TEN - minutes(15), 30, SlotTaken),
    ("covers-it", TEN - minutes(60), 120, SlotTaken),
    ("inside-it", TEN + minutes(10), 10, SlotTaken),
    ("same-slot", TEN, 30, SlotTaken),
    ("back-to-back-before", TEN - minutes(30), 30, Booked),
    ("back-to-back-after", TEN + minutes(30), 30, Booked),
]


async def test_overlapping_starts_are_refused(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """10:00-10:30 is booked; each case runs in a business of its own."""
    for case, start, length, expected in OVERLAP_CASES:
        business = await make_business()
        booked(await book(sessions, business, TEN, 30))
        result = await book(sessions, business, start, length)
        assert isinstance(result, expected), case
        if isinstance(result, SlotTaken):
            assert result.starts_at == start
        async with sessions() as session:
            stored = await busy_intervals(
                session, business.id, TEN - minutes(120), TEN + minutes(120)
            )
        assert len(stored) == (2 if expected is Booked else 1), case


async def test_the_buffer_after_an_appointment_blocks_the_next_start(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    booked(await book(sessions, business, TEN, 30, buffer=10))

    assert isinstance(await book(sessions, business, TEN + minutes(30), 30), SlotTaken)
    assert isinstance(await book(sessions, business, TEN + minutes(39), 30), SlotTaken)
    booked(await book(sessions, business, TEN + minutes(40), 30))


async def test_a_new_appointments_own_buffer_must_fit_before_the_next(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    booked(await book(sessions, business, TEN, 30))

    assert isinstance(await book(sessions, business, TEN - minutes(30), 30, buffer=10), SlotTaken)
    booked(await book(sessions, business, TEN - minutes(40), 30, buffer=10))


async def test_other_businesses_do_not_block(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    ours, theirs = await make_business(), await make_business()
    booked(await book(sessions, theirs, TEN, 30))
    booked(await book(sessions, ours, TEN, 30))


async def test_a_retried_idempotency_key_returns_the_same_appointment(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    first = booked(await book(sessions, business, TEN, idempotency_key="CA1:call_abc"))

    again = await book(sessions, business, TEN, idempotency_key="CA1:call_abc")
    assert isinstance(again, AlreadyBooked)
    assert again.appointment.id == first.id

    # The key decides, whatever the retry asks for.
    elsewhere = await book(sessions, business, TEN + minutes(90), idempotency_key="CA1:call_abc")
    assert isinstance(elsewhere, AlreadyBooked)
    assert elsewhere.appointment.id == first.id
    assert await booked_count(sessions) == 1


async def test_the_same_call_asking_again_for_the_same_start_is_already_booked(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    call, other_call = await make_call(db_session, business), await make_call(db_session, business)
    first = booked(await book(sessions, business, TEN, call_id=call.id, idempotency_key="a"))

    again = await book(sessions, business, TEN, call_id=call.id, idempotency_key="b")
    assert isinstance(again, AlreadyBooked)
    assert again.appointment.id == first.id

    assert isinstance(await book(sessions, business, TEN, call_id=other_call.id), SlotTaken)
    second = booked(await book(sessions, business, TEN + minutes(60), call_id=call.id))
    assert second.id != first.id


async def test_cancelling_frees_the_slot_at_once(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    first = booked(await book(sessions, business, TEN))
    async with sessions() as session:
        cancelled = await cancel_appointment(session, business.id, first.id, by="human")
        await session.commit()
    assert cancelled is not None and cancelled.status == "cancelled"

    second = booked(await book(sessions, business, TEN + minutes(15)))
    assert second.id != first.id

    async with sessions() as session:
        again = await cancel_appointment(session, business.id, first.id, by="human")
        await session.commit()
    assert again is not None and again.status == "cancelled"


async def test_a_cancelled_booking_retried_with_its_key_is_not_rebooked(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    first = booked(await book(sessions, business, TEN, idempotency_key="k"))
    async with sessions() as session:
        await cancel_appointment(session, business.id, first.id, by="ai")
        await session.commit()

    retry = await book(sessions, business, TEN, idempotency_key="k")
    assert isinstance(retry, AlreadyBooked)
    assert (retry.appointment.id, retry.appointment.status) == (first.id, "cancelled")
    assert await booked_count(sessions) == 0


async def test_moving_is_atomic_and_guarded(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    appointment = booked(await book(sessions, business, TEN, 30, buffer=10))
    other = booked(await book(sessions, business, TEN + minutes(120), 30))

    # Overlapping its own old time is fine: the row does not block itself.
    moved = await move_appointment(
        sessions, business.id, appointment.id, starts_at=TEN + minutes(15)
    )
    assert isinstance(moved, Moved)
    assert (moved.appointment.ends_at, moved.appointment.blocked_until) == (
        TEN + minutes(45),
        TEN + minutes(55),
    )
    # The old start is free again.
    booked(await book(sessions, business, TEN - minutes(30), 30))

    taken = await move_appointment(
        sessions, business.id, appointment.id, starts_at=TEN + minutes(100)
    )
    assert isinstance(taken, SlotTaken)
    async with sessions() as session:
        unchanged = await get_appointment(session, business.id, appointment.id)
    assert unchanged is not None and unchanged.starts_at == TEN + minutes(15)

    longer = await move_appointment(
        sessions,
        business.id,
        other.id,
        starts_at=TEN + minutes(180),
        duration_minutes=60,
        buffer_minutes=0,
    )
    assert isinstance(longer, Moved)
    assert longer.appointment.ends_at == longer.appointment.blocked_until == TEN + minutes(240)
    assert longer.appointment.updated_at > other.updated_at


async def test_a_cancelled_appointment_cannot_be_moved(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    appointment = booked(await book(sessions, business, TEN))
    async with sessions() as session:
        await cancel_appointment(session, business.id, appointment.id, by="human")
        await session.commit()
    assert await move_appointment(sessions, business.id, appointment.id, starts_at=TEN) is None


async def test_the_guard_compares_instants_whatever_the_offset(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    israel_summer = timezone(timedelta(hours=3))
    booked(await book(sessions, business, datetime(2026, 6, 7, 10, 0, tzinfo=israel_summer)))

    assert isinstance(
        await book(sessions, business, datetime(2026, 6, 7, 7, 15, tzinfo=UTC)), SlotTaken
    )
    booked(await book(sessions, business, datetime(2026, 6, 7, 7, 30, tzinfo=UTC)))
    with pytest.raises(ValueError, match="naive"):
        await book(sessions, business, datetime(2026, 6, 7, 7, 30))


async def test_the_repeated_hour_of_the_autumn_change_is_two_distinct_hours(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """Sunday 25 October 2026, Jerusalem: 01:00-02:00 happens twice (+03, then +02)."""
    business = await make_business()
    first_0130 = jlm(2026, 10, 25, 1, 30, fold=0)
    second_0130 = jlm(2026, 10, 25, 1, 30, fold=1)
    assert second_0130 - first_0130 == minutes(60)

    booked(await book(sessions, business, first_0130, 60))
    booked(await book(sessions, business, second_0130, 30))
    assert isinstance(await book(sessions, business, second_0130 - minutes(1), 30), SlotTaken)
    # 90 minutes from the first 01:30 reach into the second one.
    other = await make_business()
    booked(await book(sessions, other, first_0130, 90))
    assert isinstance(await book(sessions, other, second_0130, 30), SlotTaken)


async def test_an_appointment_across_the_spring_gap_lasts_its_elapsed_minutes(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """Friday 27 March 2026, Jerusalem: the clock jumps from 02:00 to 03:00."""
    business = await make_business()
    start = jlm(2026, 3, 27, 1, 30)  # +02:00
    appointment = booked(await book(sessions, business, start, 60))
    assert appointment.ends_at == jlm(2026, 3, 27, 3, 30)  # +03:00, one hour later

    assert isinstance(await book(sessions, business, jlm(2026, 3, 27, 3, 0), 30), SlotTaken)
    booked(await book(sessions, business, jlm(2026, 3, 27, 3, 30), 30))
    # Just before midnight UTC on the day before and just after it sort correctly too.
    booked(await book(sessions, business, jlm(2026, 3, 27, 1, 0), 30))
    assert isinstance(await book(sessions, business, jlm(2026, 3, 27, 1, 29), 30), SlotTaken)


async def test_the_guard_is_exact_to_the_microsecond(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business = await make_business()
    start = jlm(2026, 6, 7, 10, 0, 0, 999_999)
    appointment = booked(await book(sessions, business, start, 30))
    assert appointment.blocked_until == jlm(2026, 6, 7, 10, 30, 0, 999_999)

    just_before = jlm(2026, 6, 7, 10, 30, 0, 999_998)
    assert isinstance(await book(sessions, business, just_before, 30), SlotTaken)
    booked(await book(sessions, business, jlm(2026, 6, 7, 10, 30, 0, 999_999), 30))
    # 09:59:59.5 + 30 min ends at 10:29:59.5, inside the first one; 0.5 s sorts below 0.999999 s.
    assert isinstance(
        await book(sessions, business, jlm(2026, 6, 7, 9, 59, 59, 500_000), 30), SlotTaken
    )
    booked(await book(sessions, business, jlm(2026, 6, 7, 9, 30, 0, 999_999), 30))


async def test_writes_outside_the_service_meet_the_same_guard(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """A dashboard or import path that writes rows directly cannot double-book either."""
    business = await make_business()
    first = booked(await book(sessions, business, TEN))
    second = booked(await book(sessions, business, TEN + minutes(30)))

    async with sessions() as session:
        session.add(
            Appointment(
                business_id=business.id,
                starts_at=TEN + minutes(10),
                ends_at=TEN + minutes(20),
                blocked_until=TEN + minutes(20),
            )
        )
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()

        with pytest.raises(IntegrityError):
            await session.execute(
                update(Appointment)
                .where(Appointment.id == second.id)
                .values(starts_at=TEN + minutes(20))
            )
        await session.rollback()

        await session.execute(
            update(Appointment).where(Appointment.id == first.id).values(status="cancelled")
        )
        await session.execute(
            update(Appointment)
            .where(Appointment.id == second.id)
            .values(
                starts_at=TEN + minutes(20),
                ends_at=TEN + minutes(50),
                blocked_until=TEN + minutes(50),
            )
        )
        await session.commit()
        with pytest.raises(IntegrityError):
            await session.execute(
                update(Appointment).where(Appointment.id == first.id).values(status="booked")
            )
        await session.rollback()


async def test_sqlite_refuses_instants_it_could_not_compare(sqlite_url: str) -> None:
    """Text compares like instants only in the one fixed-width UTC spelling; others are refused."""
    engine = create_engine(sqlite_url)
    try:
        async with session_factory(engine)() as session:
            business = await new_business(session)
        insert = text(
            "INSERT INTO appointments (id, business_id, starts_at, ends_at, blocked_until) "
            "VALUES (:id, :business_id, :starts_at, :ends_at, :blocked_until)"
        )
        values = {
            "id": "a" * 32,
            "business_id": business.id.hex,
            "starts_at": "2026-06-07 07:00:00.000000",
            "ends_at": "2026-06-07 07:30:00.000000",
            "blocked_until": "2026-06-07 07:30:00.000000",
        }
        spellings = {
            "starts_at": "2026-06-07T07:00:00+00:00",
            "ends_at": "2026-06-07 07:30:00",
            "blocked_until": "2026-06-07 07:30:00.000",
        }
        async with engine.connect() as connection:
            for column, spelling in spellings.items():
                with pytest.raises(IntegrityError, match="appointment_instant_format"):
                    await connection.execute(insert, {**values, column: spelling})
                await connection.rollback()
            await connection.execute(insert, values)
            await connection.rollback()
    finally:
        await engine.dispose()


async def test_busy_intervals_are_the_booked_spans_with_their_buffers(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business, other = await make_business(), await make_business()
    late = booked(await book(sessions, business, TEN + minutes(120), 30, buffer=10))
    early = booked(await book(sessions, business, TEN, 30, buffer=10))
    dropped = booked(await book(sessions, business, TEN + minutes(60), 30))
    booked(await book(sessions, other, TEN, 30))
    booked(await book(sessions, business, TEN + timedelta(days=1), 30))
    async with sessions() as session:
        await cancel_appointment(session, business.id, dropped.id, by="human")
        await session.commit()

        day = (TEN - minutes(600), TEN + minutes(600))
        assert await busy_intervals(session, business.id, *day) == [
            (early.starts_at, early.blocked_until),
            (late.starts_at, late.blocked_until),
        ]
        # Half-open: a window ending at a start or starting at a blocked_until misses it.
        assert await busy_intervals(session, business.id, TEN - minutes(60), TEN) == []
        assert (
            await busy_intervals(session, business.id, TEN + minutes(40), TEN + minutes(120)) == []
        )
        assert await busy_intervals(session, business.id, TEN + minutes(39), TEN + minutes(41)) == [
            (early.starts_at, early.blocked_until)
        ]

        assert await appointment_spans(session, business.id, *day) == [
            (early.starts_at, early.ends_at),
            (late.starts_at, late.ends_at),
        ]
        assert await appointment_spans(session, business.id, *day, buffer_minutes=0) == [
            (early.starts_at, early.blocked_until),
            (late.starts_at, late.blocked_until),
        ]
        tiny = await appointment_spans(session, business.id, *day, buffer_minutes=60)
        assert tiny[0] == (early.starts_at, early.starts_at + timedelta(microseconds=1))
        with pytest.raises(ValueError, match="to_utc"):
            await busy_intervals(session, business.id, TEN, TEN)


def _rules(buffer_minutes: int) -> BookingRules:
    return BookingRules.model_validate(
        {
            "weekly_hours": {"sun": [["09:00", "13:00"]]},
            "slot_minutes": 30,
            "step_minutes": 10,
            "buffer_minutes": buffer_minutes,
            "min_notice_minutes": 0,
            "window_days": 3650,
        }
    )


async def test_what_the_slot_engine_offers_is_what_the_database_accepts(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """Also after the owner changed the buffer, with `appointment_spans(buffer_minutes=…)`."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    candidates = [jlm(2026, 6, 7, 9, 0) + minutes(10 * i) for i in range(22)]
    for booked_with, offered_with in [(10, 10), (10, 0), (0, 20)]:
        business = await make_business()
        booked(await book(sessions, business, TEN, 30, buffer=booked_with))
        rules = _rules(offered_with)
        async with sessions() as session:
            spans = await appointment_spans(
                session,
                business.id,
                TEN - minutes(600),
                TEN + minutes(600),
                buffer_minutes=offered_with,
            )
        busy = [Interval(start, end) for start, end in spans]
        offered = {slot.start for slot in free_slots(rules, date(2026, 6, 7), now, busy)}
        assert {c for c in candidates if check_slot(rules, c, now, busy).ok} == offered
        assert TEN not in offered and len(offered) > 10
        for start in candidates:
            result = await book(sessions, business, start, 30, buffer=offered_with)
            assert isinstance(result, Booked) == (start in offered), (booked_with, start)
            if isinstance(result, Booked):
                async with sessions() as session:
                    await cancel_appointment(
                        session, business.id, result.appointment.id, by="human"
                    )
                    await session.commit()


async def test_list_and_get_are_scoped_and_ordered(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    business, other = await make_business(), await make_business()
    later = booked(await book(sessions, business, TEN + minutes(60)))
    first = booked(await book(sessions, business, TEN))
    gone = booked(await book(sessions, business, TEN + minutes(120)))
    theirs = booked(await book(sessions, other, TEN))
    window = (TEN - minutes(60), TEN + minutes(240))
    async with sessions() as session:
        await cancel_appointment(session, business.id, gone.id, by="human")
        await session.commit()

        listed = await list_appointments(session, business.id, *window)
        assert [a.id for a in listed] == [first.id, later.id]
        everything = await list_appointments(session, business.id, *window, include_cancelled=True)
        assert [a.id for a in everything] == [first.id, later.id, gone.id]
        assert [
            a.id
            for a in await list_appointments(
                session, business.id, TEN + minutes(29), TEN + minutes(61)
            )
        ] == [first.id, later.id]
        assert await get_appointment(session, business.id, theirs.id) is None
        assert await get_appointment(session, other.id, theirs.id) is not None


async def test_the_call_summary_and_transcript_land_on_its_appointments(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    call, other_call = await make_call(db_session, business), await make_call(db_session, business)
    one = booked(await book(sessions, business, TEN, call_id=call.id))
    two = booked(await book(sessions, business, TEN + minutes(60), call_id=call.id))
    unrelated = booked(await book(sessions, business, TEN + minutes(120), call_id=other_call.id))
    transcript = [{"role": "caller", "text": "אפשר תור?", "at_ms": 1200}]

    async with sessions() as session:
        count = await attach_call_summary(session, business.id, call.id, "נקבע תור", transcript)
        await session.commit()
    assert count == 2

    async with sessions() as session:
        for appointment_id in (one.id, two.id):
            stored = await get_appointment(session, business.id, appointment_id)
            assert stored is not None
            assert (stored.summary, stored.transcript) == ("נקבע תור", transcript)
        stored = await get_appointment(session, business.id, unrelated.id)
        assert stored is not None and stored.summary is None


async def test_booking_updates_the_leads_timeline_and_status(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    call = await make_call(db_session, business)
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=call.id)
    await db_session.commit()
    assert lead is not None and lead.status == "new"

    appointment = booked(await book(sessions, business, TEN, lead_id=lead.id, call_id=call.id))
    moved = await move_appointment(
        sessions, business.id, appointment.id, starts_at=TEN + minutes(60)
    )
    assert isinstance(moved, Moved)
    async with sessions() as session:
        await cancel_appointment(session, business.id, appointment.id, by="ai", reason="caller")
        await session.commit()
        events = await lead_timeline(session, business.id, lead.id)
        refreshed = await get_lead(session, business.id, lead.id)
    assert [e.kind for e in events] == [
        "call",
        "appointment_booked",
        "status_changed",
        "appointment_moved",
        "appointment_cancelled",
    ]
    assert events[1].data["appointment_id"] == str(appointment.id)
    assert events[2].data == {
        "from": "new",
        "to": "booked",
        "by": "ai",
        "appointment_id": str(appointment.id),
    }
    assert events[4].data["by"] == "ai"
    assert refreshed is not None and refreshed.status == "booked"


async def test_booking_keeps_a_status_a_person_set_and_a_customer(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business = await make_business()
    cases: list[tuple[LeadStatus, Editor, str, datetime]] = [
        ("lost", "human", "+972521111111", TEN),
        ("customer", "ai", "+972522222222", TEN + minutes(60)),
    ]
    for status, by, phone, start in cases:
        lead = await upsert_lead_for_call(db_session, business.id, phone, call_id=None)
        assert lead is not None
        await set_status(db_session, business.id, lead.id, status, by=by)
        await db_session.commit()

        booked(await book(sessions, business, start, lead_id=lead.id))
        async with sessions() as session:
            refreshed = await get_lead(session, business.id, lead.id)
            events = [e.kind for e in await lead_timeline(session, business.id, lead.id)]
        assert refreshed is not None and refreshed.status == status
        assert events == ["call", "status_changed", "appointment_booked"]


async def test_arguments_are_checked(
    sessions: async_sessionmaker[AsyncSession], db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    with pytest.raises(ValueError, match="duration_minutes"):
        await book(sessions, business, TEN, 0)
    with pytest.raises(ValueError, match="buffer_minutes"):
        await book(sessions, business, TEN, 30, buffer=-5)
    with pytest.raises(ValueError, match="idempotency_key"):
        await book(sessions, business, TEN, idempotency_key="x" * 129)
    with pytest.raises(ValueError, match="expire_on_commit"):
        await book_appointment(
            async_sessionmaker(db_engine),
            business.id,
            starts_at=TEN,
            duration_minutes=30,
        )
    assert await booked_count(sessions) == 0
