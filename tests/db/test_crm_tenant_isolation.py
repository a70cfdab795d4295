"""Tenant isolation: business B, holding business A's ids, can neither read nor change A's leads
and appointments through any function, and the database refuses cross-tenant links."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from crm_testkit import CALLER, book, jlm, make_call
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import (
    Appointment,
    AppointmentId,
    Business,
    Call,
    Lead,
    LeadEvent,
    LeadId,
)
from agentlocator.services import appointments, leads
from agentlocator.services.appointments import Booked

MakeBusiness = Callable[..., Awaitable[Business]]

TEN = jlm(2026, 6, 7, 10, 0)
DAY = (TEN - timedelta(hours=12), TEN + timedelta(hours=12))


async def _tenant_a(
    sessions: async_sessionmaker[AsyncSession], business: Business
) -> tuple[Lead, Appointment, Call]:
    async with sessions() as session:
        call = await make_call(session, business)
        lead = await leads.upsert_lead_for_call(session, business.id, CALLER, call_id=call.id)
        assert lead is not None
        await leads.update_lead_details(session, business.id, lead.id, full_name="דנה", by="ai")
        await session.commit()
    result = await book(sessions, business, TEN, lead_id=lead.id, call_id=call.id)
    assert isinstance(result, Booked)
    return lead, result.appointment, call


async def test_another_business_cannot_read_or_change_leads(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    a, b = await make_business(), await make_business()
    lead, _appointment, _call = await _tenant_a(sessions, a)
    guessed = LeadId(uuid.uuid4())

    async with sessions() as session:
        for lead_id in (lead.id, guessed):
            assert await leads.get_lead(session, b.id, lead_id) is None
            assert await leads.lead_timeline(session, b.id, lead_id) == []
            assert (
                await leads.update_lead_details(
                    session, b.id, lead_id, full_name="גנב", notes="x", by="human"
                )
                is None
            )
            assert await leads.set_status(session, b.id, lead_id, "spam", by="human") is None
            assert (
                await leads.attach_phone(session, b.id, lead_id, "0547777777", by="human") is None
            )
        assert await leads.list_leads(session, b.id) == []
        assert await leads.list_leads(session, b.id, "דנה") == []
        assert await leads.find_lead_by_phone(session, b.id, CALLER) is None
        own = await leads.upsert_lead_for_call(session, b.id, CALLER, call_id=None)
        assert own is not None and own.id != lead.id
        await session.commit()

    async with sessions() as session:
        stored = await leads.get_lead(session, a.id, lead.id)
        assert stored is not None
        assert (stored.full_name, stored.status, stored.phone_e164) == ("דנה", "booked", CALLER)
        assert stored.notes is None and stored.human_edited_fields == []
        assert [e.kind for e in await leads.lead_timeline(session, a.id, lead.id)] == [
            "call",
            "details_updated",
            "appointment_booked",
            "status_changed",
        ]


async def test_another_business_cannot_read_or_change_appointments(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    a, b = await make_business(), await make_business()
    _lead, appointment, call = await _tenant_a(sessions, a)
    guessed = AppointmentId(uuid.uuid4())

    async with sessions() as session:
        for appointment_id in (appointment.id, guessed):
            assert await appointments.get_appointment(session, b.id, appointment_id) is None
            assert (
                await appointments.cancel_appointment(session, b.id, appointment_id, by="human")
                is None
            )
        assert await appointments.list_appointments(session, b.id, *DAY) == []
        assert await appointments.busy_intervals(session, b.id, *DAY) == []
        assert await appointments.appointment_spans(session, b.id, *DAY) == []
        assert await appointments.attach_call_summary(session, b.id, call.id, "גנב", []) == 0
        await session.commit()
    moved = await appointments.move_appointment(
        sessions, b.id, appointment.id, starts_at=TEN + timedelta(hours=2)
    )
    assert moved is None

    async with sessions() as session:
        stored = await appointments.get_appointment(session, a.id, appointment.id)
    assert stored is not None
    assert (stored.status, stored.starts_at, stored.summary) == ("booked", TEN, None)


async def test_a_booking_cannot_borrow_another_business_lead_or_call(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    a, b = await make_business(), await make_business()
    lead, _appointment, call = await _tenant_a(sessions, a)
    later = TEN + timedelta(hours=3)

    with pytest.raises(leads.NotInBusinessError, match="lead"):
        await book(sessions, b, later, lead_id=lead.id)
    with pytest.raises(leads.NotInBusinessError, match="call"):
        await book(sessions, b, later, call_id=call.id)
    with pytest.raises(leads.NotInBusinessError, match="lead"):
        await book(sessions, b, later, lead_id=LeadId(uuid.uuid4()))
    async with sessions() as session:
        assert await appointments.busy_intervals(session, b.id, *DAY) == []


async def test_the_database_refuses_cross_tenant_links(
    sessions: async_sessionmaker[AsyncSession], make_business: MakeBusiness
) -> None:
    """Leads are referenced by (business_id, lead_id), so even a direct write cannot attach
    one business's event or appointment to another business's lead."""
    a, b = await make_business(), await make_business()
    lead, _appointment, _call = await _tenant_a(sessions, a)

    async with sessions() as session:
        session.add(LeadEvent(business_id=b.id, lead_id=lead.id, kind="call", data={}))
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()

        start = TEN + timedelta(hours=5)
        session.add(
            Appointment(
                business_id=b.id,
                lead_id=lead.id,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                blocked_until=start + timedelta(minutes=30),
            )
        )
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()
